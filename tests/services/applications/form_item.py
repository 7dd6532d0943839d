"""The application form the stories of these tests fill in: a food business's, on the world's standard item."""

from services.models import FormField, ServiceItem


def give_food_licence_form(service: ServiceItem) -> ServiceItem:
    """经营者名称 (prefilled), 经营场所面积 10–5000, 从业人员数, 开业日期, 主体业态, 经营项目 (several), 许可证号
    (a pattern), and the staff table (1–3 rows: 姓名, 健康证明编号)."""
    rows = [
        dict(key="operator_name", kind="text", label="经营者名称", label_en="Operator", required=True, max_length=30,
             prefill="enterprise.name", help="与营业执照一致", help_en="As on the business licence"),
        dict(key="floor_area", kind="number", label="经营场所面积", label_en="Floor area", required=True,
             min_value=10, max_value=5000),
        dict(key="employees", kind="number", label="从业人员数", label_en="Employees", whole_number=True, min_value=1),
        dict(key="opening_date", kind="date", label="开业日期", label_en="Opening date"),
        dict(key="business_form", kind="choice", label="主体业态", label_en="Kind of business", required=True,
             options="shop|食品销售经营者|Food retailer\nrestaurant|餐饮服务经营者|Restaurant"),
        dict(key="business_items", kind="choice", label="经营项目", label_en="Business items", multiple=True,
             options="hot_food|热食类食品制售|Hot food\ncold_food|冷食类食品制售|Cold food"),
        dict(key="licence_number", kind="text", label="原许可证编号", label_en="Former licence number",
             pattern=r"^JY\d{14}$", pattern_message="许可证编号为 JY 加 14 位数字。",
             pattern_message_en="A licence number is JY and 14 digits."),
        dict(key="staff", kind="table", label="从业人员", label_en="Staff", required=True, min_rows=1, max_rows=3),
        dict(key="staff_name", kind="text", label="姓名", label_en="Name", table="staff", required=True),
        dict(key="health_certificate", kind="text", label="健康证明编号", label_en="Health certificate", table="staff",
             required=True, pattern=r"^JK\d{4}-\d{4}$", pattern_message="健康证明编号形如 JK2026-0001。",
             pattern_message_en="Like JK2026-0001."),
    ]
    FormField.objects.bulk_create(FormField(service=service, order=order, **row) for order, row in enumerate(rows, 1))
    return service


COMPLETE = {
    "operator_name": "丰台小吃店", "floor_area": 120, "employees": 3, "opening_date": "2026-12-01",
    "business_form": "restaurant", "business_items": ["hot_food"],
    "staff": [{"staff_name": "张三", "health_certificate": "JK2026-0001"}],
}
