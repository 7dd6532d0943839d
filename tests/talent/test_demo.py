"""The demo's ten measures (丰才十条) and demo talent: labelled, valid, idempotent, and matchable."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from enterprises.models import Enterprise
from portal.models import User
from services.catalogue.models import ApprovalMode
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from talent.demo import DEMO_ENTERPRISE_USCC, DEMO_ENTERPRISE_USCCS, DEMO_LABEL, DEMO_TALENT
from talent.eligibility import evaluate, validate_rules
from talent.models import BenefitKind, PolicyMatch, Talent, TalentPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_the_demo_period():
    """Ages, months in the district and the application windows are read on a day of the demo period."""
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0), tick=False):
        yield


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_debug_off=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (ServiceItem, TalentPolicy, MaterialRequirement, ReviewStep, Talent, Enterprise, User)
    }


def test_seed_demo_twice_creates_the_ten_measures_and_the_demo_talent_once():
    seed()
    first = counts()
    seed()
    assert counts() == first
    assert TalentPolicy.objects.count() == 10
    assert sorted(TalentPolicy.objects.values_list("service__code", flat=True)) == [
        f"FC-{n:02d}" for n in range(1, 11)]
    assert Talent.objects.filter(enterprise__uscc=DEMO_ENTERPRISE_USCC).count() == len(DEMO_TALENT)


def test_each_measure_is_labelled_as_demonstration_with_valid_rules_and_a_benefit():
    seed()
    for policy in TalentPolicy.objects.select_related("service"):
        service = policy.service
        assert DEMO_LABEL in service.description, service.code
        assert "演示" in service.description
        assert service.category == "talent" and service.name and service.name_en
        assert policy.rules and validate_rules(policy.rules) == policy.rules, service.code
        assert policy.benefit_description
        if policy.benefit_kind == BenefitKind.CASH:
            assert policy.amount > 0 and policy.annual_budget >= policy.amount * (policy.annual_quota or 1)
        service.full_clean()
        policy.full_clean()
        assert service.materials.filter(essential=True).exists(), service.code
        if service.approval_mode in (ApprovalMode.STANDARD, ApprovalMode.PARALLEL, ApprovalMode.DEFERRED):
            assert service.review_steps.exists(), service.code
        if service.approval_mode == ApprovalMode.DEFERRED:
            assert service.materials.filter(deferrable=True).exists(), service.code
        assert set(service.departments.values_list("code", flat=True)) >= {service.lead_department.code}
    modes = list(ServiceItem.objects.filter(code__startswith="FC-").values_list("approval_mode", flat=True))
    assert {ApprovalMode.PARALLEL, ApprovalMode.DEFERRED, ApprovalMode.COMMITMENT} <= set(modes)
    assert modes.count(ApprovalMode.STANDARD) > len(modes) / 2


def test_the_demo_talent_get_differing_verdicts_with_reasons():
    seed()
    talent = list(Talent.objects.select_related("enterprise").filter(enterprise__uscc=DEMO_ENTERPRISE_USCC))
    verdicts = [evaluate(policy, person) for policy in TalentPolicy.objects.select_related("service")
                for person in talent]
    assert any(verdict.eligible for verdict in verdicts)
    refused = [verdict for verdict in verdicts if not verdict.eligible]
    assert refused and all(verdict.reasons for verdict in refused)
    # Every measure finds at least one demo talent, and refuses at least one.
    for policy in TalentPolicy.objects.select_related("service"):
        outcomes = {bool(evaluate(policy, person)) for person in talent}
        assert outcomes == {True, False}, policy.code


def test_the_talent_office_official_manages_the_demo_enterprises_and_reviews_for_the_office():
    seed()
    official = User.objects.get(username="official_rcj")
    assert official.is_staff and not official.is_superuser
    assert Department.objects.get(code="RCJ").officials.filter(pk=official.pk).exists()
    assert set(Enterprise.objects.filter(uscc__in=DEMO_ENTERPRISE_USCCS).values_list("service_manager", flat=True)) \
        == {official.pk}
    assert official.has_perm("services.change_application") and official.has_perm("services.view_task")
    assert TalentPolicy.objects.filter(service__lead_department__code="RCJ").count() >= 8


def test_match_policies_after_seeding_records_matches_of_the_demo_enterprise():
    seed()
    out = StringIO()
    call_command("match_policies", stdout=out, stderr=StringIO())
    enterprise = Enterprise.objects.get(uscc=DEMO_ENTERPRISE_USCC)
    matches = PolicyMatch.objects.filter(enterprise=enterprise, lapsed_on__isnull=True)
    assert matches.exists()
    assert "new matches" in out.getvalue()
    for match in matches.select_related("policy__service", "talent__enterprise"):
        assert evaluate(match.policy, match.talent).eligible
    again = StringIO()
    call_command("match_policies", stdout=again, stderr=StringIO())
    assert "new matches: 0" in again.getvalue()
