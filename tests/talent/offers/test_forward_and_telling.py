"""Forward eligibility (from when), and one message per enterprise counting policies and talent."""

import datetime

import pytest
from django.utils import translation

from notifications.models import Notification
from talent.eligibility import evaluate, first_day_when
from talent.matching import run_matching
from talent.models import PolicyMatch
from talent.offers import workflow
from talent.offers.enterprise_rules import evaluate as evaluate_enterprise
from talent.offers.models import Offer, PolicyMessageOptOut, TalentAccount
from tests.helpers import at

pytestmark = pytest.mark.django_db


def test_a_start_on_the_31st_reaches_a_month_on_the_first_of_the_next_and_the_matcher_tells_on_that_day(
    alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy(rules={"min_months_in_district": 1}, opens_on=datetime.date(2026, 1, 1))
    talent = make_talent(alices_enterprise, started_on=datetime.date(2026, 1, 31))
    with translation.override("en"):
        verdict = evaluate(policy, talent, on=datetime.date(2026, 2, 10))
    assert verdict.eligible_from == datetime.date(2026, 3, 1)
    assert "Eligible from 2026-03-01, when 1 months in the district are reached." in verdict.reasons
    with at(2026, 2, 28, 12):
        run_matching()
    assert not PolicyMatch.objects.exists()
    assert not Notification.objects.filter(kind="policy.matched").exists()
    with at(2026, 3, 1, 12):
        run_matching()
    assert PolicyMatch.objects.get().talent == talent
    assert Notification.objects.filter(recipient=alice, kind="policy.matched", channel="inbox").count() == 1


def test_a_birthday_on_a_leap_day_counts_from_the_first_of_march():
    assert first_day_when(datetime.date(2008, 2, 29), __import__("dateutil").relativedelta.relativedelta(years=18)) \
        == datetime.date(2026, 3, 1)


def test_a_leap_day_born_talent_is_eligible_from_the_first_of_march_and_matched_then(
    alices_enterprise, make_talent, make_policy
):
    policy = make_policy(rules={"min_age": 18})
    talent = make_talent(alices_enterprise, birth=datetime.date(2008, 2, 29))
    assert evaluate(policy, talent, on=datetime.date(2026, 1, 5)).eligible_from == datetime.date(2026, 3, 1)
    with at(2026, 2, 28, 12):
        assert run_matching().new_matches == 0
    with at(2026, 3, 1, 12):
        assert run_matching().new_matches == 1


def test_an_enterprise_founded_on_a_leap_day_and_one_on_the_credit_list_are_told_when(
    alices_enterprise, make_enterprise_policy
):
    alices_enterprise.founded_on = datetime.date(2024, 2, 29)
    alices_enterprise.credit_listed_until = datetime.date(2026, 8, 31)
    alices_enterprise.save()
    policy = make_enterprise_policy(rules={"min_years_since_founding": 3, "in_good_standing": True})
    with translation.override("en"):
        verdict = evaluate_enterprise(policy, alices_enterprise, on=datetime.date(2026, 6, 1))
    assert verdict.eligible_from == datetime.date(2027, 3, 1)
    assert verdict.reasons[-1] == ("Eligible from 2027-03-01, when 3 years since the founding are reached, "
                                   "and the credit listing ends.")


def test_one_message_per_enterprise_counts_policies_and_talent_not_pairs_and_honours_opt_outs(
    alice, bob, alices_enterprise, make_talent, make_policy, make_enterprise_policy
):
    first, second = make_policy("FC01"), make_policy("FC02")
    make_policy("FC03", rules={"tiers": ["A"]})
    make_enterprise_policy("QY-01")
    for index in range(4):
        make_talent(alices_enterprise, f"人才{index}")
    PolicyMessageOptOut.objects.create(user=bob, talent_policy=second)
    run_matching()
    [message] = Notification.objects.filter(recipient=alice, kind="policy.matched", channel="inbox")
    assert (message.context["count"], message.context["talent"]) == ("3", "4")  # 2 talent policies + 1, 4 people
    [bobs] = Notification.objects.filter(recipient=bob, kind="policy.matched", channel="inbox")
    assert bobs.context["count"] == "2" and str(second) not in bobs.body and str(first) in bobs.body


def test_the_service_manager_is_told_once_per_enterprise_and_run(
    alices_enterprise, make_enterprise_policy, talent_department
):
    manager = talent_department["official"]
    alices_enterprise.service_manager = manager
    alices_enterprise.save()
    make_enterprise_policy("QY-01")
    make_enterprise_policy("QY-02")
    run_matching()
    run_matching()
    [message] = Notification.objects.filter(recipient=manager, kind="manager.matched", channel="inbox")
    assert message.context["count"] == "2"


def test_the_talent_is_told_of_a_personal_benefit_when_their_consent_is_recorded(
    alice, alices_enterprise, make_talent, make_policy, make_user
):
    make_policy(no_application=True, personal=True)
    talent = make_talent(alices_enterprise)
    account = make_user("lisi")
    TalentAccount.objects.create(talent=talent, user=account)
    run_matching()
    assert not Notification.objects.filter(recipient=account).exists()
    workflow.confirm(alice, Offer.objects.get().pk, commitment_accepted=True, consent_recorded=True)
    assert Notification.objects.filter(recipient=account, kind="benefit.confirmed", channel="inbox").count() == 1
