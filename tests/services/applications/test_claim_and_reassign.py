"""An official takes a review task (认领), hands it to a colleague (转办) or puts it back, by API and admin.

区住建委 has two officials, zjw1 and zjw2; 区消防救援支队 has xfj1. A task one of them holds is
decided by that one only; the others see who has it.
"""

import pytest
from django.contrib.messages import constants as levels
from django.urls import reverse

import services.applications.admin  # noqa: F401 - registers the admin classes
from notifications.models import Notification
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Task
from tests.conftest import licence_file
from tests.helpers import act_url, in_threads, messages_of, token_client

pytestmark = pytest.mark.django_db


def accepted(world, draft, mode: str = "standard"):
    """An application accepted by 区住建委, and its open task of that department."""
    application = draft(mode)
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    return application, Task.objects.get(application=application, department=world["departments"]["ZJW"], kind=Task.Kind.REVIEW)


def holder_of(task: Task):
    return Task.objects.values_list("claimed_by__username", flat=True).get(pk=task.pk)


def task_events(application, action: str):
    return AuditEvent.objects.filter(target_type="services.application", target_id=application.pk,
                                     action=f"application.task_{action}")


# --- the API ------------------------------------------------------------------------------------


def test_an_official_claims_a_task_and_the_colleagues_see_who_has_it(world, draft):
    application, task = accepted(world, draft)
    zjw1, zjw2 = token_client("zjw1"), token_client("zjw2")

    response = zjw1.post(f"/api/v1/tasks/{task.pk}/claim/")

    assert response.status_code == 200, response.content
    assert (response.json()["claimed_by"], response.json()["claimed_by_name"]) == ("zjw1", "zjw1")
    assert response.json()["claimed_at"]
    queue = {row["id"]: row for row in zjw2.get("/api/v1/tasks/").json()["results"]}
    assert queue[task.pk]["claimed_by"] == "zjw1"
    in_application = zjw2.get("/api/v1/intake/", {"reference": application.reference}).json()["results"][0]
    assert [t["claimed_by"] for t in in_application["tasks"] if t["id"] == task.pk] == ["zjw1"]
    event = task_events(application, "claimed").get()
    assert (event.actor.username, event.data["task"], event.data["holder"]) == ("zjw1", task.pk, "zjw1")


def test_a_task_a_colleague_holds_is_refused_naming_them_and_nothing_changes(world, draft):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)
    events = AuditEvent.objects.exclude(target_type="portal.user").count()

    refused = token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/claim/")

    assert refused.status_code == 409
    assert refused.json()["code"] == "illegal_transition" and "zjw1" in refused.json()["message"]
    assert holder_of(task) == "zjw1"
    assert AuditEvent.objects.exclude(target_type="portal.user").count() == events
    again = token_client("zjw1").post(f"/api/v1/tasks/{task.pk}/claim/")
    assert again.status_code == 409  # already the holder's: nothing to do twice


def test_only_the_holder_decides_a_claimed_task(world, draft):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)

    by_colleague = token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"},
                                             format="json")
    assert by_colleague.status_code == 409 and "zjw1" in by_colleague.json()["message"]
    assert Task.objects.get(pk=task.pk).status == "open"
    application.refresh_from_db()
    assert task not in workflow.allowed_actions(world["officials"]["zjw2"], application).tasks
    assert task in workflow.allowed_actions(world["officials"]["zjw1"], application).tasks

    by_holder = token_client("zjw1").post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"},
                                          format="json")
    assert by_holder.status_code == 200, by_holder.content
    assert Task.objects.get(pk=task.pk).decided_by == world["officials"]["zjw1"]


def test_the_holder_hands_the_task_to_a_colleague_who_is_told_and_decides_it(world, draft):
    application, task = accepted(world, draft)
    zjw1, zjw2 = world["officials"]["zjw1"], world["officials"]["zjw2"]
    workflow.claim_task(zjw1, task.pk)

    response = token_client("zjw1").post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": zjw2.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["claimed_by"] == "zjw2"
    event = task_events(application, "reassigned").get()
    assert (event.actor, event.data["holder"], event.data["previous_holder"]) == (zjw1, "zjw2", "zjw1")
    told = Notification.objects.filter(recipient=zjw2, channel="inbox", kind="task.opened",
                                       idempotency_key__contains=f":task:{task.pk}:held:")
    assert told.count() == 1 and application.reference in told.get().subject
    assert token_client("zjw1").post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"},
                                     format="json").status_code == 409
    assert token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"},
                                     format="json").status_code == 200


def test_any_official_of_the_department_may_hand_over_a_task_its_holder_left(world, draft):
    """The holder is away: a colleague takes the task over by handing it to himself."""
    application, task = accepted(world, draft)
    zjw2 = world["officials"]["zjw2"]
    workflow.claim_task(world["officials"]["zjw1"], task.pk)

    response = token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": zjw2.pk}, format="json")

    assert response.status_code == 200, response.content
    assert holder_of(task) == "zjw2"
    # Nobody is told of a task they took themselves.
    assert not Notification.objects.filter(recipient=zjw2, idempotency_key__contains=":held:").exists()


def test_the_holder_releases_the_task_back_to_the_department(world, draft):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)
    zjw1 = token_client("zjw1")

    released = zjw1.post(f"/api/v1/tasks/{task.pk}/release/")

    assert released.status_code == 200, released.content
    assert released.json()["claimed_by"] is None and released.json()["claimed_at"] is None
    assert task_events(application, "released").get().data["previous_holder"] == "zjw1"
    assert zjw1.post(f"/api/v1/tasks/{task.pk}/release/").status_code == 409  # nobody holds it now
    assert token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200


@pytest.mark.parametrize(("body", "why"), [
    ({}, "missing"),
    ({"to": "zjw2"}, "not an integer"),
    ({"to": None}, "null"),
])
def test_a_hand_over_without_a_colleagues_id_names_the_field_to(world, draft, body, why):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)
    events = AuditEvent.objects.exclude(target_type="portal.user").count()

    response = token_client("zjw1").post(f"/api/v1/tasks/{task.pk}/reassign/", body, format="json")

    assert response.status_code == 400, why
    assert response.json()["field"] == "to"
    assert holder_of(task) == "zjw1" and AuditEvent.objects.exclude(target_type="portal.user").count() == events


def test_a_task_is_handed_only_to_an_active_official_of_its_department(world, draft, make_user):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)
    retired = make_user("zjw3", is_staff=True, is_active=False)
    world["departments"]["ZJW"].officials.add(retired)
    events = AuditEvent.objects.exclude(target_type="portal.user").count()
    zjw1 = token_client("zjw1")

    for to in (world["officials"]["xfj1"].pk, world["clerk"].pk, retired.pk, 999999):
        response = zjw1.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": to}, format="json")
        assert response.status_code == 400, to
        assert response.json()["field"] == "to" and "区住建委" in response.json()["message"]
    to_holder = zjw1.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": world["officials"]["zjw1"].pk},
                          format="json")
    assert to_holder.status_code == 400 and to_holder.json()["field"] == "to"

    assert holder_of(task) == "zjw1" and AuditEvent.objects.exclude(target_type="portal.user").count() == events
    colleague = world["officials"]["zjw2"]
    assert zjw1.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": colleague.pk}, format="json").status_code == 200


def test_unknown_or_other_departments_tasks_are_not_found(world, draft):
    application, task = accepted(world, draft)
    fire = token_client("xfj1")  # the next step is his department's, this one is not
    for path, body in (("claim", None), ("release", None), ("reassign", {"to": world["officials"]["xfj1"].pk})):
        assert fire.post(f"/api/v1/tasks/{task.pk}/{path}/", body, format="json").status_code == 404
        assert token_client("zjw1").post(f"/api/v1/tasks/999999/{path}/", body, format="json").status_code == 404
        assert token_client("clerk").post(f"/api/v1/tasks/{task.pk}/{path}/", body, format="json").status_code == 404
    assert holder_of(task) is None


def test_only_an_open_task_is_claimed(world, draft):
    application, task = accepted(world, draft)
    waiting = Task.objects.get(application=application, department=world["departments"]["XFJ"])
    assert waiting.status == "waiting"
    assert token_client("xfj1").post(f"/api/v1/tasks/{waiting.pk}/claim/").status_code == 409

    workflow.decide(world["officials"]["zjw1"], task.pk, "approve")
    decided = token_client("zjw2").post(f"/api/v1/tasks/{task.pk}/claim/")
    assert decided.status_code == 409
    assert holder_of(task) is None
    assert token_client("xfj1").post(f"/api/v1/tasks/{waiting.pk}/claim/").status_code == 200  # open now


def test_the_queue_shows_what_is_mine_and_what_nobody_holds(world, draft):
    (_, mine), (_, free) = accepted(world, draft), accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], mine.pk)
    zjw1 = token_client("zjw1")

    def ids(**filters):
        return [row["id"] for row in zjw1.get("/api/v1/tasks/", filters).json()["results"]]

    assert ids(claimed_by="me") == [mine.pk]
    assert ids(claimed_by="nobody") == [free.pk]
    assert ids(claimed_by="zjw1") == [mine.pk]
    assert token_client("zjw2").get("/api/v1/tasks/", {"claimed_by": "me"}).json()["results"] == []


def test_a_returned_task_reopens_with_its_holder(world, draft):
    application, task = accepted(world, draft)
    zjw1 = world["officials"]["zjw1"]
    workflow.claim_task(zjw1, task.pk)
    workflow.decide(zjw1, task.pk, "return", "租赁合同缺少盖章页")
    workflow.attach_document(world["clerk"], application.pk, "lease", licence_file("lease.pdf"))
    workflow.resubmit(world["clerk"], application.pk)
    reopened = Task.objects.get(pk=task.pk)
    assert (reopened.status, reopened.claimed_by) == ("open", zjw1)


def test_a_superuser_hands_over_or_releases_a_held_task_rather_than_deciding_it(world, draft, superuser):
    application, task = accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw1"], task.pk)
    with pytest.raises(IllegalTransition):
        workflow.decide(superuser, task.pk, "approve")
    workflow.release_task(superuser, task.pk)
    assert holder_of(task) is None
    workflow.decide(superuser, task.pk, "approve")


# --- two officials at once, on real PostgreSQL transactions ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_officials_claiming_one_task_at_once_exactly_one_gets_it(world, draft, make_official):
    application, task = accepted(world, draft)
    window = world["departments"]["ZJW"]
    officials = [world["officials"]["zjw1"], world["officials"]["zjw2"],
                 *(make_official(f"zjw{index}", window) for index in range(3, 9))]

    results = in_threads(len(officials), lambda i: workflow.claim_task(officials[i], task.pk))

    won = [result for result in results if isinstance(result, Task)]
    refused = [result for result in results if isinstance(result, IllegalTransition)]
    assert len(won) == 1 and len(refused) == len(officials) - 1, results
    winner = won[0].claimed_by
    assert holder_of(task) == winner.username
    assert all(winner.username in str(error.message) for error in refused)
    assert task_events(application, "claimed").count() == 1


# --- the admin ------------------------------------------------------------------------------------






def test_the_queue_shows_the_holder_and_claims_the_selected_tasks(world, draft, as_official):
    (_, first), (_, second) = accepted(world, draft), accepted(world, draft)
    workflow.claim_task(world["officials"]["zjw2"], second.pk)
    client = as_official("zjw1", language="en")
    queue = reverse("admin:services_task_changelist")

    page = client.get(queue)
    assert page.status_code == 200
    assert "held by" in page.content.decode().lower() and "zjw2" in page.content.decode()

    response = client.post(queue, {"action": "claim_selected", "_selected_action": [first.pk, second.pk]},
                           follow=True)

    assert holder_of(first) == "zjw1" and holder_of(second) == "zjw2"
    errors = messages_of(response, levels.ERROR)
    assert len(errors) == 1 and "zjw2" in errors[0] and str(second.application) in errors[0]
    assert "1 task(s) claimed." in messages_of(response, levels.SUCCESS)
    mine = client.get(queue, {"held": "me"}).content.decode()
    assert str(first.application) in mine and str(second.application) not in mine

    client.post(queue, {"action": "release_selected", "_selected_action": [first.pk]})
    assert holder_of(first) is None


def test_the_decision_page_claims_hands_over_and_releases(world, draft, as_official):
    application, task = accepted(world, draft)
    zjw1, zjw2 = as_official("zjw1", language="en"), as_official("zjw2", language="en")
    change = reverse("admin:services_application_change", args=[application.pk])
    assert act_url(application, "claim") in zjw1.get(change).content.decode()

    zjw1.post(act_url(application, "claim"), {"task": task.pk})
    assert holder_of(task) == "zjw1"
    page = zjw2.get(change).content.decode()
    assert act_url(application, "claim") not in page  # held: no claim button for the colleague
    assert act_url(application, "reassign") in page and f'<option value="{world["officials"]["zjw1"].pk}"' not in page

    refused = zjw1.post(act_url(application, "reassign"), {"task": task.pk, "to": world["officials"]["xfj1"].pk},
                        follow=True)
    assert holder_of(task) == "zjw1"
    assert any("区住建委" in text for text in messages_of(refused, levels.ERROR))
    assert zjw1.post(act_url(application, "reassign"), {"task": task.pk, "to": "x"}).status_code == 302
    assert holder_of(task) == "zjw1"

    zjw1.post(act_url(application, "reassign"), {"task": task.pk, "to": world["officials"]["zjw2"].pk})
    assert holder_of(task) == "zjw2"
    zjw2.post(act_url(application, "release"), {"task": task.pk})
    assert holder_of(task) is None
    assert zjw1.post(act_url(application, "claim"), {"task": 999999}).status_code == 404
