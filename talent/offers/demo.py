"""Demonstration enterprise measures (`demo_data/enterprise_policies.json`) and the demo enterprises'
registered data they read; idempotent, by code. Called by `seed_demo` after the departments."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from enterprises.models import Enterprise
from services.models import Department, ServiceItem
from talent.offers.enterprise_rules import validate_rules
from talent.offers.models import EnterprisePolicy

DATA = Path(__file__).parent / "demo_data" / "enterprise_policies.json"
# The demo enterprises' data the district holds (the first one is a high-tech firm in software: QY-03 and
# QY-04 find it; the second a specialised one in finance: QY-01).
REGISTERED = {
    "91110106MA01FTAA16": {"employees": 86, "annual_revenue": Decimal("3200"), "tax_credit_rating": "A",
                           "tech_tier_since": datetime.date(2021, 11, 25)},
    "91110106MA01FTBB20": {"employees": 240, "annual_revenue": Decimal("18000"), "tax_credit_rating": "B",
                           "tech_tier_since": datetime.date(2023, 7, 1)},
}


def seed_enterprise_policies() -> list[EnterprisePolicy]:
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    lead = Department.objects.get(code=spec["lead"])
    policies = []
    for measure in spec["measures"]:
        service, _ = ServiceItem.objects.update_or_create(code=measure["code"], defaults={
            "name": measure["name"], "name_en": measure["name_en"], "category": "enterprise",
            "lead_department": lead, "approval_mode": "standard", "statutory_days": 20, "promised_days": 10})
        service.departments.add(lead)
        policy, _ = EnterprisePolicy.objects.update_or_create(service=service, defaults={
            "benefit_kind": "cash", "amount": Decimal(measure["amount"]),
            "benefit_description": measure["benefit"], "benefit_description_en": measure["benefit_en"],
            "annual_quota": measure.get("annual_quota"),
            "annual_budget": Decimal(measure["annual_budget"]) if measure.get("annual_budget") else None,
            "opens_on": datetime.date.fromisoformat(spec["opens_on"]),
            "closes_on": datetime.date.fromisoformat(spec["closes_on"]),
            "rules": validate_rules(measure["rules"]), "no_application": measure["no_application"],
            "review_required": measure["review_required"]})
        policies.append(policy)
    for uscc, values in REGISTERED.items():
        Enterprise.objects.filter(uscc=uscc).update(**values)
    return policies
