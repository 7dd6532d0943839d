"""Eligibility rules: each kind passes and fails with its reason; one verdict lists every failure.

Each rule is judged twice in the portal: for one talent on its page, and for every talent at
once by the matching run. Both must agree, so every case here is checked both ways.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from talent.eligibility import eligible_talent, evaluate, rule_failures, validate_rules
from talent.models import Talent
from tests.conftest import VALID_USCCS

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 28)


def judged_both_ways(policy, talent) -> list[str]:
    """The reasons for one talent, after checking the set-based query agrees with them."""
    reasons = rule_failures(policy, talent, ON)
    selected = Talent.objects.filter(eligible_talent(policy, ON)).filter(pk=talent.pk).exists()
    assert selected == (not reasons), "the matching query and the verdict disagree"
    return reasons


CASES = [
    # rule, value, the talent's fields that pass, the fields that fail, words of the failing reason
    ("min_education", "master", {"education": "doctorate"}, {"education": "bachelor"}, ["Bachelor", "Master"]),
    ("min_education", "bachelor", {"education": "bachelor"}, {"education": "other"}, ["Other"]),
    ("tiers", ["A", "B"], {"tier": "B"}, {"tier": "C"}, ["C"]),
    ("max_age", 45, {"birth": datetime.date(1980, 11, 29)}, {"birth": datetime.date(1980, 11, 28)}, ["46", "45"]),
    ("min_age", 18, {"birth": datetime.date(2008, 11, 28)}, {"birth": datetime.date(2008, 11, 29)}, ["17", "18"]),
    ("min_months_in_district", 12, {"started_on": datetime.date(2025, 11, 28)},
     {"started_on": datetime.date(2025, 11, 29)}, ["11", "12"]),
    ("returnee", True, {"returnee": True}, {"returnee": False}, ["returnees"]),
]


@pytest.mark.parametrize("rule, value, passing, failing, words", CASES, ids=[f"{c[0]}={c[1]}" for c in CASES])
def test_each_talent_rule_passes_and_fails_with_its_reason(
    alices_enterprise, make_talent, make_policy, rule, value, passing, failing, words
):
    policy = make_policy(rules={rule: value})
    assert judged_both_ways(policy, make_talent(alices_enterprise, "过", **passing)) == []
    with translation.override("en"):
        reasons = judged_both_ways(policy, make_talent(alices_enterprise, "不过", **failing))
    assert len(reasons) == 1
    for word in words:
        assert word in reasons[0]


def test_the_employer_technology_tier_rule(alice, alices_enterprise, make_enterprise, make_talent, make_policy):
    policy = make_policy(rules={"employer_tech_tiers": ["high_tech", "specialised"]})
    high_tech = make_enterprise(alice, uscc=VALID_USCCS[1], tech_tier="high_tech")
    assert judged_both_ways(policy, make_talent(high_tech)) == []
    with translation.override("en"):
        reasons = judged_both_ways(policy, make_talent(alices_enterprise))
    assert "None" in reasons[0] and "High and new technology enterprise" in reasons[0]


def test_the_good_standing_rule_needs_a_verified_employer_off_the_credit_list(
    alice, alices_enterprise, make_enterprise, make_talent, make_policy
):
    policy = make_policy(rules={"employer_in_good_standing": True})
    talent = make_talent(alices_enterprise)
    assert judged_both_ways(policy, talent) == []

    alices_enterprise.credit_listed_until = ON
    alices_enterprise.save()
    talent.refresh_from_db()
    with translation.override("en"):
        assert "credit list" in judged_both_ways(policy, talent)[0]

    alices_enterprise.credit_listed_until = ON - datetime.timedelta(days=1)  # the listing has ended
    alices_enterprise.save()
    talent.refresh_from_db()
    assert judged_both_ways(policy, talent) == []

    pending = make_enterprise(alice, uscc=VALID_USCCS[1], status="pending")
    with translation.override("en"):
        assert "not verified" in judged_both_ways(policy, make_talent(pending))[0]


def test_a_verdict_lists_every_failing_rule_in_the_users_language(alices_enterprise, make_talent, make_policy):
    policy = make_policy(rules={"max_age": 45, "tiers": ["A", "B"], "min_education": "doctorate", "returnee": True})
    talent = make_talent(alices_enterprise, birth=datetime.date(1980, 1, 1), tier="C", education="master")
    with translation.override("en"):
        verdict = evaluate(policy, talent, ON)
    assert not verdict.eligible
    assert len(verdict.reasons) == 4
    assert "Age 46, above the limit of 45." in verdict.reasons
    with translation.override("zh-hans"):
        chinese = evaluate(policy, talent, ON)
    assert "年龄 46 岁，超过上限 45 岁。" in chinese.reasons


def test_a_policy_outside_its_window_or_closed_is_not_open_to_anyone(alices_enterprise, make_talent, make_policy):
    talent = make_talent(alices_enterprise)
    later = make_policy("LATER", opens_on=datetime.date(2027, 1, 1))
    assert not evaluate(later, talent, ON).eligible
    closed = make_policy("CLOSED")
    closed.service.is_active = False
    closed.service.save()
    assert not evaluate(closed, talent, ON).eligible
    assert evaluate(make_policy("OPEN"), talent, ON).eligible


def test_the_age_limit_agrees_on_leap_day_birthdays(alices_enterprise, make_talent, make_policy):
    policy = make_policy(rules={"max_age": 45})
    talent = make_talent(alices_enterprise, birth=datetime.date(1980, 2, 29))
    for day, eligible in [(datetime.date(2026, 2, 28), True), (datetime.date(2026, 3, 1), False)]:
        reasons = rule_failures(policy, talent, day)
        selected = Talent.objects.filter(eligible_talent(policy, day), pk=talent.pk).exists()
        assert (not reasons, selected) == (eligible, eligible), day


@pytest.mark.parametrize("rules, named", [
    ({"max_agee": 45}, "max_agee"),
    ({"max_age": "45"}, "max_age"),
    ({"max_age": 4}, "max_age"),
    ({"max_age": True}, "max_age"),
    ({"tiers": []}, "tiers"),
    ({"tiers": ["A", "Z"]}, "tiers"),
    ({"min_education": "phd"}, "min_education"),
    ({"returnee": False}, "returnee"),
    ({"employer_tech_tiers": "high_tech"}, "employer_tech_tiers"),
    ({"min_months_in_district": -1}, "min_months_in_district"),
])
def test_a_malformed_rule_is_refused_with_a_message_naming_it(rules, named):
    with pytest.raises(ValidationError) as refused:
        validate_rules(rules)
    assert any(f"“{named}”" in message for message in refused.value.messages)


def test_rules_must_be_an_object():
    with pytest.raises(ValidationError):
        validate_rules(["max_age", 45])
    assert validate_rules({"tiers": ["B", "A", "A"]}) == {"tiers": ["A", "B"]}


def test_a_malformed_rule_is_refused_in_the_admin_and_nothing_changes(client, make_user, make_policy):
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    policy = make_policy(rules={"max_age": 45})
    url = f"/admin/talent/talentpolicy/{policy.pk}/change/"
    form = {
        "service": policy.service_id, "benefit_kind": "cash", "amount": "10000", "benefit_description": "",
        "annual_budget": "", "annual_quota": "", "opens_on": "", "closes_on": "",
        "rules": '{"max_age": 45, "tiers": ["A", "E"]}',
    }
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "“tiers”" in response.content.decode()
    policy.refresh_from_db()
    assert policy.rules == {"max_age": 45}

    response = client.post(url, {**form, "rules": '{"max_age": 40, "tiers": ["A"]}'})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.rules == {"max_age": 40, "tiers": ["A"]}
