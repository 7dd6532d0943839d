"""The officials' admin: buttons call the workflow, scoping by department, queue, post-checks, overdue board."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse

import services.applications.admin  # noqa: F401 - registers the admin classes
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application, PostCheck, Task
from tests.conftest import PDF
from tests.helpers import act_url, at, confirmed

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")









def change_url(application):
    return reverse("admin:services_application_change", args=[application.pk])


def submitted(world, draft, mode="standard", **kwargs):
    application = draft(mode)
    workflow.submit(world["clerk"], application.pk, **kwargs)
    application.refresh_from_db()
    return application


def error_messages(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level == message_levels.ERROR]


def state_of(application) -> str:
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


def test_accept_and_decide_through_the_admin_buttons(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1")
    page = client.get(change_url(application))
    assert page.status_code == 200
    assert act_url(application, "accept").encode() in page.content

    response = client.post(act_url(application, "accept"), confirmed())
    # The item is done: back to the queue, for the next one.
    assert response.status_code == 302 and response.url == reverse("admin:services_application_work")
    assert state_of(application) == "accepted"
    first, second = Task.objects.filter(application=application, kind="review").order_by("order")
    assert (first.status, second.status) == ("open", "waiting")

    client.post(act_url(application, "decide"), confirmed({"task": first.pk, "decision": "approve", "comment": "材料齐全"}))
    assert state_of(application) == "in_review"

    client = as_official("xfj1")  # the fire department sees the application through its task
    page = client.get(change_url(application))
    assert page.status_code == 200 and f'name="task" value="{second.pk}"'.encode() in page.content
    client.post(act_url(application, "decide"), confirmed({"task": second.pk, "decision": "approve", "comment": "符合"}))
    assert state_of(application) == "approved"

    page = client.get(change_url(application))
    content = page.content.decode()
    for action in ("application.submitted", "application.accepted", "application.step_approved", "application.approved"):
        assert action in content
    assert page.content.count(b'class="event"') == AuditEvent.objects.filter(
        target_type="services.application", target_id=application.pk).count()

    client = as_official("zjw1")
    client.post(act_url(application, "complete"), confirmed())
    assert state_of(application) == "completed"


def test_request_correction_lists_every_line_in_one_notice(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1")
    client.post(act_url(application, "request_correction"), confirmed({"items": "申请表缺少盖章\r\n\r\n租赁合同页码不全\n  营业执照过期  \n"}))
    application.refresh_from_db()
    assert application.state == "correction_requested"
    notice = application.corrections.get()
    assert notice.items == ["申请表缺少盖章", "租赁合同页码不全", "营业执照过期"]
    page = client.get(change_url(application))
    assert "营业执照过期" in page.content.decode()


def test_empty_correction_and_refusal_without_reason_are_form_errors(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1")
    events = AuditEvent.objects.count()
    response = client.post(act_url(application, "request_correction"), confirmed({"items": "\n  \n"}), follow=True)
    assert len(error_messages(response)) == 1
    response = client.post(act_url(application, "refuse"), confirmed({"reason": " "}), follow=True)
    assert len(error_messages(response)) == 1
    assert state_of(application) == "submitted" and AuditEvent.objects.count() == events

    client.post(act_url(application, "refuse"), confirmed({"reason": "不属于本部门职权范围"}))
    assert state_of(application) == "not_accepted"


def test_an_illegal_action_shows_an_error_and_changes_nothing(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1")
    client.post(act_url(application, "accept"), confirmed())
    events = AuditEvent.objects.count()
    tasks = Task.objects.count()
    response = client.post(act_url(application, "accept"), follow=True)
    assert response.status_code == 200
    assert len(error_messages(response)) == 1
    assert state_of(application) == "accepted"
    assert AuditEvent.objects.count() == events and Task.objects.count() == tasks

    response = client.post(act_url(application, "complete"), follow=True)
    assert len(error_messages(response)) == 1 and state_of(application) == "accepted"
    assert client.get(act_url(application, "accept")).status_code == 405
    assert client.post(act_url(application, "explode")).status_code == 404


def test_another_department_sees_nothing_and_cannot_act_even_by_crafted_urls(world, draft, as_official):
    application = submitted(world, draft)  # the window leads, the fire department reviews; market has no part
    document = application.documents.first()
    client = as_official("scj1")
    changelist = client.get(reverse("admin:services_application_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == []

    page = client.get(change_url(application))
    assert page.status_code == 302 and page.url == reverse("admin:index")
    download = reverse("admin:services_application_document", args=[application.pk, document.pk])
    assert client.get(download).status_code == 404
    events = AuditEvent.objects.count()
    for action, data in [
        ("accept", {}), ("request_correction", {"items": "x"}), ("refuse", {"reason": "x"}),
        ("decide", {"task": 1, "decision": "approve"}), ("extend", {"reason": "x"}),
        ("check_deferred", {"deferred": 1}), ("complete", {}),
    ]:
        assert client.post(act_url(application, action), data).status_code == 404, action
    assert state_of(application) == "submitted" and AuditEvent.objects.count() == events

    # The lead department downloads the material.
    lead = as_official("zjw1")
    response = lead.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF

    # The fire department sees the application by its task, but cannot decide the window's step.
    lead.post(act_url(application, "accept"), confirmed())
    first = application.tasks.get(order=1)
    fire = as_official("xfj1")
    assert fire.get(change_url(application)).status_code == 200
    response = fire.post(act_url(application, "decide"), confirmed({"task": first.pk, "decision": "approve"}))
    assert response.status_code == 404
    assert fire.post(act_url(application, "complete"), confirmed()).status_code == 404
    assert Task.objects.get(pk=first.pk).status == "open"
    # Nor a task of another application through this one's URL.
    other = submitted(world, draft)
    lead.post(act_url(other, "accept"), confirmed())
    crafted = fire.post(act_url(application, "decide"), confirmed({"task": other.tasks.get(order=1).pk, "decision": "approve"}))
    assert crafted.status_code == 404


def test_the_task_queue_shows_own_open_tasks_oldest_due_first(world, draft, as_official):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 10):
        later = submitted(world, draft, "parallel")
        workflow.accept(zjw, later.pk)
    with at(2026, 3, 2):
        earlier = submitted(world, draft, "parallel")
        workflow.accept(zjw, earlier.pk)
        standard = submitted(world, draft)
        workflow.accept(zjw, standard.pk)  # the fire step waits for the window's step
    closed = submitted(world, draft, "parallel")
    workflow.accept(zjw, closed.pk)
    workflow.decide(world["officials"]["scj1"], closed.tasks.get(department__code="SCJGJ").pk, "reject", "不符合")

    client = as_official("xfj1")
    response = client.get(reverse("admin:services_task_changelist"))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [t.application_id for t in rows] == [earlier.pk, later.pk]
    assert all(t.department.code == "XFJ" and t.status == "open" for t in rows)
    assert rows[0].due_date < rows[1].due_date
    assert change_url(earlier).encode() in response.content

    everything = client.get(reverse("admin:services_task_changelist"), {"status": "all"})
    assert {t.department.code for t in everything.context["cl"].result_list} == {"XFJ"}
    assert len(everything.context["cl"].result_list) == 4  # + waiting standard step + cancelled parallel task


def test_post_check_pass_and_fail_by_the_assignee(world, draft, as_official):
    passing = submitted(world, draft, "commitment", commitment_accepted=True)
    failing = submitted(world, draft, "commitment", commitment_accepted=True)
    checks = [workflow.sample_post_check(a.pk) for a in (passing, failing)]
    assert all(c.assignee == world["officials"]["scj1"] for c in checks)

    outsider = as_official("zjw1")
    assert outsider.get(reverse("admin:services_postcheck_change", args=[checks[0].pk])).status_code == 302
    record = [reverse("admin:services_postcheck_record", args=[c.pk]) for c in checks]
    assert outsider.post(record[0], {"result": "passed"}).status_code == 404

    client = as_official("scj1")
    listing = client.get(reverse("admin:services_postcheck_changelist"))
    assert {c.pk for c in listing.context["cl"].result_list} == {c.pk for c in checks}
    page = client.get(reverse("admin:services_postcheck_change", args=[checks[0].pk]))
    assert page.status_code == 200 and record[0].encode() in page.content

    client.post(record[0], {"result": "passed", "note": "现场核查属实"})
    assert state_of(passing) == "completed"
    assert PostCheck.objects.get(pk=checks[0].pk).result == "passed"

    response = client.post(record[1], {"result": "failed", "note": ""}, follow=True)
    assert len(error_messages(response)) == 1 and state_of(failing) == "approved"
    client.post(record[1], {"result": "failed", "note": "承诺内容与实际不符"})
    assert state_of(failing) == "revoked"
    failing.enterprise.refresh_from_db()
    assert failing.enterprise.credit_listed_until is not None

    response = client.post(record[0], {"result": "failed", "note": "再次"}, follow=True)
    assert len(error_messages(response)) == 1 and state_of(passing) == "completed"


def test_the_overdue_board_lists_an_application_past_its_acceptance_due(world, draft, as_official):
    with at(2026, 2, 13):
        late = submitted(world, draft)
        assert late.acceptance_due == datetime.date(2026, 2, 27)
    with at(2026, 3, 2):
        fresh = submitted(world, draft)
    with at(2026, 3, 5):
        client = as_official("zjw1")
        listing = client.get(reverse("admin:services_application_changelist"))
        assert reverse("admin:services_application_overdue").encode() in listing.content
        response = client.get(reverse("admin:services_application_overdue"))
        assert response.status_code == 200
        board = {b["department"].code: b["rows"] for b in response.context["boards"]}
        assert list(board) == ["ZJW"]
        assert [row["application"].pk for row in board["ZJW"]] == [late.pk]
        assert board["ZJW"][0]["days"] == 6 and board["ZJW"][0]["working_days"] == 5
        assert late.reference in response.content.decode()
        assert fresh.reference not in response.content.decode()

        other = as_official("scj1")
        response = other.get(reverse("admin:services_application_overdue"))
        assert [b["rows"] for b in response.context["boards"]] == [[]]


def test_the_list_marks_provisional_dates_and_sla_colours_and_filters(world, draft, as_official, admin_client):
    with at(2026, 3, 2):
        red = submitted(world, draft)
        workflow.accept(world["officials"]["zjw1"], red.pk)
        on_time = submitted(world, draft, "parallel")
        workflow.accept(world["officials"]["zjw1"], on_time.pk)
    Application.objects.filter(pk=red.pk).update(sla_level="red", dates_provisional=True)
    client = as_official("zjw1")
    url = reverse("admin:services_application_changelist")
    with at(2026, 3, 30):
        response = client.get(url)
        content = response.content.decode()
        assert 'class="provisional"' in content and "sla-red" in content and "sla-ok" in content
        assert [a.pk for a in response.context["cl"].result_list] == [red.pk, on_time.pk]  # oldest due first
        for query, expected in [
            ({"service__approval_mode__exact": "parallel"}, [on_time.pk]),
            ({"state__exact": "accepted"}, [red.pk, on_time.pk]),
            ({"sla_level__exact": "red"}, [red.pk]),
            ({"due": "overdue"}, [red.pk, on_time.pk]),
            ({"due": "later"}, []),
            ({"q": red.reference}, [red.pk]),
        ]:
            listed = client.get(url, query)
            assert listed.status_code == 200, query
            assert [a.pk for a in listed.context["cl"].result_list] == expected, query
        tasks = client.get(reverse("admin:services_task_changelist"), {"sla": "red", "due": "overdue"})
        assert {t.application_id for t in tasks.context["cl"].result_list} == {red.pk}
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(change_url(red)).status_code == 200
        assert admin_client.get(reverse("admin:services_application_overdue")).status_code == 200


def test_extend_and_check_a_supplied_deferred_material_through_the_admin(world, draft, as_official):
    from tests.conftest import licence_file

    application = draft("deferred", skip=("lease",))
    workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    client = as_official("zjw1")
    client.post(act_url(application, "accept"), confirmed())
    response = client.post(act_url(application, "extend"), confirmed({"reason": ""}), follow=True)
    assert len(error_messages(response)) == 1
    client.post(act_url(application, "extend"), confirmed({"reason": "需要现场勘验"}))
    assert Application.objects.get(pk=application.pk).extended
    response = client.post(act_url(application, "extend"), confirmed({"reason": "再次"}), follow=True)
    assert len(error_messages(response)) == 1

    task = application.tasks.get(kind="review")
    client.post(act_url(application, "decide"), confirmed({"task": task.pk, "decision": "approve"}))
    assert state_of(application) == "approved_pending_documents"
    page = client.get(change_url(application)).content.decode()
    assert "SM3" in page and application.commitment.digest in page
    deferred = application.deferred.get()
    response = client.post(act_url(application, "check_deferred"), confirmed({"deferred": deferred.pk}), follow=True)
    assert len(error_messages(response)) == 1  # not supplied yet
    workflow.supply_deferred(world["clerk"], application.pk, "lease", licence_file("lease.pdf"))
    assert act_url(application, "check_deferred") in client.get(change_url(application)).content.decode()
    client.post(act_url(application, "check_deferred"), confirmed({"deferred": deferred.pk}))
    assert state_of(application) == "approved"


def test_the_admin_classes_pass_the_system_checks():
    from django.contrib import admin

    for model in (Application, Task, PostCheck):
        assert admin.site._registry[model].check() == []
