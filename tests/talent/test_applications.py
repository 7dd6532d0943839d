"""A clerk applies to a talent policy for one of the enterprise's talent; approval spends the quota."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from services.applications import workflow
from services.models import State, Task
from talent.applications import apply_for_policy, usage
from talent.models import TalentApplication, TalentPolicy
from tests.helpers import approve_open_task

pytestmark = pytest.mark.django_db


def _submitted_and_accepted(clerk, official, talent, policy):
    application = apply_for_policy(clerk, talent, policy)
    workflow.submit(clerk, application.pk)
    workflow.accept(official, application.pk)
    return application



def test_an_eligible_talent_is_applied_for_and_approved_and_the_grant_is_counted(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    policy = make_policy(rules={"max_age": 45, "tiers": ["B", "C"]}, annual_quota=5, annual_budget=Decimal("50000"))
    talent = make_talent(alices_enterprise, tier="C")
    application = _submitted_and_accepted(alice, talent_department["official"], talent, policy)
    approve_open_task(talent_department["official"], application)

    application.refresh_from_db()
    assert application.state == State.APPROVED
    claim = TalentApplication.objects.get(application=application)
    assert (claim.talent, claim.granted_amount) == (talent, Decimal("10000"))
    used = usage(policy)
    assert (used.granted, used.quota_remaining(policy), used.budget_remaining(policy)) == (1, 4, Decimal("40000"))


def test_an_ineligible_talent_cannot_be_applied_for_and_the_reasons_are_given(
    alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy(rules={"tiers": ["A"], "min_education": "doctorate"})
    talent = make_talent(alices_enterprise, tier="C", education="bachelor")
    with pytest.raises(ValidationError) as refused:
        apply_for_policy(alice, talent, policy)
    messages = refused.value.message_dict["talent"]
    assert len(messages) == 2
    assert not TalentApplication.objects.exists()


def test_a_second_live_application_for_the_same_talent_and_policy_is_refused(
    alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy()
    talent = make_talent(alices_enterprise)
    apply_for_policy(alice, talent, policy)
    with pytest.raises(ValidationError) as refused:
        apply_for_policy(alice, talent, policy)
    assert "talent" in refused.value.message_dict


def test_an_application_for_a_policy_must_name_a_talent_of_the_enterprise(
    alice, charlie, alices_enterprise, make_enterprise, make_talent, make_policy
):
    from tests.conftest import VALID_USCCS

    policy = make_policy()
    other = make_talent(make_enterprise(charlie, uscc=VALID_USCCS[2]))
    for form in ({}, {"talent": "abc"}, {"talent": other.pk}):
        with pytest.raises(ValidationError) as refused:
            workflow.create_application(alice, alices_enterprise, policy.service, form=form)
        assert "talent" in refused.value.message_dict


def test_a_talent_who_turned_46_before_approval_is_refused_with_the_reason(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(rules={"max_age": 45})
    talent = make_talent(alices_enterprise, birth=datetime.date(1980, 12, 10))
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), tick=False):
        application = _submitted_and_accepted(alice, official, talent, policy)
    with time_machine.travel(datetime.datetime(2026, 12, 11, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ValidationError) as refused:
            approve_open_task(official, application)
    assert "46" in " ".join(refused.value.message_dict["decision"])
    application.refresh_from_db()
    assert application.state == State.ACCEPTED  # still reviewable; the official can reject with the reason
    assert Task.objects.get(application=application, kind="review").status == Task.Status.OPEN


def test_submission_checks_eligibility_again(alice, alices_enterprise, make_talent, make_policy):
    policy = make_policy(rules={"tiers": ["C"]})
    talent = make_talent(alices_enterprise, tier="C")
    application = apply_for_policy(alice, talent, policy)
    talent.tier = "D"
    talent.save()
    with pytest.raises(ValidationError) as refused:
        workflow.submit(alice, application.pk)
    assert "talent" in refused.value.message_dict
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_when_the_quota_is_used_up_approval_is_refused_and_the_application_waits(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(annual_quota=1)
    first, second = make_talent(alices_enterprise, "甲"), make_talent(alices_enterprise, "乙")
    approve_open_task(official, _submitted_and_accepted(alice, official, first, policy))
    waiting = _submitted_and_accepted(alice, official, second, policy)
    with pytest.raises(ValidationError) as refused:
        approve_open_task(official, waiting)
    assert "quota" in " ".join(refused.value.message_dict["decision"]) or "名额" in " ".join(
        refused.value.message_dict["decision"])
    waiting.refresh_from_db()
    assert waiting.state == State.ACCEPTED

    TalentPolicy.objects.filter(pk=policy.pk).update(annual_quota=2)  # the quota is raised
    approve_open_task(official, waiting)
    waiting.refresh_from_db()
    assert waiting.state == State.APPROVED


def test_the_budget_is_never_overspent(alice, alices_enterprise, make_talent, make_policy, talent_department):
    official = talent_department["official"]
    policy = make_policy(amount=Decimal("30000"), annual_budget=Decimal("50000"))
    approve_open_task(official, _submitted_and_accepted(alice, official, make_talent(alices_enterprise, "甲"), policy))
    waiting = _submitted_and_accepted(alice, official, make_talent(alices_enterprise, "乙"), policy)
    with pytest.raises(ValidationError):
        approve_open_task(official, waiting)
    assert usage(policy).spent == Decimal("30000")


def test_a_commitment_mode_policy_spends_its_quota_at_submission(
    alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy(mode="commitment", annual_quota=1)
    first = apply_for_policy(alice, make_talent(alices_enterprise, "甲"), policy)
    workflow.submit(alice, first.pk, commitment_accepted=True)
    second = apply_for_policy(alice, make_talent(alices_enterprise, "乙"), policy)
    with pytest.raises(ValidationError):
        workflow.submit(alice, second.pk, commitment_accepted=True)
    second.refresh_from_db()
    assert (second.state, usage(policy).granted) == (State.DRAFT, 1)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_of_a_quota_of_ten_grant_exactly_ten(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(annual_quota=10, amount=Decimal("10000"), annual_budget=Decimal("100000"))
    tasks = []
    for n in range(50):
        application = _submitted_and_accepted(alice, official, make_talent(alices_enterprise, f"人才{n}"), policy)
        tasks.append(Task.objects.get(application=application, kind="review").pk)

    barrier = threading.Barrier(len(tasks))
    outcomes: list[str] = []

    def approve(task_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            workflow.decide(official, task_id, "approve")
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.message_dict["decision"]))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=approve, args=(task_id,)) for task_id in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes.count("approved") == 10
    refusals = [o for o in outcomes if o != "approved"]
    assert len(refusals) == 40 and all("10" in o for o in refusals)
    used = usage(policy)
    assert used.granted == 10 and used.budget_remaining(policy) == Decimal("0")
    assert TalentApplication.objects.filter(granted_year__isnull=False).count() == 10
    assert TalentApplication.objects.filter(application__state=State.APPROVED).count() == 10
    assert TalentApplication.objects.filter(application__state=State.ACCEPTED).count() == 40


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_apply_at_once_create_one_application(alice, alices_enterprise, make_talent, make_policy):
    policy = make_policy()
    talent = make_talent(alices_enterprise)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def apply() -> None:
        try:
            barrier.wait(timeout=30)
            apply_for_policy(alice, talent, policy)
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["created", "refused"]
    assert TalentApplication.objects.filter(talent=talent, policy=policy).count() == 1
