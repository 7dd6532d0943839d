"""The official's workbench, as an official works it: the queue of work to do, the decided list,
the decision panel at the top of the application's page, and the confirmation before a step that
cannot be undone."""

import pytest
from django.contrib.messages import constants as levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

import services.applications.admin  # noqa: F401 - registers the admin classes
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application, Task
from tests.helpers import act_url, at, confirmed

pytestmark = pytest.mark.django_db
WORK = "admin:services_application_work"


def submitted(world, draft, mode="standard", **kwargs):
    application = draft(mode)
    workflow.submit(world["clerk"], application.pk, **kwargs)
    application.refresh_from_db()
    return application


def change_url(application) -> str:
    return reverse("admin:services_application_change", args=[application.pk])


def state_of(application) -> str:
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


def events_of(application) -> int:
    return AuditEvent.objects.filter(target_type="services.application", target_id=application.pk).count()


def success_messages(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level == levels.SUCCESS]


def test_the_queue_lists_only_the_departments_open_work_soonest_due_first(world, draft, as_official):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 2):
        first = submitted(world, draft)  # acceptance due 2026-03-09
    with at(2026, 3, 4):
        second = submitted(world, draft, "parallel")
        workflow.accept(zjw, second.pk)  # the window's own review task is due later
        waiting = submitted(world, draft)
        workflow.accept(zjw, waiting.pk)  # its window step is open, its fire step waits
        decided = submitted(world, draft)
        workflow.refuse(zjw, decided.pk, "不属于本部门职权范围")
        under_correction = submitted(world, draft)
        workflow.request_correction(zjw, under_correction.pk, ["营业执照过期"])
    with at(2026, 3, 5), translation.override("en"):
        page = as_official("zjw1", language="en").get(reverse(WORK))
        assert page.status_code == 200
        rows = page.context["rows"]
        listed = [(row["application"].pk, row["task"].kind) for row in rows]
        # Open acceptance and review tasks only: not the refused one, not the one waiting for corrections.
        assert {pk for pk, _kind in listed} == {first.pk, second.pk, waiting.pk}
        assert listed[0] == (first.pk, "acceptance")
        dues = [row["task"].due_date for row in rows]
        assert dues == sorted(dues)
        assert all(row["task"].department.code == "ZJW" for row in rows)
        # 2026-03-05 → 2026-03-09: Friday and Monday.
        assert rows[0]["days_left"] == 2 and rows[0]["days_text"] == "2 working days left"
        content = page.content.decode()
        assert "2 working days left" in content and "sla-ok" in content
        assert page.context["next"]["application"].pk == first.pk
        assert change_url(first) in content and decided.reference not in content

        fire = as_official("xfj1", language="en").get(reverse(WORK))
        assert [row["application"].pk for row in fire.context["rows"]] == [second.pk]  # the fire step waits
        market = as_official("scj1", language="en").get(reverse(WORK))
        assert [row["application"].pk for row in market.context["rows"]] == [second.pk]


def test_a_late_task_is_red_with_the_working_days_it_is_late(world, draft, as_official):
    with at(2026, 3, 2):
        late = submitted(world, draft)
    with at(2026, 3, 11), translation.override("en"):  # acceptance was due 2026-03-09
        page = as_official("zjw1", language="en").get(reverse(WORK))
        row = page.context["rows"][0]
        assert row["application"].pk == late.pk and row["level"] == "red"
        assert row["days_left"] == -2 and row["days_text"] == "2 working days late"
        assert "sla-red" in page.content.decode()
        assert [r["application"].pk for r in as_official("zjw1").get(reverse(WORK), {"colour": "ok"}).context["rows"]] == []


def test_a_decided_application_leaves_the_queue_for_the_decided_list_without_an_on_time_badge(
        world, draft, as_official):
    zjw = world["officials"]["zjw1"]
    refused = submitted(world, draft)
    workflow.refuse(zjw, refused.pk, "不属于本部门职权范围")
    open_one = submitted(world, draft)
    client = as_official("zjw1", language="en")
    queue = client.get(reverse(WORK))
    assert [row["application"].pk for row in queue.context["rows"]] == [open_one.pk]

    decided = client.get(reverse("admin:services_application_changelist"), {"stage": "closed"})
    assert decided.status_code == 200
    assert [a.pk for a in decided.context["cl"].result_list] == [refused.pk]
    content = decided.content.decode()
    assert refused.reference in content and "sla-badge" not in content
    in_progress = client.get(reverse("admin:services_application_changelist"), {"stage": "open"})
    assert [a.pk for a in in_progress.context["cl"].result_list] == [open_one.pk]
    # Nor on the closed application's own page.
    assert "sla-ok" not in client.get(change_url(refused)).content.decode()
    # The admin's index leads to both, the work first.
    index = client.get(reverse("admin:index")).content.decode()
    assert index.index(reverse(WORK)) < index.index("stage=closed")


def test_the_panel_is_above_the_details_with_the_expected_primary_action(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1", language="en")

    def primary(page) -> list[str]:
        return [action.kind for group in page.context["panel"] for action in group.actions if action.primary]

    page = client.get(change_url(application))
    content = page.content.decode()
    assert content.index('id="decision-panel"') < content.index('id="application-details"')
    assert content.index('id="decision-panel"') < content.index('class="submit-row"') if 'class="submit-row"' in content \
        else True
    assert content.index('id="decision-panel"') < content.index("<fieldset")
    assert primary(page) == ["accept"]
    assert content.count("primary-button") == 1
    kinds = [action.kind for group in page.context["panel"] for action in group.actions]
    assert kinds == ["accept", "request_correction", "refuse"]
    # The reason field sits in the refusal's own form.
    refusal = content[content.index(f'action="{act_url(application, "refuse")}"'):]
    refusal = refusal[:refusal.index("</form>")]
    assert 'name="reason"' in refusal and "<label" in refusal and "required" in refusal

    client.post(act_url(application, "accept"), confirmed())
    page = client.get(change_url(application))
    assert primary(page) == ["decide:approve"]
    assert [a.kind for a in page.context["panel"][0].actions] == ["decide:approve", "decide:return", "decide:reject"]

    fire = as_official("xfj1", language="en").get(change_url(application))
    assert fire.context["panel"] == []  # the fire step waits for the window's
    assert "Nothing for you to decide" in fire.content.decode()


def test_an_irreversible_step_without_confirmation_changes_nothing_and_says_what_it_would_do(
        world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1", language="en")
    before = events_of(application)
    with translation.override("en"):
        page = client.post(act_url(application, "refuse"), {"reason": "不属于本部门职权范围"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "the applicant is told at once" in content and "不予受理决定书" in content
    assert "cannot be undone" in content
    assert "不属于本部门职权范围" in content  # the reason it would send, to read once more
    assert 'name="confirm" value="yes"' in content and 'name="reason" value="不属于本部门职权范围"' in content
    assert state_of(application) == "submitted" and events_of(application) == before

    done = client.post(act_url(application, "refuse"), confirmed({"reason": "不属于本部门职权范围"}), follow=True)
    assert state_of(application) == "not_accepted"
    event = AuditEvent.objects.filter(target_type="services.application", target_id=application.pk).last()
    assert event.action == "application.not_accepted" and event.actor == world["officials"]["zjw1"]
    assert event.reason == "不属于本部门职权范围"
    # Back to the queue, told what was done.
    assert done.redirect_chain[-1][0] == reverse(WORK)
    assert success_messages(done) == [
        f"{application.reference} not accepted: the applicant has been told and sent the decision not to accept "
        "(不予受理决定书)."]


def test_a_review_rejection_is_confirmed_then_decided_and_audited(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1", language="en")
    client.post(act_url(application, "accept"), confirmed())
    task = application.tasks.get(kind="review", order=1)
    data = {"task": task.pk, "decision": "reject", "comment": "消防通道不符合规范"}
    before = events_of(application)
    with translation.override("en"):
        page = client.post(act_url(application, "decide"), data)
    assert page.status_code == 200 and "不予行政许可决定书" in page.content.decode()
    assert Task.objects.get(pk=task.pk).status == "open" and events_of(application) == before

    later = submitted(world, draft)  # the next item of the queue
    done = client.post(act_url(application, "decide"), confirmed(data), follow=True)
    assert state_of(application) == "rejected"
    assert AuditEvent.objects.filter(target_type="services.application", target_id=application.pk,
                                     action="application.rejected").exists()
    assert done.context["next"]["application"].pk == later.pk
    assert application.reference in success_messages(done)[0]


def test_nothing_to_confirm_when_the_reason_is_missing_or_the_action_is_not_offered(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1", language="en")
    empty = client.post(act_url(application, "refuse"), {"reason": " "}, follow=True)
    assert [m.level for m in get_messages(empty.wsgi_request)] == [levels.ERROR]  # the workflow names the field
    assert state_of(application) == "submitted"
    not_offered = client.post(act_url(application, "complete"), follow=True)
    assert [m.level for m in get_messages(not_offered.wsgi_request)] == [levels.ERROR]


def test_officials_of_another_department_cannot_reach_the_panel_or_its_confirmation(world, draft, as_official):
    application = submitted(world, draft)
    market = as_official("scj1", language="en")
    assert market.get(change_url(application)).status_code == 302  # not found: back to the index
    for data in ({"reason": "x"}, confirmed({"reason": "x"})):
        assert market.post(act_url(application, "refuse"), data).status_code == 404
    assert state_of(application) == "submitted"
    assert application.reference not in market.get(reverse(WORK)).content.decode()


def test_the_workbench_pages_carry_no_inline_script_and_label_every_field(world, draft, as_official):
    application = submitted(world, draft)
    client = as_official("zjw1")
    for response in (client.get(reverse(WORK)), client.get(change_url(application)),
                     client.post(act_url(application, "refuse"), {"reason": "原因"})):
        content = response.content.decode()
        assert response.status_code == 200
        assert " onclick=" not in content and " onsubmit=" not in content
        for chunk in content.split("<script")[1:]:
            assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">")[0], chunk[:80]
    page = client.get(change_url(application)).content.decode()
    assert "services/workbench.js" in page
    for name in ("items", "reason"):
        field_id = f"id_{name}".replace("id_items", "id_request_correction_items").replace("id_reason", "id_refuse_reason")
        assert f'for="{field_id}"' in page and f'id="{field_id}"' in page


def test_the_acceptance_tasks_decision_is_confirmed_like_the_intakes(world, draft, as_official):
    application = submitted(world, draft)
    task = application.tasks.get(kind="acceptance")
    client = as_official("zjw1", language="en")
    data = {"task": task.pk, "decision": "reject", "comment": "不属于本部门职权范围"}
    with translation.override("en"):
        page = client.post(act_url(application, "decide"), data)
    assert page.status_code == 200 and "不予受理决定书" in page.content.decode()
    assert state_of(application) == "submitted"
    client.post(act_url(application, "decide"), confirmed(data))
    assert state_of(application) == "not_accepted"
