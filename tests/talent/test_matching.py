"""免申即享: the nightly run finds the talent who qualify and tells their employers, once."""

import datetime
import json
import threading

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import Membership
from notifications.models import Notification
from talent.matching import matches_of, run_matching
from talent.models import PolicyMatch
from tests.conftest import VALID_USCCS
from tests.helpers import at

pytestmark = pytest.mark.django_db


def policy_messages(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="policy.matched", channel="inbox"))



def test_a_talent_who_gets_a_new_tier_is_matched_on_the_next_run_and_notified_once(
    alice, bob, alices_enterprise, make_talent, make_policy
):
    policy = make_policy(rules={"tiers": ["A", "B"]})
    talent = make_talent(alices_enterprise, tier="D")
    assert run_matching().new_matches == 0

    talent.tier = "B"
    talent.save()
    summary = run_matching()
    assert (summary.new_matches, summary.enterprises_notified) == (1, 1)
    assert [m.talent for m in matches_of(alices_enterprise)] == [talent]
    for member in (alice, bob):  # every clerk of the enterprise is told, once
        messages = policy_messages(member)
        assert len(messages) == 1
        assert str(policy) in messages[0].body and messages[0].link == f"/enterprises/{alices_enterprise.pk}/package/"

    again = run_matching()
    assert (again.new_matches, again.enterprises_notified) == (0, 0)
    assert len(policy_messages(alice)) == 1


def test_an_integrating_system_subscribed_to_matches_gets_one_event_per_enterprise_and_run(
    alice, alices_enterprise, make_user, make_enterprise, make_talent, make_policy
):
    from notifications.models import WebhookEndpoint

    make_policy("FC01")
    make_policy("FC02", rules={"tiers": ["A"]})
    make_talent(alices_enterprise, tier="A")
    make_talent(alices_enterprise, tier="B")
    hook = {"url": "https://erp.example.com/hooks", "secret": "a-secret-of-sixteen+", "created_by": alice}
    matches_hook = WebhookEndpoint.objects.create(enterprise=alices_enterprise, events=["policy.matched"], **hook)
    WebhookEndpoint.objects.create(enterprise=alices_enterprise, events=["application.status_changed"], **hook)
    other = make_enterprise(make_user("carol"), uscc=VALID_USCCS[1])
    make_talent(other, tier="A")  # matched too, but nobody of it listens

    assert run_matching().enterprises_notified == 2
    [event] = Notification.objects.filter(channel="webhook")
    assert event.endpoint == matches_hook and event.kind == "policy.matched"
    # count: the talent and policy pairs; talent: the people they benefit; the enterprise's own measures apart.
    assert json.loads(event.body)["data"] == {"enterprise": alices_enterprise.pk, "count": 3, "talent": 2,
                                              "policies": ["FC01", "FC02"], "enterprise_policies": []}

    run_matching()
    assert Notification.objects.filter(channel="webhook").count() == 1


def test_a_birthday_makes_a_talent_eligible_on_the_run_after_it(alice, alices_enterprise, make_talent, make_policy):
    make_policy(rules={"min_age": 18})
    talent = make_talent(alices_enterprise, birth=datetime.date(2008, 12, 3))
    with at(2026, 12, 2, 12):
        assert run_matching().new_matches == 0
    with at(2026, 12, 3, 12):
        assert run_matching().new_matches == 1
    assert PolicyMatch.objects.get().talent == talent
    assert len(policy_messages(alice)) == 1


def test_a_match_that_lapses_and_returns_is_not_notified_twice(alice, alices_enterprise, make_talent, make_policy):
    make_policy(rules={"tiers": ["B"]})
    talent = make_talent(alices_enterprise, tier="B")
    run_matching()
    talent.tier = "C"
    talent.save()
    summary = run_matching()
    assert summary.lapsed == 1 and matches_of(alices_enterprise) == []
    talent.tier = "B"
    talent.save()
    summary = run_matching()
    assert (summary.revived, summary.new_matches) == (1, 0)
    assert len(matches_of(alices_enterprise)) == 1
    assert len(policy_messages(alice)) == 1


def test_closed_policies_are_not_matched(alices_enterprise, make_talent, make_policy):
    make_policy(closes_on=datetime.date(2020, 12, 31))
    make_talent(alices_enterprise)
    assert run_matching().policies == 0
    assert not PolicyMatch.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_number_of_talent(
    alice, make_user, make_enterprise, make_talent, make_policy
):
    make_policy("P1", rules={"tiers": ["C"]})
    make_policy("P2", rules={"max_age": 45, "employer_in_good_standing": True})

    def queries_of_a_run_with(count: int, uscc: str) -> int:
        enterprise = make_enterprise(make_user(f"owner{count}"), uscc=uscc)
        for n in range(count):
            make_talent(enterprise, f"人才{count}-{n}", tier="C")
        with CaptureQueriesContext(connection) as run:
            summary = run_matching()
        assert summary.new_matches == 2 * count
        return len(run.captured_queries)

    assert queries_of_a_run_with(3, VALID_USCCS[1]) == queries_of_a_run_with(40, VALID_USCCS[2])


def test_the_command_shows_a_summary(alices_enterprise, make_talent, make_policy, capsys):
    make_policy(rules={"tiers": ["C"]})
    make_talent(alices_enterprise, tier="C")
    call_command("match_policies")
    out = capsys.readouterr().out
    assert "policies: 1" in out and "new matches: 1" in out and "enterprises notified: 1" in out


def test_the_nightly_task_runs_the_matching(alices_enterprise, make_talent, make_policy):
    from talent.tasks import match_policies

    make_policy(rules={"tiers": ["C"]})
    make_talent(alices_enterprise, tier="C")
    assert match_policies.apply().get()["new_matches"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_notify_each_match_once(alice, alices_enterprise, make_talent, make_policy):
    Membership.objects.filter(enterprise=alices_enterprise).exclude(user=alice).delete()
    make_policy(rules={"tiers": ["C"]})
    for n in range(5):
        make_talent(alices_enterprise, f"人才{n}", tier="C")
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            run_matching()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert PolicyMatch.objects.count() == 5
    assert len(policy_messages(alice)) == 1
