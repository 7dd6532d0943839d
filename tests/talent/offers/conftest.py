"""Fixtures of the offers' tests: an enterprise measure and a finance official."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from services.models import Department, ServiceItem


def uscc(index: int) -> str:
    """A valid unified social credit code per index, for tests that need many enterprises."""
    from stdnum.cn import uscc as number

    body = f"91110106{index:09d}"
    return body + number.calc_check_digit(body)


@pytest.fixture
def make_enterprise_policy(talent_department):
    def make(code: str = "QY-01", rules: dict | None = None, **fields):
        from talent.offers.models import EnterprisePolicy

        department = talent_department["department"]
        service = ServiceItem.objects.create(
            code=code, name=f"企业政策{code}", name_en=f"Enterprise policy {code}", category="enterprise",
            lead_department=department, approval_mode="standard", statutory_days=20, promised_days=10,
        )
        service.departments.set([department])
        values = dict(benefit_kind="cash", amount=Decimal("300000"), no_application=True, rules=rules or {})
        values.update(fields)
        return EnterprisePolicy.objects.create(service=service, **values)

    return make


@pytest.fixture
def finance_official(make_official):
    department, _ = Department.objects.get_or_create(code="CZJ", defaults={"name": "区财政局"})
    official = make_official("czj1", department)
    official.user_permissions.add(Permission.objects.get(codename="record_payment"))
    return official
