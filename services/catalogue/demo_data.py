"""The demonstration service items (示例数据) that `services.catalogue.demo.seed_catalogue()` creates: data only."""

from dataclasses import dataclass
from decimal import Decimal

from services.catalogue.models import ApprovalMode, ServiceCategory

DEMO_LABEL = "【示例数据】本事项为演示内容，不构成真实的办事依据，请以区政务服务中心发布的正式办事指南为准。"


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    required: bool = True
    essential: bool = False
    deferrable: bool = False
    template: bool = False  # a fill-in form the applicant downloads


@dataclass(frozen=True)
class Step:
    name: str
    department: str
    promised_days: int | None = None


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    name_en: str
    category: str
    approval_mode: str
    lead: str
    departments: tuple[str, ...]
    summary: str
    conditions: str
    statutory_days: int
    promised_days: int
    materials: tuple[Material, ...]
    steps: tuple[Step, ...] = ()
    fee: Decimal = Decimal("0")
    commitment_text: str = ""
    deferral_days: int = 10
    deferral_grace_days: int = 10
    post_check_ratio: Decimal = Decimal("0.2")
    post_check_window_days: int = 20
    credit_bar_days: int = 365


def _licence() -> Material:
    return Material("business-licence", "营业执照（副本）", essential=True)


def _legal_rep_id() -> Material:
    return Material("legal-rep-id", "法定代表人居民身份证", essential=True)


CATALOGUE: tuple[Item, ...] = (
    Item(
        code="FT-RC-0001",
        name="人才引进落户",
        name_en="Household registration (hukou) for introduced talent",
        category=ServiceCategory.TALENT,
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "RSJ"),
        summary="用人单位为符合条件的引进人才申请办理本市常住户口。",
        conditions=(
            "1. 用人单位在丰台区注册登记，依法纳税，信用记录良好；\n"
            "2. 引进人才具有博士学位，或具有高级专业技术职称，或符合《丰台区“丰才十条”》认定的紧缺急需人才条件；\n"
            "3. 引进人才一般不超过45周岁（博士及高层次人才可放宽至50周岁）；\n"
            "4. 与用人单位签订3年以上劳动合同，并在本区连续缴纳社会保险满6个月；\n"
            "5. 本人无违法犯罪记录。"
        ),
        statutory_days=20,
        promised_days=15,
        materials=(
            Material("application-form", "人才引进落户申请表", essential=True, template=True),
            Material("id-card", "引进人才居民身份证", essential=True),
            Material("degree", "学历、学位证书及学信网认证报告", essential=True),
            Material("labour-contract", "劳动合同（3年以上）", essential=True),
            Material("social-insurance", "本区社会保险缴纳证明（近6个月）"),
            Material("no-criminal-record", "无犯罪记录证明"),
            Material("employer-recommendation", "用人单位推荐意见（加盖公章）", template=True),
            Material("achievements", "获奖证书、专利或业绩证明材料", required=False),
        ),
        steps=(
            Step("受理与初审", "RCJ", 3),
            Step("人才资格审核", "RSJ", 7),
            Step("联合审议与公示", "RCJ", 5),
        ),
    ),
    Item(
        code="FT-RC-0002",
        name="人才公寓租赁补贴",
        name_en="Rental subsidy for talent housing",
        category=ServiceCategory.TALENT,
        approval_mode=ApprovalMode.DEFERRED,
        lead="RCJ",
        departments=("RCJ", "ZJW"),
        summary="对在本区工作、租房居住的认定人才按月发放租赁补贴，补贴期限最长36个月。",
        conditions=(
            "1. 申请人经认定为丰台区各类人才，与本区用人单位签订劳动合同；\n"
            "2. 申请人及其配偶、未成年子女在本市无自有住房，且未享受其他住房保障待遇；\n"
            "3. 在本区租赁住房并已办理租赁登记备案；\n"
            "4. 用人单位在本区依法纳税、无严重失信记录。"
        ),
        statutory_days=20,
        promised_days=10,
        deferral_days=10,
        commitment_text=(
            "本单位及申请人郑重承诺：所提交的申请材料真实、准确、完整；对本次容缺受理的"
            "材料（租金支付凭证、在京无房证明、社会保险缴纳证明），将于承诺期限内补齐，"
            "并保证其内容与申请时所述一致。如逾期未补齐或所补材料与承诺不符，同意暂停"
            "补贴发放、撤销审批决定、退回已领取的补贴，并依法记入企业信用记录。"
        ),
        materials=(
            Material("application-form", "人才公寓租赁补贴申请表", essential=True, template=True),
            Material("id-card", "申请人居民身份证", essential=True),
            Material("talent-certificate", "人才认定证明", essential=True),
            Material("labour-contract", "劳动合同", essential=True),
            Material("lease-contract", "房屋租赁合同及租赁登记备案证明", essential=True),
            Material("rent-receipts", "租金支付凭证或发票", deferrable=True),
            Material("no-housing", "申请人及配偶在京无房证明", deferrable=True),
            Material("social-insurance", "本区社会保险缴纳证明", deferrable=True),
            Material("bank-account", "申请人本人银行账户信息"),
        ),
        steps=(
            Step("受理与资格审查", "RCJ", 5),
            Step("住房情况核查", "ZJW", 5),
        ),
    ),
    Item(
        code="FT-KX-0001",
        name="高新技术企业培育入库",
        name_en="Admission to the high-tech enterprise incubation pool",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.STANDARD,
        lead="KXJ",
        departments=("KXJ",),
        summary="对具有发展潜力、尚未达到高新技术企业认定条件的科技型企业进行培育入库，给予辅导和资金支持。",
        conditions=(
            "1. 在丰台区注册并实际经营满1年，具有独立法人资格；\n"
            "2. 拥有与主要产品（服务）相关的自主知识产权；\n"
            "3. 上年度研究开发费用占销售收入比例不低于3%；\n"
            "4. 从事研发和技术创新活动的科技人员占职工总数比例不低于10%；\n"
            "5. 近一年内未发生重大安全、重大质量事故或严重环境违法行为。"
        ),
        statutory_days=20,
        promised_days=15,
        materials=(
            Material("application-form", "高新技术企业培育入库申请书", essential=True, template=True),
            _licence(),
            Material("ip-evidence", "知识产权证书或受理通知书", essential=True),
            Material("audit-report", "上年度财务审计报告"),
            Material("rd-expenses", "研究开发费用专项说明"),
            Material("hi-tech-income", "高新技术产品（服务）收入说明"),
            Material("staff-list", "科技人员名单及社会保险缴纳证明"),
            Material("other-evidence", "科技成果转化、获奖等其他证明材料", required=False),
        ),
        steps=(
            Step("形式审查", "KXJ", 3),
            Step("专家评审", "KXJ", 8),
            Step("公示与入库", "KXJ", 4),
        ),
    ),
    Item(
        code="FT-SC-0001",
        name="食品经营许可",
        name_en="Food business licence",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.COMMITMENT,
        lead="SCJGJ",
        departments=("SCJGJ",),
        summary="从事食品销售和餐饮服务活动的经营者，取得食品经营许可证。实行告知承诺，当场发证。",
        conditions=(
            "1. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；\n"
            "2. 具有与经营的食品品种、数量相适应的经营设备或者设施；\n"
            "3. 有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；\n"
            "4. 具有合理的设备布局和工艺流程，防止交叉污染；\n"
            "5. 法律、法规规定的其他条件。"
        ),
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("0.3"),
        post_check_window_days=20,
        commitment_text=(
            "本单位郑重承诺：一、已知晓食品经营许可的全部条件、标准和技术要求；二、具有与经营"
            "的食品品种、数量相适应的场所、设备设施，食品安全管理人员已到岗并经培训考核合格；"
            "三、所提交的材料真实、合法、有效；四、取得许可后严格遵守《中华人民共和国食品安全法》，"
            "接受市场监管部门的事后核查。如承诺不实或未履行承诺，愿意承担被撤销许可、列入失信"
            "名单及相应的法律责任。"
        ),
        materials=(
            Material("application-form", "食品经营许可申请书", essential=True, template=True),
            _licence(),
            _legal_rep_id(),
            Material("layout", "经营场所平面图和设备布局、工艺流程图"),
            Material("safety-rules", "食品安全管理制度文本"),
            Material("safety-staff", "食品安全管理人员名单及培训考核证明"),
        ),
    ),
    Item(
        code="FT-ZJ-0001",
        name="建设工程规划许可",
        name_en="Construction project planning permit",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.PARALLEL,
        lead="ZJW",
        departments=("ZJW", "WJW", "JW", "ZWFW"),
        summary="在本区进行建筑物、构筑物、道路、管线和其他工程建设的，一窗受理、多部门并联审查。",
        conditions=(
            "1. 已取得建设项目用地手续；\n"
            "2. 建设工程设计方案符合控制性详细规划和规划条件；\n"
            "3. 配套教育、医疗卫生等公共服务设施按规划条件同步设计；\n"
            "4. 已通过“多规合一”协同平台的前期策划生成。"
        ),
        statutory_days=20,
        promised_days=10,
        materials=(
            Material("application-form", "建设工程规划许可申请表", essential=True, template=True),
            Material("land-documents", "建设项目用地批准文件或不动产权证书", essential=True),
            Material("design-scheme", "建设工程设计方案总平面图及说明", essential=True),
            Material("drawings", "建筑专业施工图（电子版）"),
            Material("public-facilities", "配套公共服务设施设计说明"),
            Material("agent-authorisation", "委托代理人授权书及身份证明", required=False),
        ),
        steps=(
            Step("规划方案审查（牵头）", "ZJW", 10),
            Step("医疗卫生配套设施审查", "WJW", 7),
            Step("教育配套设施审查", "JW", 7),
            Step("多规合一平台协同审查", "ZWFW", 5),
        ),
    ),
    Item(
        code="FT-SW-0001",
        name="企业出海服务备案",
        name_en="Registration for overseas expansion services",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.COMMITMENT,
        lead="SWJ",
        departments=("SWJ",),
        summary="拟开展境外投资、跨境贸易或境外设点的企业进行备案，纳入区“出海服务包”获得政策和对接服务。",
        conditions=(
            "1. 在丰台区注册登记的企业，经营状态正常；\n"
            "2. 有明确的境外投资、贸易或设立机构计划；\n"
            "3. 不涉及敏感国家和地区、敏感行业（涉及的另行按规定办理核准）；\n"
            "4. 未被列入严重失信主体名单。"
        ),
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("0.2"),
        commitment_text=(
            "本企业承诺：所填报的境外投资及业务计划真实、完整；所涉项目不属于敏感国家和地区、"
            "敏感行业；将遵守我国及投资目的地的法律法规，按规定报送境外投资信息。如有虚假，"
            "愿意承担撤销备案、列入失信名单及相应的法律责任。"
        ),
        materials=(
            Material("filing-form", "企业出海服务备案表", essential=True, template=True),
            _licence(),
            Material("business-plan", "境外投资或业务计划说明", essential=True),
            Material("partner-credit", "境外合作方资信材料", required=False),
        ),
    ),
    Item(
        code="FT-WJ-0001",
        name="公共场所卫生许可",
        name_en="Hygiene licence for public places",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.COMMITMENT,
        lead="WJW",
        departments=("WJW",),
        summary="住宿、沐浴、美容美发、游泳场所等公共场所经营者取得卫生许可证。属高风险事项，全部事后核查。",
        conditions=(
            "1. 经营场所选址、设计、布局符合《公共场所卫生管理条例》及卫生标准；\n"
            "2. 具有与经营项目相适应的卫生设施设备；\n"
            "3. 建立卫生管理制度，配备专（兼）职卫生管理人员；\n"
            "4. 从业人员取得有效健康合格证明；\n"
            "5. 空气、水质、公共用品用具等经检测符合卫生标准。"
        ),
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("1.0"),
        post_check_window_days=10,
        commitment_text=(
            "本单位郑重承诺：经营场所及卫生设施符合公共场所卫生标准和要求；已建立卫生管理"
            "制度并配备卫生管理人员；从业人员均持有效健康合格证明；所提交的检测报告真实有效。"
            "本单位同意卫生健康部门在许可后开展现场核查，如核查不符合承诺内容，愿意承担撤销"
            "许可、列入失信名单及相应的法律责任。"
        ),
        materials=(
            Material("application-form", "公共场所卫生许可申请表", essential=True, template=True),
            _licence(),
            _legal_rep_id(),
            Material("floor-plan", "经营场所平面图及卫生设施布局图"),
            Material("hygiene-rules", "卫生管理制度"),
            Material("health-certificates", "从业人员健康合格证明"),
            Material("test-report", "空气、水质等卫生检测报告"),
        ),
    ),
    Item(
        code="FT-JW-0001",
        name="民办学校办学许可",
        name_en="Licence to run a private school",
        category=ServiceCategory.GOVERNMENT,
        approval_mode=ApprovalMode.STANDARD,
        lead="JW",
        departments=("JW", "ZJW"),
        summary="举办实施学历教育、学前教育或文化教育类培训的民办学校，取得办学许可证。",
        conditions=(
            "1. 举办者为具有法人资格的社会组织或具有完全民事行为能力的个人，信用良好；\n"
            "2. 有规范的学校名称、章程和决策机构；\n"
            "3. 有符合规定的校舍、场地和教学设施，校舍通过房屋安全鉴定和消防验收；\n"
            "4. 有合格的校长、教师和财会人员；\n"
            "5. 有必备的办学资金和稳定的经费来源。"
        ),
        statutory_days=60,
        promised_days=30,
        materials=(
            Material("application", "民办学校设立申请书", essential=True, template=True),
            Material("founder-credentials", "举办者资格证明文件", essential=True),
            Material("charter", "学校章程及首届决策机构组成人员名单", essential=True),
            Material("premises", "校舍产权证明或租赁合同（租期不少于3年）", essential=True),
            Material("safety-appraisal", "房屋安全鉴定报告及消防验收文件", essential=True),
            Material("funding", "资产及经费来源证明文件"),
            Material("staff", "校长、教师、财会人员的资格证明"),
            Material("development-plan", "学校发展规划", required=False),
        ),
        steps=(
            Step("材料审查", "JW", 5),
            Step("校舍安全核查", "ZJW", 10),
            Step("实地考察与专家评议", "JW", 10),
            Step("审批决定", "JW", 5),
        ),
    ),
    Item(
        code="FT-RS-0001",
        name="就业见习基地认定",
        name_en="Accreditation as an employment internship base",
        category=ServiceCategory.TALENT,
        approval_mode=ApprovalMode.DEFERRED,
        lead="RSJ",
        departments=("RSJ",),
        summary="吸纳离校未就业高校毕业生和青年参加就业见习的单位，经认定为就业见习基地后可享受见习补贴。",
        conditions=(
            "1. 在丰台区依法登记注册，经营管理规范，社会信誉良好；\n"
            "2. 能提供不少于5个见习岗位，且见习岗位具有一定技术含量；\n"
            "3. 有专人负责见习管理，为每名见习人员指定带教人员；\n"
            "4. 依法为职工缴纳社会保险，无拖欠工资等违法行为。"
        ),
        statutory_days=20,
        promised_days=10,
        deferral_days=15,
        commitment_text=(
            "本单位承诺：申报的见习岗位真实存在，将按规定与见习人员签订见习协议、发放见习"
            "生活补助、办理人身意外伤害保险；对本次容缺受理的带教人员名单、见习管理制度和社会"
            "保险缴纳证明，于承诺期限内补齐。如逾期未补或材料不实，同意撤销认定、退回已享受的"
            "补贴，并依法记入信用记录。"
        ),
        materials=(
            Material("application-form", "就业见习基地申报表", essential=True, template=True),
            _licence(),
            Material("positions-plan", "见习岗位计划表", essential=True, template=True),
            Material("mentors", "带教人员名单", deferrable=True),
            Material("internship-rules", "见习管理制度", deferrable=True),
            Material("social-insurance", "上年度职工社会保险缴纳证明", deferrable=True),
            Material("workplace-photos", "办公场所及见习环境照片", required=False),
        ),
        steps=(
            Step("资格审查", "RSJ", 5),
            Step("实地核查与认定", "RSJ", 5),
        ),
    ),
    Item(
        code="FT-ZW-0001",
        name="数据资产登记",
        name_en="Data asset registration",
        category=ServiceCategory.DATA,
        approval_mode=ApprovalMode.STANDARD,
        lead="ZWFW",
        departments=("ZWFW",),
        summary="企业对依法持有的数据资源进行登记，取得数据资产登记凭证，作为数据流通交易、入表和融资的依据。",
        conditions=(
            "1. 在丰台区注册登记的企业或其他组织；\n"
            "2. 登记的数据资源来源合法，权属清晰，依法持有或经授权使用；\n"
            "3. 不包含未经同意的个人信息、国家秘密或危害国家安全的内容；\n"
            "4. 已建立数据安全管理制度并采取必要的安全保护措施。"
        ),
        statutory_days=20,
        promised_days=10,
        materials=(
            Material("application-form", "数据资产登记申请表", essential=True, template=True),
            _licence(),
            Material("data-catalogue", "数据资源目录及内容说明", essential=True),
            Material("source-legality", "数据来源合法性说明及授权文件", essential=True),
            Material("security-assessment", "数据安全与个人信息保护评估报告"),
            Material("quality-report", "数据质量评估报告", required=False),
        ),
        steps=(
            Step("形式审查", "ZWFW", 2),
            Step("合规审查", "ZWFW", 5),
            Step("登记公示", "ZWFW", 3),
        ),
    ),
    Item(
        code="FT-RS-0002",
        name="人力资源服务许可",
        name_en="Human resources service licence",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.COMMITMENT,
        lead="RSJ",
        departments=("RSJ",),
        summary="经营性人力资源服务机构从事职业中介活动，取得人力资源服务许可证。",
        conditions=(
            "1. 有明确的章程和管理制度；\n"
            "2. 有开展业务必备的固定场所、办公设施；\n"
            "3. 有5名以上取得相应从业资格的专职工作人员；\n"
            "4. 法律、法规规定的其他条件。"
        ),
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("0.2"),
        commitment_text=(
            "本机构承诺：已具备《人力资源市场暂行条例》规定的许可条件，有固定的经营场所和"
            "5名以上专职工作人员；将依法诚信经营，不发布虚假招聘信息，不扣押劳动者证件、不收取"
            "押金。如承诺不实，愿意承担撤销许可、列入失信名单及相应的法律责任。"
        ),
        materials=(
            Material("application-form", "人力资源服务许可申请表", essential=True, template=True),
            _licence(),
            Material("rules", "机构章程和管理制度"),
            Material("staff", "专职工作人员名单及从业资格证明"),
        ),
    ),
    Item(
        code="FT-KX-0002",
        name="专精特新中小企业认定",
        name_en="Recognition as a specialised and sophisticated SME",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.STANDARD,
        lead="KXJ",
        departments=("KXJ",),
        summary="对专业化、精细化、特色化、新颖化发展的中小企业进行认定，享受相关扶持政策。",
        conditions=(
            "1. 在丰台区注册登记、从事特定细分市场时间达到2年以上的中小企业；\n"
            "2. 上年度研发费用总额不低于100万元，或研发费用占营业收入比重不低于3%；\n"
            "3. 上年度营业收入总额不低于1000万元，或近2年新增股权融资总额达到2000万元以上；\n"
            "4. 拥有有效知识产权，主导产品属于重点产业链领域。"
        ),
        statutory_days=20,
        promised_days=15,
        materials=(
            Material("application-form", "专精特新中小企业申报书", essential=True, template=True),
            _licence(),
            Material("audit-report", "近两年财务审计报告", essential=True),
            Material("ip-evidence", "知识产权证明材料"),
            Material("market-share", "主导产品细分市场占有率说明", required=False),
        ),
        steps=(
            Step("初审", "KXJ", 5),
            Step("专家评审", "KXJ", 7),
            Step("公示与认定", "KXJ", 3),
        ),
    ),
    Item(
        code="FT-ZW-0002",
        name="开办餐饮店“一件事”",
        name_en="Opening a restaurant: one joint application",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.PARALLEL,
        lead="ZWFW",
        departments=("ZWFW", "SCJGJ", "WJW", "ZJW"),
        summary="开办餐饮店涉及的营业执照、食品经营许可、公共场所卫生许可和门头牌匾设置一次申请、并联办理。",
        conditions=(
            "1. 经营场所为合法建筑，用途符合餐饮经营要求；\n"
            "2. 具有与经营规模相适应的加工、就餐场所和设备设施；\n"
            "3. 油烟排放、排水等符合环境保护要求；\n"
            "4. 门头牌匾设置符合本区设置规范。"
        ),
        statutory_days=20,
        promised_days=5,
        materials=(
            Material("joint-form", "“一件事”综合申请表", essential=True, template=True),
            Material("premises", "经营场所使用证明（产权证明或租赁合同）", essential=True),
            _legal_rep_id(),
            Material("layout", "经营场所平面布局及设备布局图"),
            Material("signboard-design", "门头牌匾设计效果图", required=False),
        ),
        steps=(
            Step("综合受理与营业执照核发（牵头）", "ZWFW", 2),
            Step("食品经营许可审查", "SCJGJ", 5),
            Step("公共场所卫生许可审查", "WJW", 5),
            Step("门头牌匾设置审查", "ZJW", 3),
        ),
    ),
    Item(
        code="FT-WJ-0002",
        name="医疗机构执业登记",
        name_en="Practice registration of a medical institution",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.STANDARD,
        lead="WJW",
        departments=("WJW",),
        summary="诊所、门诊部等医疗机构开展诊疗活动前办理执业登记，取得《医疗机构执业许可证》。",
        conditions=(
            "1. 有符合《医疗机构基本标准》的名称、场所、设备和人员；\n"
            "2. 有相应的规章制度；\n"
            "3. 能够独立承担民事责任；\n"
            "4. 经校验合格的医疗设备和经环评、消防验收的执业场所。"
        ),
        statutory_days=45,
        promised_days=20,
        materials=(
            Material("application-form", "医疗机构执业登记申请书", essential=True, template=True),
            Material("premises", "执业场所产权证明或使用证明", essential=True),
            Material("staff-qualifications", "医师、护士等卫生技术人员执业证书", essential=True),
            Material("equipment-list", "医疗设备清单"),
            Material("rules", "医疗机构规章制度"),
            Material("capital", "注册资金验资证明", required=False),
        ),
        steps=(
            Step("材料审查", "WJW", 5),
            Step("现场审核", "WJW", 10),
            Step("登记发证", "WJW", 5),
        ),
    ),
    Item(
        code="FT-RC-0003",
        name="人才子女入学服务",
        name_en="School places for talent's children",
        category=ServiceCategory.TALENT,
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "JW"),
        summary="为区级认定人才的子女协调安排本区义务教育阶段学校入学。",
        conditions=(
            "1. 申请人为丰台区认定的各类人才，在本区全职工作；\n"
            "2. 子女处于义务教育阶段（小学、初中）适龄入学或转学；\n"
            "3. 每名人才每学段限申请一次。"
        ),
        statutory_days=20,
        promised_days=15,
        materials=(
            Material("application-form", "人才子女入学服务申请表", essential=True, template=True),
            Material("talent-certificate", "人才认定证明", essential=True),
            Material("household-register", "户口簿或居住证", essential=True),
            Material("birth-certificate", "子女出生医学证明", essential=True),
            Material("transfer-certificate", "转学学籍证明", required=False),
        ),
        steps=(
            Step("人才身份核验", "RCJ", 5),
            Step("学位统筹安排", "JW", 10),
        ),
    ),
    Item(
        code="FT-SW-0002",
        name="单用途商业预付卡备案",
        name_en="Filing of single-purpose prepaid cards",
        category=ServiceCategory.ENTERPRISE,
        approval_mode=ApprovalMode.COMMITMENT,
        lead="SWJ",
        departments=("SWJ",),
        summary="零售、住宿餐饮、居民服务业企业发行单用途商业预付卡，在开展业务之日起30日内备案。",
        conditions=(
            "1. 在丰台区注册登记的零售业、住宿和餐饮业、居民服务业企业；\n"
            "2. 建立预付卡业务管理制度，按规定存管预收资金；\n"
            "3. 未被列入严重失信主体名单。"
        ),
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("0.3"),
        commitment_text=(
            "本企业承诺：严格遵守《单用途商业预付卡管理办法（试行）》，按规定比例存管预收资金，"
            "不超额发行，如实向消费者告知使用范围、有效期和退卡规则；所报材料真实有效。如违反"
            "承诺，愿意承担撤销备案、列入失信名单及相应的法律责任。"
        ),
        materials=(
            Material("filing-form", "单用途商业预付卡发卡企业备案表", essential=True, template=True),
            _licence(),
            Material("management-rules", "预付卡业务管理制度"),
            Material("fund-custody", "预收资金存管协议"),
        ),
    ),
    Item(
        code="FT-ZW-0003",
        name="公共数据有条件开放申请",
        name_en="Application for conditional access to public data",
        category=ServiceCategory.DATA,
        approval_mode=ApprovalMode.DEFERRED,
        lead="ZWFW",
        departments=("ZWFW",),
        summary="企业为开发应用场景申请使用本区有条件开放的公共数据，签订数据利用协议后在安全环境中使用。",
        conditions=(
            "1. 在丰台区注册登记的企业或科研机构，无严重失信记录；\n"
            "2. 有明确、合法的数据应用场景；\n"
            "3. 具备相应的数据安全保护能力，承诺在指定的安全环境中使用数据。"
        ),
        statutory_days=20,
        promised_days=10,
        deferral_days=10,
        commitment_text=(
            "本单位承诺：申请使用的公共数据仅用于申报的应用场景，不向第三方提供，不尝试重新"
            "识别个人身份；对本次容缺受理的数据安全管理制度和安全评估报告，于承诺期限内补齐。"
            "如逾期未补或违反承诺，同意终止数据使用、撤销授权，并依法记入信用记录。"
        ),
        materials=(
            Material("application-form", "公共数据有条件开放申请表", essential=True, template=True),
            _licence(),
            Material("use-case", "数据应用场景说明", essential=True),
            Material("security-rules", "数据安全管理制度", deferrable=True),
            Material("security-assessment", "数据安全评估报告", deferrable=True),
        ),
        steps=(
            Step("需求审查", "ZWFW", 5),
            Step("数据提供部门意见征询", "ZWFW", 5),
        ),
    ),
)
