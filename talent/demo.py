"""Demonstration content of the talent domain: the ten measures (丰才十条) and a few demo talent.

`seed_talent_policies()` creates or updates each measure by its code (its service item, the
policy and the item's materials), so a second run changes nothing; review steps and material
templates are written only when the item has none. `seed_demo_talent()` adds demo talent to
the first demo enterprise and makes the talent office's demo official the service manager
of the demo enterprises. Both expect what `seed_demo` creates first (departments, clerks,
enterprises). Everything here is fiction: amounts, quotas and rules only show the portal at work.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from stdnum.cn import ric

from enterprises.models import Enterprise, TechTier
from services.catalogue.demo_data import Material, Step
from services.catalogue.models import ApprovalMode, ServiceCategory
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from talent import profiles
from talent.eligibility import validate_rules
from talent.models import BenefitKind, Talent, TalentPolicy

DEMO_LABEL = "【演示内容】本政策为演示数据，不代表真实政策。"

# The demo period: the measures take applications over two budget years.
WINDOW_OPENS = datetime.date(2026, 1, 1)
WINDOW_CLOSES = datetime.date(2027, 12, 31)

# What seed_demo creates: the first clerk's enterprise gets the demo talent, and the talent
# office's official looks after both demo enterprises.
DEMO_CLERK = "clerk1"
DEMO_ENTERPRISE_USCC = "91110106MA01FTAA16"
DEMO_ENTERPRISE_USCCS = ("91110106MA01FTAA16", "91110106MA01FTBB20")
SERVICE_MANAGER = "official_rcj"
TALENT_OFFICE = "RCJ"

GOOD_STANDING = True  # the value of the employer_in_good_standing rule
TECH_EMPLOYERS = [tier.value for tier in TechTier if tier != TechTier.NONE]


@dataclass(frozen=True)
class Measure:
    """One of the ten measures: its service item and its policy."""

    code: str
    name: str
    name_en: str
    approval_mode: str
    lead: str
    departments: tuple[str, ...]
    summary: str
    conditions: str
    benefit_kind: str
    benefit_description: str
    rules: dict[str, Any]
    materials: tuple[Material, ...]
    steps: tuple[Step, ...] = ()
    amount: Decimal = Decimal("0")
    annual_budget: Decimal | None = None
    annual_quota: int | None = None
    opens_on: datetime.date | None = WINDOW_OPENS
    closes_on: datetime.date | None = WINDOW_CLOSES
    statutory_days: int = 20
    promised_days: int = 10
    commitment_text: str = ""
    deferral_days: int = 10
    post_check_ratio: Decimal = Decimal("0.2")


def _form(name: str) -> Material:
    return Material("application-form", name, essential=True, template=True)


def _id_card() -> Material:
    return Material("id-card", "人才本人居民身份证", essential=True)


def _degree() -> Material:
    return Material("degree", "学历学位证明（学信网认证报告或国（境）外学历学位认证书）", essential=True)


def _contract(name: str = "劳动合同") -> Material:
    return Material("labour-contract", name, essential=True)


def _social_insurance(name: str = "本区社会保险缴纳证明", **flags: bool) -> Material:
    return Material("social-insurance", name, **flags)


def _tier_proof() -> Material:
    return Material("talent-certificate", "人才层次认定证明", essential=True)


MEASURES: tuple[Measure, ...] = (
    Measure(
        code="FC-01",
        name="人才引进奖励",
        name_en="Arrival award for introduced talent",
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "RSJ"),
        summary="对新引进到本区用人单位全职工作的高层次人才给予一次性引进奖励，分三年发放。",
        conditions=(
            "1. 人才经认定为A、B、C类人才，具有硕士及以上学位；\n"
            "2. 申报时年龄不超过50周岁；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单；\n"
            "4. 与用人单位签订3年以上劳动合同，并在本区缴纳社会保险。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="一次性引进奖励20万元，分三年按40%、30%、30%发放（演示金额）",
        amount=Decimal("200000"),
        annual_budget=Decimal("6000000"),
        annual_quota=30,
        rules={"tiers": ["A", "B", "C"], "min_education": "master", "max_age": 50,
               "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=15,
        materials=(
            _form("人才引进奖励申请表"),
            _id_card(),
            _degree(),
            _contract("劳动合同（3年以上）"),
            _social_insurance(),
            Material("achievements", "获奖证书、专利或业绩证明材料", required=False),
        ),
        steps=(
            Step("受理与初审", "RCJ", 3),
            Step("人才层次复核", "RSJ", 7),
            Step("联合审议与公示", "RCJ", 5),
        ),
    ),
    Measure(
        code="FC-02",
        name="人才住房补贴",
        name_en="Housing subsidy for talent",
        approval_mode=ApprovalMode.DEFERRED,
        lead="RCJ",
        departments=("RCJ", "ZJW"),
        summary="对在本区工作、在本市无自有住房的认定人才发放住房补贴，每年申报一次。",
        conditions=(
            "1. 人才经认定为A、B、C类人才，在本区工作满6个月；\n"
            "2. 人才本人及配偶、未成年子女在本市无自有住房，未享受其他住房保障待遇；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="每月5000元，每年一次性核发6万元（演示金额）",
        amount=Decimal("60000"),
        annual_budget=Decimal("12000000"),
        annual_quota=200,
        rules={"tiers": ["A", "B", "C"], "min_months_in_district": 6, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=10,
        deferral_days=10,
        commitment_text=(
            "本单位及人才本人承诺：所提交的申请材料真实、准确、完整；对本次容缺受理的材料"
            "（社会保险缴纳证明、在京无房证明），将于承诺期限内补齐。如逾期未补齐或所补材料"
            "与承诺不符，同意停止补贴发放、撤销审批决定、退回已领取的补贴，并依法记入企业信用记录。"
        ),
        materials=(
            _form("人才住房补贴申请表"),
            _id_card(),
            _contract(),
            Material("lease-contract", "房屋租赁合同及租赁登记备案证明"),
            _social_insurance("本区社会保险缴纳证明（近6个月）", deferrable=True),
            Material("no-housing", "人才本人及配偶在京无房证明", deferrable=True),
            Material("bank-account", "人才本人银行账户信息"),
        ),
        steps=(
            Step("受理与资格审查", "RCJ", 5),
            Step("住房情况核查", "ZJW", 5),
        ),
    ),
    Measure(
        code="FC-03",
        name="人才公寓",
        name_en="Talent apartments",
        approval_mode=ApprovalMode.PARALLEL,
        lead="RCJ",
        departments=("RCJ", "ZJW"),
        summary="面向在本区工作的各类人才配租人才公寓，人才资格和住房保障资格由两个部门同时审核。",
        conditions=(
            "1. 人才经认定为A、B、C、D类人才，年龄不超过45周岁；\n"
            "2. 人才本人在本区无自有住房；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.HOUSING,
        benefit_description="配租人才公寓一套，租金为同地段市场租金的50%，租期最长3年",
        annual_quota=120,
        rules={"tiers": ["A", "B", "C", "D"], "max_age": 45, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=10,
        materials=(
            _form("人才公寓配租申请表"),
            _id_card(),
            _contract(),
            _social_insurance(),
            Material("family-housing", "家庭成员及住房情况说明", template=True),
        ),
        steps=(
            Step("人才资格审核", "RCJ", 5),
            Step("住房保障资格审核", "ZJW", 8),
        ),
    ),
    Measure(
        code="FC-04",
        name="人才落户",
        name_en="Household registration (落户) for talent",
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "RSJ"),
        summary="为符合条件的人才办理本市常住户口，配偶及未成年子女可随迁。",
        conditions=(
            "1. 人才经认定为A、B、C类人才，具有硕士及以上学位；\n"
            "2. 年龄不超过45周岁；\n"
            "3. 在本区工作满6个月，并与用人单位签订3年以上劳动合同；\n"
            "4. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.SETTLEMENT,
        benefit_description="办理本市常住户口，配偶及未成年子女可随迁",
        annual_quota=50,
        rules={"tiers": ["A", "B", "C"], "min_education": "master", "max_age": 45,
               "min_months_in_district": 6, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=15,
        materials=(
            _form("人才落户申请表"),
            _id_card(),
            _degree(),
            _contract("劳动合同（3年以上）"),
            _social_insurance("本区社会保险缴纳证明（近6个月）"),
            Material("no-criminal-record", "无犯罪记录证明"),
        ),
        steps=(
            Step("受理与初审", "RCJ", 3),
            Step("人才资格审核", "RSJ", 7),
            Step("审议与公示", "RCJ", 5),
        ),
    ),
    Measure(
        code="FC-05",
        name="人才子女入学",
        name_en="School places for talent's children",
        approval_mode=ApprovalMode.PARALLEL,
        lead="RCJ",
        departments=("RCJ", "JW"),
        summary="为人才子女统筹安排本区义务教育阶段学位，人才资格和学位安排由两个部门同时办理。",
        conditions=(
            "1. 人才经认定为A、B、C类人才，在本区工作满3个月；\n"
            "2. 子女处于义务教育阶段，随人才在本区居住；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.SCHOOLING,
        benefit_description="子女就读本区义务教育阶段学校，按就近优质原则统筹安排学位",
        annual_quota=80,
        closes_on=None,
        rules={"tiers": ["A", "B", "C"], "min_months_in_district": 3, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=15,
        materials=(
            _form("人才子女入学申请表"),
            _id_card(),
            _contract(),
            Material("child-documents", "子女出生医学证明及户口簿", essential=True),
            Material("residence", "本区居住证明（房屋产权证明或租赁备案）"),
            _social_insurance(),
        ),
        steps=(
            Step("人才资格审核", "RCJ", 5),
            Step("学位统筹安排", "JW", 15),
        ),
    ),
    Measure(
        code="FC-06",
        name="人才医疗绿色通道",
        name_en="Medical green channel for talent",
        approval_mode=ApprovalMode.COMMITMENT,
        lead="RCJ",
        departments=("RCJ", "WJW"),
        summary="为高层次人才开通区属医院就医绿色通道，告知承诺、当场办结，事后抽查核验。",
        conditions=(
            "1. 人才经认定为A、B类人才；\n"
            "2. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.MEDICAL,
        benefit_description="区属医院预约挂号、就诊、检查绿色通道，每年健康体检一次",
        closes_on=None,
        rules={"tiers": ["A", "B"], "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=1,
        post_check_ratio=Decimal("0.1"),
        commitment_text=(
            "本单位承诺：申报人员为本单位在职的A类或B类人才，所填信息及所附材料真实有效；"
            "人才离职或不再符合条件时于10个工作日内告知。如承诺不实，愿意承担撤销服务资格、"
            "列入信用惩戒名单及相应的法律责任。"
        ),
        materials=(
            _form("人才医疗绿色通道申请表"),
            _id_card(),
            _tier_proof(),
        ),
    ),
    Measure(
        code="FC-07",
        name="人才创业启动资金",
        name_en="Start-up funding for talent",
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "KXJ"),
        summary="对人才在本区科技型企业创业的项目给予启动资金支持，经专家评审后分两期拨付。",
        conditions=(
            "1. 人才经认定为A、B、C类人才，具有本科及以上学历，年龄不超过55周岁；\n"
            "2. 人才所在企业为科技型中小企业、高新技术企业、专精特新、瞪羚或独角兽企业；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="创业启动资金50万元，按项目进度分两期拨付（演示金额）",
        amount=Decimal("500000"),
        annual_budget=Decimal("10000000"),
        annual_quota=20,
        rules={"tiers": ["A", "B", "C"], "min_education": "bachelor", "max_age": 55,
               "employer_tech_tiers": TECH_EMPLOYERS, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=30,
        promised_days=20,
        materials=(
            _form("人才创业启动资金申请表"),
            _id_card(),
            _degree(),
            Material("business-plan", "创业项目计划书", essential=True, template=True),
            Material("shareholding", "人才出资或持股证明"),
            _social_insurance(),
            Material("ip-evidence", "知识产权证明", required=False),
        ),
        steps=(
            Step("受理与初审", "RCJ", 3),
            Step("项目评审", "KXJ", 12),
            Step("审定与公示", "RCJ", 5),
        ),
    ),
    Measure(
        code="FC-08",
        name="海外人才回流创业支持",
        name_en="Start-up support for returnees from overseas",
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "KXJ"),
        summary="支持海外留学和工作的人才回国来区创业，给予一次性创业资助。",
        conditions=(
            "1. 人才为海外回流人才，具有硕士及以上学位；\n"
            "2. 年龄不超过50周岁；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="一次性创业资助30万元（演示金额）",
        amount=Decimal("300000"),
        annual_budget=Decimal("6000000"),
        annual_quota=20,
        rules={"returnee": True, "min_education": "master", "max_age": 50,
               "employer_in_good_standing": GOOD_STANDING},
        statutory_days=30,
        promised_days=20,
        materials=(
            _form("海外人才回流创业支持申请表"),
            _id_card(),
            _degree(),
            Material("overseas-experience", "海外学习或工作经历证明", essential=True),
            _contract("劳动合同或企业出资证明"),
            Material("business-plan", "创业项目计划书", essential=True, template=True),
        ),
        steps=(
            Step("受理与初审", "RCJ", 3),
            Step("项目评审", "KXJ", 12),
            Step("审定与公示", "RCJ", 5),
        ),
    ),
    Measure(
        code="FC-09",
        name="青年人才见习补贴",
        name_en="Internship subsidy for young talent",
        approval_mode=ApprovalMode.STANDARD,
        lead="RSJ",
        departments=("RSJ", "RCJ"),
        summary="对吸纳青年人才参加就业见习的用人单位，按见习人数和期限给予见习补贴。",
        conditions=(
            "1. 见习人员为D类（青年）人才，具有本科及以上学历，年龄不超过35周岁；\n"
            "2. 用人单位与见习人员签订见习协议，见习期不超过6个月；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="见习期6个月，每人每月3000元，按月拨付用人单位（演示金额）",
        amount=Decimal("18000"),
        annual_budget=Decimal("3600000"),
        annual_quota=200,
        rules={"tiers": ["D"], "min_education": "bachelor", "max_age": 35,
               "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=10,
        materials=(
            _form("青年人才见习补贴申请表"),
            Material("id-card", "见习人员居民身份证", essential=True),
            _degree(),
            Material("internship-agreement", "见习协议", essential=True),
            Material("roster", "见习人员花名册", template=True),
        ),
        steps=(
            Step("资格审查", "RSJ", 5),
            Step("补贴核定", "RSJ", 5),
        ),
    ),
    Measure(
        code="FC-10",
        name="引才机构奖励",
        name_en="Award for recruiting top talent",
        approval_mode=ApprovalMode.STANDARD,
        lead="RCJ",
        departments=("RCJ", "RSJ"),
        summary="对成功引进A、B类人才并留用满一年的用人单位给予引才奖励，奖励发给用人单位。",
        conditions=(
            "1. 引进的人才经认定为A、B类人才；\n"
            "2. 人才在本区全职工作满12个月；\n"
            "3. 用人单位已通过认证，且未被列入信用惩戒名单。"
        ),
        benefit_kind=BenefitKind.CASH,
        benefit_description="每成功引进1名A、B类人才，奖励用人单位5万元（演示金额）",
        amount=Decimal("50000"),
        annual_budget=Decimal("2000000"),
        annual_quota=40,
        rules={"tiers": ["A", "B"], "min_months_in_district": 12, "employer_in_good_standing": GOOD_STANDING},
        statutory_days=20,
        promised_days=10,
        materials=(
            _form("引才机构奖励申请表"),
            _contract("引进人才劳动合同"),
            _tier_proof(),
            _social_insurance("引进人才本区社会保险缴纳证明（满12个月）"),
            Material("recruiting-report", "引才工作情况说明", template=True),
        ),
        steps=(
            Step("受理与审核", "RCJ", 5),
            Step("复核与公示", "RCJ", 5),
        ),
    ),
)


def department_codes() -> set[str]:
    """The departments the measures need (seed_demo creates them; the benchmark too)."""
    codes = {code for measure in MEASURES for code in (measure.lead, *measure.departments)}
    return codes | {step.department for measure in MEASURES for step in measure.steps}


def _template_content(measure: Measure, material: Material) -> bytes:
    text = (
        f"{measure.name}\n{material.name}（示例模板）\n\n"
        f"{DEMO_LABEL}\n\n"
        "申请单位（盖章）：\n"
        "统一社会信用代码：\n"
        "人才姓名：                      人才层次：\n"
        "经办人：                        联系电话：\n"
        f"申请政策：{measure.code} {measure.name}\n"
        "申请理由：\n\n\n\n"
        "本单位承诺以上所填内容及所附材料真实、准确、完整。\n\n"
        "                                  申请单位（盖章）\n"
        "                                  年    月    日\n"
    )
    return text.encode("utf-8")


def _departments(codes: set[str]) -> dict[str, Department]:
    found = Department.objects.in_bulk(list(codes), field_name="code")
    missing = sorted(codes - set(found))
    if missing:
        raise LookupError(f"Departments {', '.join(missing)} do not exist: run seed_demo (it creates them first).")
    return found


def _service(measure: Measure, departments: dict[str, Department]) -> ServiceItem:
    service, _created = ServiceItem.objects.update_or_create(
        code=measure.code,
        defaults={
            "name": measure.name,
            "name_en": measure.name_en,
            "category": ServiceCategory.TALENT,
            "lead_department": departments[measure.lead],
            "description": f"{DEMO_LABEL}\n{measure.summary}",
            "conditions": measure.conditions,
            "approval_mode": measure.approval_mode,
            "statutory_days": measure.statutory_days,
            "promised_days": measure.promised_days,
            "deferral_days": measure.deferral_days,
            "commitment_text": measure.commitment_text,
            "post_check_ratio": measure.post_check_ratio,
        },
    )
    service.departments.set([departments[code] for code in measure.departments])
    for material in measure.materials:
        row, created = MaterialRequirement.objects.update_or_create(
            service=service, code=material.code,
            defaults={"name": material.name, "required": material.required, "essential": material.essential,
                      "deferrable": material.deferrable},
        )
        if created and material.template:
            row.template.save(f"{material.code}.txt", ContentFile(_template_content(measure, material)))
    if not service.review_steps.exists():
        ReviewStep.objects.bulk_create(
            ReviewStep(service=service, order=order, name=step.name, department=departments[step.department],
                       promised_days=step.promised_days)
            for order, step in enumerate(measure.steps, start=1)
        )
    return service


def seed_talent_policies() -> list[TalentPolicy]:
    """Create or update the ten demonstration measures; return their policies in code order."""
    policies = []
    with transaction.atomic():
        departments = _departments(department_codes())
        for measure in MEASURES:
            service = _service(measure, departments)
            policy, _created = TalentPolicy.objects.update_or_create(
                service=service,
                defaults={
                    "benefit_kind": measure.benefit_kind,
                    "amount": measure.amount,
                    "benefit_description": measure.benefit_description,
                    "annual_budget": measure.annual_budget,
                    "annual_quota": measure.annual_quota,
                    "opens_on": measure.opens_on,
                    "closes_on": measure.closes_on,
                    "rules": validate_rules(measure.rules),
                },
            )
            policies.append(policy)
    return policies


# --- demo talent ----------------------------------------------------------------------------


def demo_id_number(region: str, birth: datetime.date, sequence: str) -> str:
    """A valid resident ID number: region, birth date, sequence (odd last digit: male) and check digit."""
    body = f"{region}{birth:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # the function skips a placeholder check digit


@dataclass(frozen=True)
class DemoTalent:
    name: str
    region: str
    birth: datetime.date
    sequence: str
    education: str
    tier: str
    started_on: datetime.date
    title: str
    field: str
    returnee: bool = False

    @property
    def id_number(self) -> str:
        return demo_id_number(self.region, self.birth, self.sequence)


# Chosen so that the verdicts differ: too old for some measures, too new in the district,
# below the education required, the wrong tier, returnee or not.
DEMO_TALENT: tuple[DemoTalent, ...] = (
    DemoTalent("张明远", "110108", datetime.date(1977, 4, 12), "031", "doctorate", "A",
               datetime.date(2019, 3, 1), "研究员", "人工智能", returnee=True),
    DemoTalent("刘思源", "320102", datetime.date(1988, 9, 23), "053", "master", "B",
               datetime.date(2021, 7, 1), "高级工程师", "集成电路"),
    DemoTalent("周婉清", "420111", datetime.date(1986, 12, 5), "046", "doctorate", "B",
               datetime.date(2025, 9, 1), "正高级工程师", "生物医药", returnee=True),
    DemoTalent("陈晓雨", "330106", datetime.date(1995, 2, 14), "024", "bachelor", "C",
               datetime.date(2023, 4, 1), "工程师", "软件开发"),
    DemoTalent("王子涵", "370202", datetime.date(2001, 6, 30), "017", "master", "D",
               datetime.date(2026, 7, 1), "助理工程师", "数据科学"),
    DemoTalent("赵海波", "110106", datetime.date(1966, 10, 8), "039", "other", "C",
               datetime.date(2008, 5, 1), "高级技师", "智能制造"),
)


def seed_demo_talent() -> list[Talent]:
    """Add the demo talent to the first demo enterprise (once) and assign the demo service manager."""
    User = get_user_model()
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(uscc=DEMO_ENTERPRISE_USCC).first()
        clerk = User.objects.filter(username=DEMO_CLERK).first()
        if enterprise is None or clerk is None:
            raise LookupError(f"The demo enterprise {DEMO_ENTERPRISE_USCC} or its clerk {DEMO_CLERK} does not "
                              "exist: run seed_demo (it creates them first).")
        talent = []
        for person in DEMO_TALENT:
            existing = Talent.objects.filter(enterprise=enterprise, id_number=person.id_number).first()
            talent.append(existing or profiles.add_talent(clerk, enterprise, {
                "name": person.name, "id_number": person.id_number, "education": person.education,
                "tier": person.tier, "returnee": person.returnee, "started_on": person.started_on,
                "title": person.title, "field": person.field,
            }))
        manager = User.objects.filter(username=SERVICE_MANAGER, is_staff=True).first()
        if manager is not None:
            office = Department.objects.filter(code=TALENT_OFFICE).first()
            if office is not None:
                office.officials.add(manager)  # the manager reviews talent applications of the office
            Enterprise.objects.filter(uscc__in=DEMO_ENTERPRISE_USCCS, service_manager__isnull=True).update(
                service_manager=manager)
    return talent
