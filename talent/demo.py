"""Demonstration content of the talent domain: the loader of `demo_data/policies.json` and `demo_data/talent.json`.

`policies.json` holds the ten measures (丰才十条), `talent.json` the demo talent of the first demo
enterprise and its service manager; both are read and checked by `load_policies()` and
`load_talent()` (through `services.catalogue.demo_files`, so a malformed file is refused naming
the file and the entry). `seed_talent_policies()` creates or updates each measure by its code
(its service item, the policy and the item's materials), so a second run changes nothing; review
steps and material templates are written only when the item has none. `seed_demo_talent()` adds
the demo talent (once) and makes the talent office's demo official the service manager of the
demo enterprises. Both expect what `seed_demo` creates first (departments, clerks, enterprises).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from stdnum.cn import ric

from enterprises.models import Enterprise
from portal.core import access
from services.catalogue.demo import (
    Material,
    Step,
    checked_service,
    english_commitment,
    existing_departments,
    read_departments,
    with_children,
)
from services.catalogue.demo_files import Entry, check_model, top_level
from services.catalogue.models import ApprovalMode, ServiceCategory
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from talent import identity, profiles
from talent.eligibility import validate_rules
from talent.models import BenefitKind, Education, Talent, TalentPolicy, Tier

DATA = Path(__file__).parent / "demo_data"
POLICIES_FILE = DATA / "policies.json"
TALENT_FILE = DATA / "talent.json"


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
    summary_en: str
    conditions: str
    conditions_en: str
    benefit_kind: str
    benefit_description: str
    benefit_description_en: str
    rules: dict[str, Any]
    materials: tuple[Material, ...]
    opens_on: datetime.date | None  # the file's window unless the measure gives its own
    closes_on: datetime.date | None
    steps: tuple[Step, ...] = ()
    amount: Decimal = Decimal("0")
    annual_budget: Decimal | None = None
    annual_quota: int | None = None
    statutory_days: int = 20
    promised_days: int = 10
    commitment_text: str = ""
    commitment_text_en: str = ""
    deferral_days: int = 10
    post_check_ratio: Decimal = Decimal("0.2")


@dataclass(frozen=True)
class Policies:
    label: str  # heads every measure's description: the content is not a real policy
    label_en: str
    measures: tuple[Measure, ...]


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


@dataclass(frozen=True)
class TalentDemo:
    employer: str  # the USCC of the demo enterprise that employs the demo talent
    clerk: str  # the username that adds them
    talent: tuple[DemoTalent, ...]
    service_manager: str  # an official's username
    office: str  # the department the service manager reviews for
    managed: tuple[str, ...]  # the USCCs of the enterprises he looks after


# --- reading the files ------------------------------------------------------------------------


def _service_fields(measure: Measure, label: tuple[str, str]) -> dict[str, Any]:
    """What seed_talent_policies writes on the measure's ServiceItem row (its lead department aside);
    `label` is the demo label in Chinese and English."""
    return {
        "name": measure.name, "name_en": measure.name_en, "category": ServiceCategory.TALENT,
        "description": f"{label[0]}\n{measure.summary}", "description_en": f"{label[1]}\n{measure.summary_en}",
        "conditions": measure.conditions, "conditions_en": measure.conditions_en,
        "commitment_text_en": measure.commitment_text_en,
        "approval_mode": measure.approval_mode, "statutory_days": measure.statutory_days,
        "promised_days": measure.promised_days, "deferral_days": measure.deferral_days,
        "commitment_text": measure.commitment_text, "post_check_ratio": measure.post_check_ratio,
    }


def _policy_fields(measure: Measure) -> dict[str, Any]:
    """What seed_talent_policies writes on the TalentPolicy row (the rules before validate_rules)."""
    return {
        "benefit_kind": measure.benefit_kind, "amount": measure.amount,
        "benefit_description": measure.benefit_description,
        "benefit_description_en": measure.benefit_description_en, "annual_budget": measure.annual_budget,
        "annual_quota": measure.annual_quota, "opens_on": measure.opens_on, "closes_on": measure.closes_on,
        "rules": dict(measure.rules),
    }


def _read_measure(entry: Entry, label: tuple[str, str], window: tuple[datetime.date | None, datetime.date | None]) -> Measure:
    lead, departments = read_departments(entry)
    rules = entry.value("rules")
    if not isinstance(rules, dict):
        raise entry.error("“rules” must be an object of rule names and values")
    optional = {  # absent: the default of Measure
        "amount": entry.decimal, "annual_budget": lambda key: entry.decimal(key, nullable=True),
        "annual_quota": lambda key: entry.whole(key, nullable=True), "statutory_days": entry.whole,
        "promised_days": entry.whole, "commitment_text": lambda key: entry.text(key, blank=True),
        "deferral_days": entry.whole, "post_check_ratio": entry.decimal,
    }
    measure = Measure(
        code=entry.text("code"), name=entry.text("name"), name_en=entry.text("name_en"),
        approval_mode=entry.choice("approval_mode", ApprovalMode), lead=lead, departments=departments,
        summary=entry.text("summary"), summary_en=entry.text("summary_en"),
        conditions=entry.lines("conditions"), conditions_en=entry.lines("conditions_en"),
        commitment_text_en=english_commitment(entry), benefit_kind=entry.choice("benefit_kind", BenefitKind),
        benefit_description=entry.text("benefit_description"),
        benefit_description_en=entry.text("benefit_description_en"), rules=rules, materials=(),
        opens_on=entry.date("opens_on", window[0], nullable=True),
        closes_on=entry.date("closes_on", window[1], nullable=True),
        **{key: read(key) for key, read in optional.items() if key in entry.data},
    )
    service = checked_service(entry, measure.code, _service_fields(measure, label))
    # The policy's unsaved row: its clean() runs validate_rules, which names the rule at fault.
    check_model(entry, TalentPolicy(service=service, **_policy_fields(measure)), exclude=["service"])
    return with_children(entry, measure, service, departments)


def load_policies(path: Path | None = None) -> Policies:
    """The measures of `path` (by default demo_data/policies.json), checked; raises DemoDataError."""
    path = path or POLICIES_FILE
    top = top_level(path)
    label = (top.text("label"), top.text("label_en"))
    window_entry = top.object("window")
    window = (window_entry.date("opens_on", nullable=True), window_entry.date("closes_on", nullable=True))
    window_entry.finish()
    measures: list[Measure] = []
    for entry in top.entries("measures"):
        measure = _read_measure(entry, label, window)
        if measure.code in {known.code for known in measures}:
            raise entry.error(f"the measure code {measure.code} is given twice")
        measures.append(measure)
    top.finish()
    return Policies(label[0], label[1], tuple(measures))


def _read_person(entry: Entry) -> DemoTalent:
    person = DemoTalent(
        name=entry.text("name"), region=entry.text("region"), birth=entry.date("birth"),
        sequence=entry.text("sequence"), education=entry.choice("education", Education),
        tier=entry.choice("tier", Tier), started_on=entry.date("started_on"), title=entry.text("title"),
        field=entry.text("field"), returnee=entry.flag("returnee", False),
    )
    entry.finish()
    if not (len(person.region) == 6 and person.region.isdigit() and len(person.sequence) == 3
            and person.sequence.isdigit()):
        raise entry.error("“region” must be 6 digits and “sequence” 3 digits")
    check_model(entry, Talent(
        name=person.name, id_number=person.id_number, education=person.education, tier=person.tier,
        started_on=person.started_on, title=person.title, field=person.field, returnee=person.returnee,
    ), exclude=["enterprise"])
    return person


def load_talent(path: Path | None = None) -> TalentDemo:
    """The demo talent and service manager of `path` (by default demo_data/talent.json), checked."""
    path = path or TALENT_FILE
    top = top_level(path)
    employer, manager = top.object("employer"), top.object("service_manager")
    people: list[DemoTalent] = []
    for entry in top.entries("talent", named_by="name"):
        person = _read_person(entry)
        if person.id_number in {known.id_number for known in people}:
            raise entry.error("the same person (ID number) is given twice")
        people.append(person)
    demo = TalentDemo(
        employer=employer.text("uscc"), clerk=employer.text("clerk"), talent=tuple(people),
        service_manager=manager.text("username"), office=manager.text("department"),
        managed=manager.codes("enterprises"),
    )
    for entry in (employer, manager, top):
        entry.finish()
    return demo


def department_codes(measures: tuple[Measure, ...] | None = None) -> set[str]:
    """The departments the measures need (seed_demo creates them; the benchmark too)."""
    measures = load_policies().measures if measures is None else measures
    codes = {code for measure in measures for code in (measure.lead, *measure.departments)}
    return codes | {step.department for measure in measures for step in measure.steps}


# Names tests read, taken from the files when first asked for rather than at import, so that a
# malformed file is reported by seed_demo as a command error and not by an import.
_FROM_FILES = {
    "DEMO_LABEL": lambda: load_policies().label,
    "DEMO_TALENT": lambda: load_talent().talent,
    "DEMO_ENTERPRISE_USCC": lambda: load_talent().employer,
    "DEMO_ENTERPRISE_USCCS": lambda: load_talent().managed,
}


def __getattr__(name: str) -> Any:
    if name in _FROM_FILES:
        return _FROM_FILES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- seeding ----------------------------------------------------------------------------------


def _template_content(measure: Measure, material: Material, label: str) -> bytes:
    text = (
        f"{measure.name}\n{material.name}（示例模板）\n\n"
        f"{label}\n\n"
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


def _service(measure: Measure, label: tuple[str, str], departments: dict[str, Department]) -> ServiceItem:
    service, _created = ServiceItem.objects.update_or_create(
        code=measure.code,
        defaults={"lead_department": departments[measure.lead], **_service_fields(measure, label)},
    )
    service.departments.set([departments[code] for code in measure.departments])
    for material in measure.materials:
        row, created = MaterialRequirement.objects.update_or_create(
            service=service, code=material.code,
            defaults={"name": material.name, "name_en": material.name_en, "required": material.required, "essential": material.essential,
                      "deferrable": material.deferrable},
        )
        if created and material.template:
            row.template.save(f"{material.code}.txt", ContentFile(_template_content(measure, material, label[0])))
    if not service.review_steps.exists():
        ReviewStep.objects.bulk_create(
            ReviewStep(service=service, order=order, name=step.name, name_en=step.name_en,
                       department=departments[step.department],
                       promised_days=step.promised_days)
            for order, step in enumerate(measure.steps, start=1)
        )
    return service


def seed_talent_policies() -> list[TalentPolicy]:
    """Create or update the ten demonstration measures; return their policies in code order."""
    data = load_policies()
    policies = []
    with transaction.atomic():
        departments = existing_departments(department_codes(data.measures))
        for measure in data.measures:
            service = _service(measure, (data.label, data.label_en), departments)
            policy, _created = TalentPolicy.objects.update_or_create(
                service=service, defaults={**_policy_fields(measure), "rules": validate_rules(measure.rules)},
            )
            policies.append(policy)
    return policies


def seed_demo_talent() -> list[Talent]:
    """Add the demo talent to the first demo enterprise (once) and assign the demo service manager."""
    demo = load_talent()
    User = get_user_model()
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(uscc=demo.employer).first()
        clerk = User.objects.filter(username=demo.clerk).first()
        if enterprise is None or clerk is None:
            raise LookupError(f"The demo enterprise {demo.employer} or its clerk {demo.clerk} does not "
                              "exist: run seed_demo (it creates them first).")
        talent = []
        for person in demo.talent:
            existing = identity.same_person(enterprise, person.id_number).first()
            talent.append(existing or profiles.add_talent(clerk, enterprise, {
                "name": person.name, "id_number": person.id_number, "education": person.education,
                "tier": person.tier, "returnee": person.returnee, "started_on": person.started_on,
                "title": person.title, "field": person.field,
            }))
        manager = access.officials().filter(username=demo.service_manager).first()
        if manager is not None:
            office = Department.objects.filter(code=demo.office).first()
            if office is not None:
                office.officials.add(manager)  # the manager reviews talent applications of the office
            Enterprise.objects.filter(uscc__in=demo.managed, service_manager__isnull=True).update(
                service_manager=manager)
    return talent
