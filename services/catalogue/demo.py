"""Demonstration content of the service catalogue (示例数据): the loader of `demo_data/catalogue.json`.

`load_catalogue()` reads and checks the file (an item's application form through `demo_forms.py`) (`services.catalogue.demo_files`); `seed_catalogue()`
is idempotent: an item is found by its code and, once there, left as it is (departments,
materials and steps are created only together with their item), so a second run changes nothing
and an official's later edits survive. The departments must exist (seed_demo creates them).
`talent/demo.py` reads its measures' materials and steps with the functions here.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from services.catalogue.demo_files import Entry, check_model, shown, top_level
from services.catalogue.demo_forms import create_form, read_form
from services.catalogue.models import ApprovalMode, ServiceCategory
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem

CATALOGUE_FILE = Path(__file__).parent / "demo_data" / "catalogue.json"


# --- reading the file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    name_en: str
    required: bool = True
    essential: bool = False
    deferrable: bool = False
    template: bool = False  # a fill-in form the applicant downloads


@dataclass(frozen=True)
class Step:
    name: str
    name_en: str
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
    summary_en: str
    conditions: str
    conditions_en: str
    statutory_days: int
    promised_days: int
    materials: tuple[Material, ...]
    steps: tuple[Step, ...] = ()
    fee: Decimal = Decimal("0")
    commitment_text: str = ""
    commitment_text_en: str = ""
    deferral_days: int = 10
    deferral_grace_days: int = 10
    post_check_ratio: Decimal = Decimal("0.2")
    post_check_window_days: int = 20
    credit_bar_days: int = 365
    legal_basis: str = ""  # cited by the item's notices and decisions
    legal_basis_en: str = ""
    form: tuple[dict[str, Any], ...] = ()  # the application form's fields (demo_forms.py)


@dataclass(frozen=True)
class Catalogue:
    label: str  # heads every item's description: the content is not a real guide
    label_en: str
    items: tuple[Item, ...]


def read_materials(entry: Entry, service: ServiceItem) -> tuple[Material, ...]:
    """The item's materials, each checked by MaterialRequirement's rules; codes unique in the item."""
    materials = []
    for child in entry.entries("materials"):
        material = Material(
            code=child.text("code"), name=child.text("name"), name_en=child.text("name_en"),
            required=child.flag("required", True),
            essential=child.flag("essential", False), deferrable=child.flag("deferrable", False),
            template=child.flag("template", False),
        )
        child.finish()
        if material.code in {known.code for known in materials}:
            raise child.error(f"the material code {shown(material.code)} is given twice in the item")
        check_model(child, MaterialRequirement(
            service=service, code=material.code, name=material.name, name_en=material.name_en,
            required=material.required,
            essential=material.essential, deferrable=material.deferrable,
        ), exclude=["service", "template"])
        materials.append(material)
    if not materials:
        raise entry.error("“materials” must list at least one material")
    return tuple(materials)


def read_steps(entry: Entry, service: ServiceItem, departments: tuple[str, ...]) -> tuple[Step, ...]:
    """The item's review steps, in order; each by one of the item's departments."""
    steps = []
    for child in entry.entries("steps", [], named_by="name"):
        step = Step(child.text("name"), child.text("name_en"), child.text("department"),
                    child.whole("promised_days", None, nullable=True))
        child.finish()
        if step.department not in departments:
            raise child.error(f"the department {step.department} is not among the item's {', '.join(departments)}")
        check_model(child, ReviewStep(service=service, name=step.name, name_en=step.name_en,
                                      promised_days=step.promised_days),
                    exclude=["service", "department", "order"])
        steps.append(step)
    return tuple(steps)


def read_departments(entry: Entry) -> tuple[str, tuple[str, ...]]:
    """The lead department and the responsible ones; the lead is one of them."""
    lead, departments = entry.text("lead"), entry.codes("departments")
    if lead not in departments:
        raise entry.error(f"the lead department {lead} is not among the departments {', '.join(departments)}")
    return lead, departments


def checked_service(entry: Entry, code: str, fields: dict[str, Any]) -> ServiceItem:
    """The item's unsaved row, checked: it carries the model's rules (limits, clean()) for the item and its children."""
    service = ServiceItem(code=code, **fields)
    check_model(entry, service, exclude=["lead_department"])
    return service


def with_children(entry: Entry, spec: Any, service: ServiceItem, departments: tuple[str, ...]) -> Any:
    """`spec` with its materials and review steps read and checked; the entry may hold nothing more."""
    spec = replace(spec, materials=read_materials(entry, service), steps=read_steps(entry, service, departments))
    entry.finish()
    return spec


def english_commitment(entry: Entry) -> str:
    """The English of the commitment text: needed wherever there is a Chinese one."""
    english = entry.text("commitment_text_en", "", blank=True)
    if entry.data.get("commitment_text") and not english.strip():
        raise entry.error("“commitment_text_en” is missing: every text of the demo data has its English")
    return english


def _service_fields(item: Item, label: tuple[str, str]) -> dict[str, Any]:
    """What seed_catalogue writes on the ServiceItem row; `label` is the demo label in Chinese and English."""
    return {
        "name": item.name, "name_en": item.name_en, "category": item.category,
        "description": f"{label[0]}\n{item.summary}", "description_en": f"{label[1]}\n{item.summary_en}",
        "conditions": item.conditions, "conditions_en": item.conditions_en, "fee": item.fee,
        "approval_mode": item.approval_mode, "statutory_days": item.statutory_days,
        "promised_days": item.promised_days, "deferral_days": item.deferral_days,
        "deferral_grace_days": item.deferral_grace_days, "commitment_text": item.commitment_text,
        "commitment_text_en": item.commitment_text_en,
        "post_check_ratio": item.post_check_ratio, "post_check_window_days": item.post_check_window_days,
        "credit_bar_days": item.credit_bar_days, "legal_basis": item.legal_basis,
        "legal_basis_en": item.legal_basis_en,
    }


def _read_item(entry: Entry, label: tuple[str, str]) -> Item:
    lead, departments = read_departments(entry)
    optional = {  # absent: the default of Item
        "fee": entry.decimal, "commitment_text": lambda key: entry.text(key, blank=True),
        "post_check_ratio": entry.decimal, "deferral_days": entry.whole, "deferral_grace_days": entry.whole,
        "post_check_window_days": entry.whole, "credit_bar_days": entry.whole,
        "legal_basis": lambda key: entry.text(key, blank=True),
        "legal_basis_en": lambda key: entry.text(key, blank=True),
    }
    item = Item(
        code=entry.text("code"), name=entry.text("name"), name_en=entry.text("name_en"),
        category=entry.choice("category", ServiceCategory), approval_mode=entry.choice("approval_mode", ApprovalMode),
        lead=lead, departments=departments, summary=entry.text("summary"), summary_en=entry.text("summary_en"),
        conditions=entry.lines("conditions"), conditions_en=entry.lines("conditions_en"),
        commitment_text_en=english_commitment(entry),
        statutory_days=entry.whole("statutory_days"), promised_days=entry.whole("promised_days"), materials=(),
        **{key: read(key) for key, read in optional.items() if key in entry.data},
    )
    service = checked_service(entry, item.code, _service_fields(item, label))
    return with_children(entry, replace(item, form=read_form(entry, service)), service, departments)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The demonstration items of `path` (by default demo_data/catalogue.json), checked; raises DemoDataError."""
    path = path or CATALOGUE_FILE
    top = top_level(path)
    label = (top.text("label"), top.text("label_en"))
    items: list[Item] = []
    for entry in top.entries("items"):
        item = _read_item(entry, label)
        if item.code in {known.code for known in items}:
            raise entry.error(f"the item code {item.code} is given twice")
        items.append(item)
    top.finish()
    return Catalogue(label[0], label[1], tuple(items))


# --- seeding ----------------------------------------------------------------------------------


def _template_content(item: Item, material: Material, label: str) -> bytes:
    text = (
        f"{item.name}\n{material.name}（示例模板）\n\n"
        f"{label}\n\n"
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


def existing_departments(codes: set[str]) -> dict[str, Department]:
    found = Department.objects.in_bulk(list(codes), field_name="code")
    missing = sorted(codes - set(found))
    if missing:
        raise LookupError(
            f"Departments {', '.join(missing)} do not exist: run seed_demo (it creates them first)."
        )
    return found


def _create_children(service: ServiceItem, spec: Item, label: str, departments: dict[str, Department]) -> None:
    service.departments.add(*(departments[code] for code in spec.departments))
    for material in spec.materials:
        row = MaterialRequirement(
            service=service,
            code=material.code,
            name=material.name,
            name_en=material.name_en,
            required=material.required,
            essential=material.essential,
            deferrable=material.deferrable,
        )
        if material.template:
            content = ContentFile(_template_content(spec, material, label))
            row.template.save(f"{material.code}.txt", content, save=False)
        row.save()
    ReviewStep.objects.bulk_create(
        ReviewStep(
            service=service,
            order=order,
            name=step.name,
            name_en=step.name_en,
            department=departments[step.department],
            promised_days=step.promised_days,
        )
        for order, step in enumerate(spec.steps, start=1)
    )
    create_form(service, spec.form)


def seed_catalogue() -> list[ServiceItem]:
    """Create the demonstration service items that are missing; return all of them, in catalogue order."""
    catalogue = load_catalogue()
    codes = {code for spec in catalogue.items for code in (spec.lead, *spec.departments)}
    codes |= {step.department for spec in catalogue.items for step in spec.steps}
    items: list[ServiceItem] = []
    with transaction.atomic():
        departments = existing_departments(codes)
        for spec in catalogue.items:
            service, created = ServiceItem.objects.get_or_create(
                code=spec.code,
                defaults={"lead_department": departments[spec.lead],
                          **_service_fields(spec, (catalogue.label, catalogue.label_en))},
            )
            if created:
                _create_children(service, spec, catalogue.label, departments)
            items.append(service)
    return items
