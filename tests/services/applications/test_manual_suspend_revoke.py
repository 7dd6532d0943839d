"""An official of the lead department suspends (中止) and revokes (撤销) by hand, with the reason.

The state machine decides from where: a suspension from a conditional approval or a review, a
revocation from an approval or a suspension. The applicant is told the reason; a revoked talent
grant gives its quota back; nobody else may do it.
"""

from decimal import Decimal

import pytest
from django.contrib.messages import constants as levels
from django.urls import reverse

import services.applications.admin  # noqa: F401 - registers the admin classes
from enterprises.models import CreditRecord
from notifications.models import Notification
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application
from talent.applications import apply_for_policy, usage
from tests.helpers import act_url, approve_open_task, confirmed, messages_of, token_client

pytestmark = pytest.mark.django_db

SUSPEND_REASON = "现场核查发现经营场所与申报不符。"
REVOKE_REASON = "以欺骗手段取得许可，依法撤销。"


def pending_documents(world, draft) -> Application:
    """A deferred-mode application approved on condition: the lease is still to come."""
    application = draft("deferred", skip=("lease",))
    workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    approve_open_task(world["officials"]["zjw1"], application)
    application.refresh_from_db()
    assert application.state == "approved_pending_documents"
    return application


def approved(world, draft) -> Application:
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    approve_open_task(world["officials"]["zjw1"], application)
    approve_open_task(world["officials"]["xfj1"], application)
    application.refresh_from_db()
    assert application.state == "approved"
    return application


def snapshot(application: Application) -> tuple:
    # Sign-ins are in the trail too (portal.user events): only the application's own count here.
    return (Application.objects.values().get(pk=application.pk), AuditEvent.objects.exclude(target_type="portal.user").count(),
            Notification.objects.count(), CreditRecord.objects.count())


def told(clerk, reason: str) -> bool:
    return Notification.objects.filter(recipient=clerk, kind="application.changed", channel="inbox",
                                       body__contains=reason).exists()


# --- the API ------------------------------------------------------------------------------------


def test_the_lead_official_suspends_then_revokes_and_the_applicant_reads_why(world, draft):
    application = pending_documents(world, draft)
    official = token_client("zjw1")

    suspended = official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON},
                              format="json")

    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    application.refresh_from_db()
    assert application.suspended_on and application.revocation_due  # the grace period runs
    event = AuditEvent.objects.get(target_id=application.pk, action="application.suspended")
    assert (event.actor, event.from_state, event.reason) == (world["officials"]["zjw1"],
                                                             "approved_pending_documents", SUSPEND_REASON)
    assert told(world["clerk"], SUSPEND_REASON)

    revoked = official.post(f"/api/v1/intake/{application.pk}/revoke/", {"reason": REVOKE_REASON}, format="json")

    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    assert CreditRecord.objects.get(application=application).reason == REVOKE_REASON
    assert told(world["clerk"], REVOKE_REASON)
    timeline = token_client("clerk").get(f"/api/v1/applications/{application.pk}/events/").json()["results"]
    assert [(e["action"], e["reason"]) for e in timeline[-2:]] == [
        ("application.suspended", SUSPEND_REASON), ("application.revoked", REVOKE_REASON)]


def test_an_approval_is_revoked_but_not_suspended(world, draft):
    application = approved(world, draft)
    official = token_client("zjw1")
    before = snapshot(application)

    refused = official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON}, format="json")

    assert refused.status_code == 409 and refused.json()["state"] == "approved"
    assert snapshot(application) == before
    revoked = official.post(f"/api/v1/intake/{application.pk}/revoke/", {"reason": REVOKE_REASON}, format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_a_review_is_suspended_but_not_revoked(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    official = token_client("zjw1")
    before = snapshot(application)

    refused = official.post(f"/api/v1/intake/{application.pk}/revoke/", {"reason": REVOKE_REASON}, format="json")

    assert refused.status_code == 409 and refused.json()["code"] == "illegal_transition"
    assert snapshot(application) == before
    assert official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON},
                         format="json").json()["status"] == "suspended"


@pytest.mark.parametrize("action", ["suspend", "revoke"])
@pytest.mark.parametrize(("body", "why"), [({}, "missing"), ({"reason": ""}, "empty"), ({"reason": "   "}, "blank"),
                                           ({"reason": ["理由"]}, "not a text")])
def test_without_a_reason_nothing_is_suspended_or_revoked(world, draft, action, body, why):
    application = pending_documents(world, draft)
    if action == "revoke":
        workflow.suspend(application.pk, SUSPEND_REASON, actor=world["officials"]["zjw1"])
    before = snapshot(application)

    response = token_client("zjw1").post(f"/api/v1/intake/{application.pk}/{action}/", body, format="json")

    assert response.status_code == 400, why
    assert response.json()["field"] == "reason"
    assert snapshot(application) == before


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_the_clerk_and_other_departments_find_nothing(world, draft, action):
    application = approved(world, draft) if action == "revoke" else pending_documents(world, draft)
    before = snapshot(application)
    # xfj1 reviewed a step of the standard item, but 区住建委 leads it; scj1 has nothing to do with it.
    for username in ("clerk", "xfj1", "scj1"):
        response = token_client(username).post(f"/api/v1/intake/{application.pk}/{action}/",
                                               {"reason": REVOKE_REASON}, format="json")
        assert response.status_code == 404, username
    assert token_client("zjw1").post(f"/api/v1/intake/999999/{action}/", {"reason": REVOKE_REASON},
                                     format="json").status_code == 404
    assert snapshot(application) == before


def test_a_superuser_revokes_too(world, draft, superuser):
    application = approved(world, draft)
    response = token_client("root").post(f"/api/v1/intake/{application.pk}/revoke/", {"reason": REVOKE_REASON},
                                         format="json")
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_a_revoked_talent_grant_gives_its_quota_back(alice, alices_enterprise, make_talent, make_policy,
                                                     talent_department):
    official = talent_department["official"]
    policy = make_policy(annual_quota=1, annual_budget=Decimal("10000"))
    application = apply_for_policy(alice, make_talent(alices_enterprise), policy)
    workflow.submit(alice, application.pk)
    workflow.accept(official, application.pk)
    approve_open_task(official, application)
    assert usage(policy).quota_remaining(policy) == 0

    response = token_client("rcj1").post(f"/api/v1/intake/{application.pk}/revoke/", {"reason": REVOKE_REASON},
                                         format="json")

    assert response.status_code == 200, response.content
    used = usage(policy)
    assert (used.granted, used.quota_remaining(policy), used.budget_remaining(policy)) == (0, 1, Decimal("10000"))
    assert told(alice, REVOKE_REASON)


# --- the admin ------------------------------------------------------------------------------------






def test_the_decision_panel_offers_suspension_and_revocation_exactly_when_allowed(world, draft, as_official):
    application = pending_documents(world, draft)
    client = as_official("zjw1", language="en")
    change = reverse("admin:services_application_change", args=[application.pk])

    page = client.get(change).content.decode()
    assert act_url(application, "suspend") in page and act_url(application, "revoke") not in page

    empty = client.post(act_url(application, "suspend"), {"reason": " "}, follow=True)
    assert messages_of(empty, levels.ERROR) == ["Give the reason; the applicant will read it."]
    assert Application.objects.get(pk=application.pk).state == "approved_pending_documents"

    client.post(act_url(application, "suspend"), {"reason": SUSPEND_REASON})
    assert Application.objects.get(pk=application.pk).state == "suspended"
    page = client.get(change).content.decode()
    assert act_url(application, "suspend") not in page and act_url(application, "revoke") in page

    client.post(act_url(application, "revoke"), confirmed({"reason": REVOKE_REASON}))
    assert Application.objects.get(pk=application.pk).state == "revoked"
    assert told(world["clerk"], REVOKE_REASON)
    page = client.get(change).content.decode()
    assert act_url(application, "suspend") not in page and act_url(application, "revoke") not in page


def test_another_departments_official_cannot_revoke_in_the_admin(world, draft, as_official):
    application = approved(world, draft)
    # 区消防救援支队 reviewed a step, so it sees the application, but it does not lead the item.
    fire = as_official("xfj1", language="en")
    change = reverse("admin:services_application_change", args=[application.pk])
    assert act_url(application, "revoke") not in fire.get(change).content.decode()
    assert fire.post(act_url(application, "revoke"), confirmed({"reason": REVOKE_REASON})).status_code == 404
    assert as_official("scj1", language="en").post(act_url(application, "revoke"), confirmed({"reason": REVOKE_REASON})).status_code == 404
    assert Application.objects.get(pk=application.pk).state == "approved"


# --- lifting a suspension made by hand ------------------------------------------------------------

RESUME_REASON = "经复查，经营场所已整改到位。"


def test_a_review_suspended_by_hand_resumes_where_it_stopped(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    official = token_client("zjw1")
    official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON}, format="json")

    resumed = official.post(f"/api/v1/intake/{application.pk}/resume/", {"reason": RESUME_REASON}, format="json")

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["status"] == "accepted"
    application.refresh_from_db()
    assert application.suspended_on is None and application.revocation_due is None
    assert told(world["clerk"], RESUME_REASON)
    approve_open_task(world["officials"]["zjw1"], application)  # the review goes on
    application.refresh_from_db()
    assert application.state == "in_review"


def test_a_conditional_approval_resumes_as_conditional_while_the_material_is_not_yet_due(world, draft):
    application = pending_documents(world, draft)
    official = token_client("zjw1")
    official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON}, format="json")

    resumed = official.post(f"/api/v1/intake/{application.pk}/resume/", {"reason": RESUME_REASON}, format="json")

    assert resumed.json()["status"] == "approved_pending_documents"


def test_a_suspension_is_not_lifted_while_an_overdue_material_is_missing(world, draft):
    application = pending_documents(world, draft)
    application.deferred.update(due_date="2026-01-05")  # long past
    official = token_client("zjw1")
    official.post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON}, format="json")
    before = snapshot(application)

    refused = official.post(f"/api/v1/intake/{application.pk}/resume/", {"reason": RESUME_REASON}, format="json")

    assert refused.status_code == 409
    assert "容缺材料" in refused.json()["message"] or "deferred material" in refused.json()["message"]
    assert snapshot(application) == before


@pytest.mark.parametrize("who", ["clerk", "xfj1"])
def test_only_the_lead_department_lifts_a_suspension(world, draft, who):
    application = pending_documents(world, draft)
    token_client("zjw1").post(f"/api/v1/intake/{application.pk}/suspend/", {"reason": SUSPEND_REASON},
                              format="json")
    before = snapshot(application)
    response = token_client(who).post(f"/api/v1/intake/{application.pk}/resume/", {"reason": RESUME_REASON},
                                      format="json")
    assert response.status_code == 404
    assert snapshot(application) == before
