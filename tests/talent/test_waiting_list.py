"""The waiting list of a talent policy, as the official and the companies live it.

A policy of one grant a year; three applications reach their final decision. The first is
granted, the two others wait at positions 1 and 2, and each enterprise sees only its own place.
When the grant is revoked the place comes back, and it goes to the first on the list: the second
cannot take it before the first is decided.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils.translation import override
from rest_framework.test import APIClient

import talent.applications
from notifications.models import Notification
from services.applications import workflow
from services.models import Application, ReviewStep, State, Task
from talent.applications import apply_for_policy, usage
from talent.selectors import waiting_application_ids, waiting_list
from tests.conftest import VALID_USCCS
from tests.helpers import approve_open_task, in_threads, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(talent_department):
    """The talent office's official, with the admin rights a reviewer has."""
    official = talent_department["official"]
    official.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="services", codename__in=["view_application", "change_application", "view_task"]))
    return official


@pytest.fixture
def charlies_enterprise(charlie, make_enterprise):
    """Another company, whose clerk must never see alice's applications."""
    return make_enterprise(charlie, uscc=VALID_USCCS[2])


def _filed(clerk, official, talent, policy) -> Application:
    """Submitted and accepted: with the policy's one review step, only the final decision is left."""
    application = apply_for_policy(clerk, talent, policy)
    workflow.submit(clerk, application.pk)
    workflow.accept(official, application.pk)
    return application


def _state(application: Application) -> str:
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


def _decide_refused(official, application: Application) -> str:
    """The reasons the final approval is refused, as an English-reading official reads them."""
    with override("en"), pytest.raises(ValidationError) as refused:
        approve_open_task(official, application)
    return " ".join(refused.value.message_dict["decision"])


def _positions(policy) -> list[tuple[str, int]]:
    return [(entry.reference, entry.position) for entry in waiting_list(policy).entries]


@pytest.fixture
def story(alice, charlie, alices_enterprise, charlies_enterprise, make_talent, make_policy, official):
    """Quota 1; 甲 (alice's), 乙 (charlie's), 丙 (alice's) received in that order; 甲 is granted."""
    policy = make_policy(annual_quota=1, annual_budget=Decimal("100000"))
    first = _filed(alice, official, make_talent(alices_enterprise, "甲"), policy)
    second = _filed(charlie, official, make_talent(charlies_enterprise, "乙"), policy)
    third = _filed(alice, official, make_talent(alices_enterprise, "丙"), policy)
    # All three wait for the one grant: the first received takes it, not the last one.
    assert _positions(policy) == [(first.reference, 1), (second.reference, 2), (third.reference, 3)]
    refusal = _decide_refused(official, third)
    assert f"{third.reference} is number 3 of 3 on the waiting list" in refusal
    assert f"decide {first.reference} (number 1) first" in refusal
    approve_open_task(official, first)
    assert _state(first) == State.APPROVED
    for application in (first, second, third):
        application.refresh_from_db()
    return {"policy": policy, "first": first, "second": second, "third": third}


def test_the_two_left_over_quota_wait_at_positions_one_and_two_and_each_company_sees_its_own(
    client, story, alice, charlie, official
):
    policy, first, second, third = story["policy"], story["first"], story["second"], story["third"]
    assert _positions(policy) == [(second.reference, 1), (third.reference, 2)]
    assert usage(policy).quota_remaining(policy) == 0

    refusal = _decide_refused(official, second)
    assert "quota of 1 grants is used up" in refusal and "number 1 of 2" in refusal
    assert _state(second) == State.ACCEPTED  # still in review, still on the list

    # The clerks' pages: each its own position, in the list's length.
    client.force_login(charlie)
    page = client.get(f"/applications/{second.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list position 1 of 2" in page and third.reference not in page
    client.force_login(alice)
    page = client.get(f"/applications/{third.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list position 2 of 2" in page and second.reference not in page
    page = client.get(f"/applications/{first.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list position" not in page  # granted: off the list

    # The API: the whole list's length, and the caller's own entries only.
    alices = token_client("alice").get(f"/api/v1/policies/{policy.code}/waiting-list/").json()
    assert (alices["count"], alices["grants_left"], alices["year"]) == (2, 0, usage(policy).year)
    assert [(e["reference"], e["position"], e["decidable"]) for e in alices["entries"]] == [
        (third.reference, 2, False)]
    charlies = token_client("charlie").get(f"/api/v1/policies/{policy.pk}/waiting-list/").json()
    assert [(e["reference"], e["position"]) for e in charlies["entries"]] == [(second.reference, 1)]
    officials = token_client("rcj1").get(f"/api/v1/policies/{policy.code}/waiting-list/").json()
    assert [(e["reference"], e["position"], e["talent"]) for e in officials["entries"]] == [
        (second.reference, 1, "乙"), (third.reference, 2, "丙")]

    # The official's review panel: the grants left and the list with positions.
    client.force_login(official)
    page = client.get(f"/admin/services/application/{third.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="waiting-list"' in html and "Position 2 of 2" in html
    [panel] = page.context["review_panels"]
    assert panel.context["grants_left"] == 0
    assert [(e.reference, e.position) for e in panel.context["waiting"]] == [
        (second.reference, 1), (third.reference, 2)]
    # … and the list of applications filters those waiting for quota.
    listed = client.get("/admin/services/application/?waiting_for_quota=yes", HTTP_ACCEPT_LANGUAGE="en")
    assert listed.status_code == 200
    assert {a.pk for a in listed.context["cl"].result_list} == {second.pk, third.pk}
    assert "waiting for quota" in listed.content.decode()


def test_a_revoked_grant_goes_to_the_first_on_the_list_and_the_second_cannot_jump_ahead(story, charlie, official):
    policy, first, second, third = story["policy"], story["first"], story["second"], story["third"]

    workflow.revoke(first.pk, "材料造假，撤销补贴。", actor=official)
    assert usage(policy).quota_remaining(policy) == 1
    line = waiting_list(policy)
    assert [(e.reference, e.position, e.decidable) for e in line.entries] == [
        (second.reference, 1, True), (third.reference, 2, False)]
    # The company now first in line hears it can be decided; the one behind does not.
    told = Notification.objects.filter(kind="application.changed", channel=Notification.Channel.INBOX,
                                       idempotency_key__contains=":place-back:")
    assert [(n.recipient, n.link) for n in told] == [(charlie, f"/applications/{second.pk}/")]

    refusal = _decide_refused(official, third)
    assert f"{third.reference} is number 2 of 2 on the waiting list" in refusal
    assert f"decide {second.reference} (number 1) first" in refusal
    assert _state(third) == State.ACCEPTED and Task.objects.get(application=third, kind=Task.Kind.REVIEW).status == Task.Status.OPEN

    approve_open_task(official, second)
    assert _state(second) == State.APPROVED
    assert usage(policy).quota_remaining(policy) == 0
    assert _positions(policy) == [(third.reference, 1)]
    assert "quota of 1 grants is used up" in _decide_refused(official, third)


def test_a_withdrawn_application_leaves_the_list_and_those_behind_move_up(client, story, charlie, alice):
    policy, second, third = story["policy"], story["second"], story["third"]

    workflow.withdraw(charlie, second.pk, "人才已离职。")

    assert _positions(policy) == [(third.reference, 1)]
    assert waiting_application_ids() == {third.pk}
    client.force_login(alice)
    page = client.get(f"/applications/{third.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list position 1 of 1" in page
    client.force_login(charlie)
    page = client.get(f"/applications/{second.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list position" not in page


def test_a_rejected_application_leaves_the_list(story, official):
    policy, second, third = story["policy"], story["second"], story["third"]
    workflow.decide(official, Task.objects.get(application=second, status=Task.Status.OPEN).pk, "reject", "不符合条件。")
    assert _positions(policy) == [(third.reference, 1)]


def test_the_places_a_budget_allows_go_in_order_only_beyond_those_places(
    alice, alices_enterprise, make_talent, make_policy, official
):
    """Two grants' worth of budget for three: the first two may be granted in any order, not the third."""
    policy = make_policy(amount=Decimal("10000"), annual_budget=Decimal("25000"))
    first, second, third = (_filed(alice, official, make_talent(alices_enterprise, name), policy)
                            for name in ("甲", "乙", "丙"))
    assert waiting_list(policy).places_left == 2

    refusal = _decide_refused(official, third)
    assert "number 3 of 3" in refusal and "25000" in refusal
    assert f"{first.reference} (number 1), {second.reference} (number 2)" in refusal
    approve_open_task(official, second)  # within the places left: no need to wait for the first
    approve_open_task(official, first)
    assert "budget has 5000" in _decide_refused(official, third)


def test_a_policy_with_grants_enough_for_everyone_has_no_waiting_list(
    client, alice, alices_enterprise, make_talent, make_policy, official
):
    policy = make_policy(annual_quota=5)
    application = _filed(alice, official, make_talent(alices_enterprise), policy)
    assert waiting_list(policy).entries == [] and waiting_application_ids() == set()
    client.force_login(alice)
    assert "Waiting list position" not in client.get(f"/applications/{application.pk}/").content.decode()
    assert token_client("alice").get(f"/api/v1/policies/{policy.code}/waiting-list/").json() == {
        "policy": policy.code, "year": usage(policy).year, "grants_left": 5, "count": 0, "entries": []}


def test_the_api_refuses_bad_input_naming_the_field_and_strangers(story, alice, charlie, charlies_enterprise):
    policy, second = story["policy"], story["second"]
    api = token_client("alice")

    response = api.get(f"/api/v1/policies/{policy.code}/waiting-list/", {"enterprise": "abc"})
    assert response.status_code == 400
    assert response.json()["field"] == "enterprise"
    assert api.get(f"/api/v1/policies/{policy.code}/waiting-list/", {"enterprise": "0"}).json()["field"] == "enterprise"
    # Another enterprise's id finds none of its entries, and the list's length is all it tells.
    others = api.get(f"/api/v1/policies/{policy.code}/waiting-list/", {"enterprise": charlies_enterprise.pk}).json()
    assert (others["count"], others["entries"]) == (2, [])
    assert second.reference not in str(api.get(f"/api/v1/policies/{policy.code}/waiting-list/").json())

    assert api.get("/api/v1/policies/NOPE/waiting-list/").status_code == 404
    assert APIClient().get(f"/api/v1/policies/{policy.code}/waiting-list/").status_code in (401, 403)


# --- concurrent approvals for the one place given back ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_final_approvals_racing_for_the_one_freed_place_give_it_to_exactly_one(
    alice, charlie, alices_enterprise, charlies_enterprise, make_talent, make_policy, make_official, departments,
    talent_department, official, monkeypatch,
):
    """Two departments review the policy side by side, so the two final approvals share no row but
    the policy's: only its lock keeps the one place from going to both."""
    talent_office, social_security = talent_department["department"], departments["RSJ"]
    checker = make_official("rsj1", social_security)
    policy = make_policy(mode="parallel", annual_quota=1)
    policy.service.departments.add(social_security)
    ReviewStep.objects.create(service=policy.service, order=1, name="人才认定", department=talent_office)
    ReviewStep.objects.create(service=policy.service, order=2, name="社保核验", department=social_security)

    def step(application: Application, department) -> int:
        return Task.objects.get(application=application, department=department, status=Task.Status.OPEN).pk

    first = _filed(alice, official, make_talent(alices_enterprise, "甲"), policy)
    second = _filed(charlie, official, make_talent(charlies_enterprise, "乙"), policy)
    third = _filed(alice, official, make_talent(alices_enterprise, "丙"), policy)
    workflow.decide(official, step(first, talent_office), "approve")
    workflow.decide(checker, step(first, social_security), "approve")
    workflow.decide(official, step(second, talent_office), "approve")  # left: social security's step
    workflow.decide(checker, step(third, social_security), "approve")  # left: the talent office's step
    assert _positions(policy) == [(second.reference, 1), (third.reference, 2)]
    workflow.revoke(first.pk, "材料造假，撤销补贴。", actor=official)
    finals = [(checker, step(second, social_security)), (official, step(third, talent_office))]

    # The approval of the later one reads what is left, then dawdles before it reads the line:
    # whatever the other commits meanwhile must not change what it decides.
    slow = threading.local()
    read_usage = talent.applications.usage

    def usage_read_slowly(*args, **kwargs):
        used = read_usage(*args, **kwargs)
        time.sleep(getattr(slow, "pause", 0))
        return used

    monkeypatch.setattr(talent.applications, "usage", usage_read_slowly)

    def approve(index: int) -> str:
        slow.pause = 0.5 if index == 1 else 0
        decider, task = finals[index]
        return workflow.decide(decider, task, "approve").state

    outcomes = in_threads(2, approve)

    assert outcomes[0] == State.APPROVED, outcomes
    assert isinstance(outcomes[1], ValidationError), outcomes
    assert _state(second) == State.APPROVED and _state(third) == State.IN_REVIEW
    assert usage(policy).granted == 1
