"""One queue: an official who works their queue finds each new submission there, as its acceptance.

A submission opens an `acceptance` task (受理) of the item's lead department, due on the
application's acceptance deadline. Deciding it in the contract's words is the acceptance itself:
`approve` accepts, `return` asks for the corrections the comment lists (one a line), `reject`
refuses to take it in (不予受理) for the reason the comment gives. Whichever route decides the
acceptance — the queue, `/intake/`, the admin, the timer, a withdrawal — closes the task with it.
"""

import datetime
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

import services.applications.admin  # noqa: F401 - registers the admin classes
from portal.core.audit import events_of
from services.applications import timers, workflow
from services.models import Application, CorrectionNotice, Task
from tests.helpers import ROOT, at, confirmed, token_client

pytestmark = pytest.mark.django_db


def submitted(world, draft, mode: str = "standard") -> Application:
    application = draft(mode)
    workflow.submit(world["clerk"], application.pk)
    application.refresh_from_db()
    return application


def acceptance_of(application: Application) -> Task:
    """The application's latest acceptance task."""
    return Task.objects.filter(application=application, kind=Task.Kind.ACCEPTANCE).latest("id")


def decide(client, task_id: int, decision: str, comment: str = ""):
    return client.post(f"/api/v1/tasks/{task_id}/decide/", {"decision": decision, "comment": comment}, format="json")


# --- the queue ------------------------------------------------------------------------------


def test_a_new_submission_is_in_the_lead_departments_queue_as_its_acceptance(world, draft, clerk_api):
    with at(2026, 3, 2):  # a Monday
        application = submitted(world, draft)

    window = token_client("zjw1")
    [task] = window.get("/api/v1/tasks/").json()["results"]
    assert (task["kind"], task["status"], task["reference"], task["department"]["code"]) == (
        "acceptance", "open", application.reference, "ZJW")
    assert task["due_date"] == application.acceptance_due.isoformat() == "2026-03-09"
    # Yellow four working days in, like a review step at 80% of its promise.
    assert Task.objects.get(pk=task["id"]).warning_on == datetime.date(2026, 3, 6)
    assert [t["id"] for t in window.get("/api/v1/tasks/", {"kind": "acceptance"}).json()["results"]] == [task["id"]]
    assert window.get("/api/v1/tasks/", {"kind": "review"}).json()["results"] == []
    assert token_client("zjw2").get("/api/v1/tasks/").json()["results"][0]["id"] == task["id"]

    # The fire department reviews a later step of the item, but acceptance is the lead's.
    for other in ("xfj1", "scj1"):
        assert token_client(other).get("/api/v1/tasks/", {"status": "any"}).json()["results"] == []
        assert decide(token_client(other), task["id"], "approve").status_code == 404
    assert clerk_api.get("/api/v1/tasks/").json()["results"] == []
    assert decide(clerk_api, task["id"], "approve").status_code == 404
    # The clerk's application lists its review steps: none before acceptance.
    assert clerk_api.get(f"/api/v1/applications/{application.pk}/").json()["tasks"] == []
    assert acceptance_of(application).status == Task.Status.OPEN


def test_approve_accepts_and_opens_the_review_tasks(world, draft):
    application = submitted(world, draft)
    window = token_client("zjw1")
    [task] = window.get("/api/v1/tasks/").json()["results"]

    decided = decide(window, task["id"], "approve", "材料齐全，予以受理")
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "accepted" and body["accepted_on"]
    assert [(t["kind"], t["name"], t["status"]) for t in body["tasks"]] == [
        ("review", "初审", "open"), ("review", "消防审查", "waiting")]

    acceptance = Task.objects.get(pk=task["id"])
    assert (acceptance.status, acceptance.decided_by, acceptance.comment) == (
        Task.Status.APPROVED, world["officials"]["zjw1"], "材料齐全，予以受理")
    assert acceptance.decided_at is not None
    assert [event.action for event in events_of(application)][-1] == "application.accepted"
    # The queue now holds the first review step.
    [step] = window.get("/api/v1/tasks/").json()["results"]
    assert (step["kind"], step["name"]) == ("review", "初审")

    again = decide(window, task["id"], "approve")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert Application.objects.get(pk=application.pk).state == "accepted"


def test_return_lists_the_corrections_one_a_line_and_the_resubmission_is_a_new_acceptance(world, draft):
    application = submitted(world, draft)
    window = token_client("zjw1")
    task = acceptance_of(application)

    empty = decide(window, task.pk, "return", "  \n ")
    assert empty.status_code == 400 and empty.json()["field"] == "comment"
    assert Application.objects.get(pk=application.pk).state == "submitted"

    returned = decide(window, task.pk, "return", "营业执照副本不清晰\n\n租赁合同缺少盖章页\n")
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "correction_requested"
    notice = CorrectionNotice.objects.get(application=application)
    assert notice.items == ["营业执照副本不清晰", "租赁合同缺少盖章页"]
    task.refresh_from_db()
    assert (task.status, task.decided_by, task.comment) == (
        Task.Status.RETURNED, world["officials"]["zjw1"], "营业执照副本不清晰\n租赁合同缺少盖章页")
    assert window.get("/api/v1/tasks/").json()["results"] == []
    assert decide(window, task.pk, "approve").status_code == 409

    workflow.resubmit(world["clerk"], application.pk)
    application.refresh_from_db()
    [again] = window.get("/api/v1/tasks/").json()["results"]
    assert again["kind"] == "acceptance" and again["id"] != task.pk
    assert again["due_date"] == application.acceptance_due.isoformat()
    assert Task.objects.get(pk=task.pk).status == Task.Status.RETURNED


def test_reject_refuses_to_take_it_in_with_the_reason(world, draft):
    application = submitted(world, draft)
    window = token_client("zjw1")
    task = acceptance_of(application)

    empty = decide(window, task.pk, "reject")
    assert empty.status_code == 400 and empty.json()["field"] == "comment"

    refused = decide(window, task.pk, "reject", "本事项不属于本部门职权范围。")
    assert refused.status_code == 200 and refused.json()["status"] == "not_accepted"
    last = list(events_of(application))[-1]
    assert (last.action, last.reason) == ("application.not_accepted", "本事项不属于本部门职权范围。")
    task.refresh_from_db()
    assert (task.status, task.comment) == (Task.Status.REJECTED, "本事项不属于本部门职权范围。")
    assert decide(window, task.pk, "reject", "再次").status_code == 409


# --- every other route of the acceptance closes the task ------------------------------------


def test_the_intake_accept_closes_the_acceptance_task(world, draft):
    application = submitted(world, draft)
    window = token_client("zjw1")
    task = acceptance_of(application)

    assert window.post(f"/api/v1/intake/{application.pk}/accept/").status_code == 200
    task.refresh_from_db()
    assert (task.status, task.decided_by) == (Task.Status.APPROVED, world["officials"]["zjw1"])
    assert task.decided_at is not None
    assert [t["kind"] for t in window.get("/api/v1/tasks/").json()["results"]] == ["review"]
    assert decide(window, task.pk, "approve").status_code == 409


def test_the_intake_refusal_and_correction_and_a_withdrawal_close_it_each_their_way(world, draft):
    window = token_client("zjw1")
    refused, corrected, withdrawn = (submitted(world, draft) for _ in range(3))
    window.post(f"/api/v1/intake/{refused.pk}/refuse/", {"reason": "不属于本部门职权范围"}, format="json")
    window.post(f"/api/v1/intake/{corrected.pk}/request-correction/", {"items": ["申请表缺少盖章", "租赁合同过期"]},
                format="json")
    workflow.withdraw(world["clerk"], withdrawn.pk, "重复提交")

    assert [(acceptance_of(a).status, acceptance_of(a).comment) for a in (refused, corrected, withdrawn)] == [
        (Task.Status.REJECTED, "不属于本部门职权范围"),
        (Task.Status.RETURNED, "申请表缺少盖章\n租赁合同过期"),
        (Task.Status.CANCELLED, "重复提交"),
    ]
    assert acceptance_of(withdrawn).decided_by == world["clerk"] and acceptance_of(withdrawn).decided_at
    assert window.get("/api/v1/tasks/").json()["results"] == []


def test_the_timers_colour_it_and_accept_automatically_past_the_deadline(world, draft):
    with at(2026, 2, 13):
        application = submitted(world, draft)
    assert application.acceptance_due == datetime.date(2026, 2, 27)
    task = acceptance_of(application)
    with at(2026, 2, 26):
        timers.ALL_TIMERS["sla_levels"]()
    task.refresh_from_db()
    assert task.sla_level == "yellow"

    with at(2026, 3, 2):
        assert timers.auto_accept_overdue() == 1
    task.refresh_from_db()
    accepted = list(events_of(application))[-1]
    assert accepted.action == "application.accepted" and accepted.actor is None
    assert (task.status, task.decided_by) == (Task.Status.APPROVED, None)
    assert task.decided_at is not None and task.comment == accepted.reason != ""
    assert Application.objects.get(pk=application.pk).accepted_on == datetime.date(2026, 2, 13)


def test_recomputed_due_dates_move_the_acceptance_task_with_the_application(world, draft):
    with at(2026, 3, 2):
        application = submitted(world, draft)
    Task.objects.filter(application=application).update(due_date=datetime.date(2026, 12, 31), warning_on=None)
    workflow.recompute_due_dates(None, application.pk)
    task = acceptance_of(application)
    assert (task.due_date, task.warning_on) == (application.acceptance_due, datetime.date(2026, 3, 6))


# --- the admin's queue ----------------------------------------------------------------------


@pytest.fixture
def admin_client_of(world):
    permissions = Permission.objects.filter(content_type__app_label="services", codename__in=[
        "view_application", "change_application", "view_task"])
    official = world["officials"]["zjw1"]
    official.user_permissions.add(*permissions)
    client = Client()
    client.force_login(official)
    return client


def test_the_admin_queue_lists_the_acceptance_and_decides_it(world, draft, admin_client_of):
    first, second = submitted(world, draft), submitted(world, draft)
    queue = admin_client_of.get(reverse("admin:services_task_changelist"))
    assert queue.status_code == 200
    rows = list(queue.context["cl"].result_list)
    assert {(t.application_id, t.kind) for t in rows} == {(first.pk, "acceptance"), (second.pk, "acceptance")}
    acceptances = admin_client_of.get(reverse("admin:services_task_changelist"), {"kind__exact": "acceptance"})
    assert len(acceptances.context["cl"].result_list) == 2
    reviews = admin_client_of.get(reverse("admin:services_task_changelist"), {"kind__exact": "review"})
    assert list(reviews.context["cl"].result_list) == []

    # The application's page decides it: its accept, correction and refusal forms are the
    # acceptance's decisions, and no second form repeats them.
    page = admin_client_of.get(reverse("admin:services_application_change", args=[first.pk])).content.decode()
    assert reverse("admin:services_application_act", args=[first.pk, "accept"]) in page
    assert f'name="task" value="{acceptance_of(first).pk}"' not in page
    admin_client_of.post(reverse("admin:services_application_act", args=[first.pk, "accept"]), confirmed())
    assert acceptance_of(first).status == Task.Status.APPROVED

    # The queue's task decided through the admin's decision view, in the contract's words.
    act = reverse("admin:services_application_act", args=[second.pk, "decide"])
    admin_client_of.post(act, confirmed({"task": acceptance_of(second).pk, "decision": "return",
                               "comment": "申请表缺少盖章\n租赁合同过期"}))
    assert Application.objects.get(pk=second.pk).state == "correction_requested"
    assert CorrectionNotice.objects.get(application=second).items == ["申请表缺少盖章", "租赁合同过期"]
    assert acceptance_of(second).status == Task.Status.RETURNED

    queue = admin_client_of.get(reverse("admin:services_task_changelist"))
    assert [(t.application_id, t.kind) for t in queue.context["cl"].result_list] == [(first.pk, "review")]


# --- what counts review steps ignores the acceptance ----------------------------------------


def test_the_last_review_approval_decides_without_counting_the_acceptance(world, draft):
    application = submitted(world, draft, "parallel")
    window = token_client("zjw1")
    assert decide(window, acceptance_of(application).pk, "approve").status_code == 200
    for official in ("zjw1", "xfj1", "scj1"):
        client = token_client(official)
        [step] = client.get("/api/v1/tasks/", {"reference": application.reference}).json()["results"]
        assert step["kind"] == "review"
        assert decide(client, step["id"], "approve").status_code == 200
    assert Application.objects.get(pk=application.pk).state == "approved"


# --- the data migration ---------------------------------------------------------------------


def test_an_application_submitted_before_the_migration_gets_its_open_acceptance_task(world, draft):
    with at(2026, 3, 2):
        waiting = submitted(world, draft)
        accepted = submitted(world, draft)
        workflow.accept(world["officials"]["zjw1"], accepted.pk)
    # As the rows stood before acceptance tasks existed.
    Task.objects.filter(kind=Task.Kind.ACCEPTANCE).delete()

    [path] = (ROOT / "services" / "migrations").glob("*_task_kind.py")
    migration = importlib.import_module(f"services.migrations.{Path(path).stem}")
    migration.open_acceptance_tasks(apps, None)
    migration.open_acceptance_tasks(apps, None)  # run twice, it opens one

    [task] = Task.objects.filter(kind=Task.Kind.ACCEPTANCE)
    assert (task.application_id, task.status, task.department.code, task.due_date, task.warning_on) == (
        waiting.pk, Task.Status.OPEN, "ZJW", waiting.acceptance_due, datetime.date(2026, 3, 6))
    assert decide(token_client("zjw1"), task.pk, "approve").status_code == 200
