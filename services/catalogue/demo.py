"""Demonstration content of the service catalogue (示例数据): a district's service items and their guides.

`seed_catalogue()` is idempotent: an item is found by its code and, once there, left as it is
(departments, materials and steps are created only together with their item), so a second run
changes nothing and an official's later edits survive. The departments must exist (seed_demo).
The items themselves are in `services/demo_catalogue.py`.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from services.catalogue.demo_data import CATALOGUE, DEMO_LABEL, Item, Material
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem


def _template_content(item: Item, material: Material) -> bytes:
    text = (
        f"{item.name}\n{material.name}（示例模板）\n\n"
        f"{DEMO_LABEL}\n\n"
        "申请单位（盖章）：\n"
        "统一社会信用代码：\n"
        "法定代表人：                    联系电话：\n"
        "经办人：                        联系电话：\n"
        f"申请事项：{item.name}\n"
        "申请内容及理由：\n\n\n\n"
        "本单位承诺以上所填内容及所附材料真实、准确、完整。\n\n"
        "                                  申请单位（盖章）\n"
        "                                  年    月    日\n"
    )
    return text.encode("utf-8")


def _departments(codes: set[str]) -> dict[str, Department]:
    found = Department.objects.in_bulk(list(codes), field_name="code")
    missing = sorted(codes - set(found))
    if missing:
        raise LookupError(
            f"Departments {', '.join(missing)} do not exist: run seed_demo (it creates them first)."
        )
    return found


def _create_children(service: ServiceItem, spec: Item, departments: dict[str, Department]) -> None:
    service.departments.add(*(departments[code] for code in spec.departments))
    for material in spec.materials:
        row = MaterialRequirement(
            service=service,
            code=material.code,
            name=material.name,
            required=material.required,
            essential=material.essential,
            deferrable=material.deferrable,
        )
        if material.template:
            row.template.save(f"{material.code}.txt", ContentFile(_template_content(spec, material)), save=False)
        row.save()
    ReviewStep.objects.bulk_create(
        ReviewStep(
            service=service,
            order=order,
            name=step.name,
            department=departments[step.department],
            promised_days=step.promised_days,
        )
        for order, step in enumerate(spec.steps, start=1)
    )


def seed_catalogue() -> list[ServiceItem]:
    """Create the demonstration service items that are missing; return all of them, in catalogue order."""
    codes = {code for spec in CATALOGUE for code in (spec.lead, *spec.departments)}
    codes |= {step.department for spec in CATALOGUE for step in spec.steps}
    items: list[ServiceItem] = []
    with transaction.atomic():
        departments = _departments(codes)
        for spec in CATALOGUE:
            service, created = ServiceItem.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "name_en": spec.name_en,
                    "category": spec.category,
                    "lead_department": departments[spec.lead],
                    "description": f"{DEMO_LABEL}\n{spec.summary}",
                    "conditions": spec.conditions,
                    "fee": spec.fee,
                    "approval_mode": spec.approval_mode,
                    "statutory_days": spec.statutory_days,
                    "promised_days": spec.promised_days,
                    "deferral_days": spec.deferral_days,
                    "deferral_grace_days": spec.deferral_grace_days,
                    "commitment_text": spec.commitment_text,
                    "post_check_ratio": spec.post_check_ratio,
                    "post_check_window_days": spec.post_check_window_days,
                    "credit_bar_days": spec.credit_bar_days,
                },
            )
            if created:
                _create_children(service, spec, departments)
            items.append(service)
    return items
