"""The notification rules that live in the domain, the same through the admin, the API and the pages.

`delivery.resend` owns its refusals (an inbox row, a deactivated endpoint, a row being sent);
`inbox.mark_read` owns "only your own message"; `selectors.delivery_log` is the one log.
"""

import pytest
from django.contrib.messages import constants
from django.test import Client
from rest_framework.test import APIClient

from notifications import delivery
from notifications.inbox import mark_read
from notifications.models import Notification, WebhookEndpoint
from notifications.outbox import notify, publish
from notifications.selectors import delivery_log
from notifications.webhooks import register_webhook
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

SECRET = "s3cret-s3cret-s3cret"
EVENT = "application.status_changed"
DEACTIVATED = "This endpoint is deactivated: it receives no more events."
SENDING = "This event is being sent right now; try again in a moment."


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_of(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def failed_event(alice, alices_enterprise, settings):
    """An event to alice's endpoint that failed for good, the endpoint since deactivated."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    [event] = publish(alices_enterprise, EVENT, {}, key="k1")
    Notification.objects.filter(pk=event.pk).update(status=Notification.Status.PERMANENT_FAILURE, queued_at=None)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    event.refresh_from_db()
    return event


# --- 5. resend owns its preconditions ------------------------------------------------------------


def test_the_admin_refuses_to_resend_to_a_deactivated_endpoint_and_queues_nothing(
    superuser, failed_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = logged_in(superuser).post("/admin/notifications/notification/", {
            "action": "resend", "_selected_action": [failed_event.pk]}, follow=True)
    assert response.status_code == 200
    [message] = messages_of(response, constants.WARNING)
    assert message.startswith("0 notification(s) queued") and message.endswith(DEACTIVATED)
    assert not queued
    failed_event.refresh_from_db()
    assert failed_event.status == Notification.Status.PERMANENT_FAILURE and failed_event.queued_at is None
    assert not AuditEvent.objects.filter(action="notification.resent").exists()


def test_the_api_and_the_page_refuse_with_the_same_words(alice, alices_enterprise, failed_event):
    endpoint = failed_event.endpoint
    answer = api_of(alice).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{failed_event.pk}/resend/")
    assert answer.status_code == 409 and answer.json()["message"] == DEACTIVATED

    page = logged_in(alice).post(
        f"/enterprises/{alices_enterprise.pk}/webhooks/deliveries/{failed_event.pk}/resend/", follow=True)
    assert messages_of(page, constants.ERROR) == [DEACTIVATED]

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    Notification.objects.filter(pk=failed_event.pk).update(status=Notification.Status.SENDING)
    answer = api_of(alice).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{failed_event.pk}/resend/")
    assert answer.status_code == 409 and answer.json()["message"] == SENDING
    page = logged_in(alice).post(
        f"/enterprises/{alices_enterprise.pk}/webhooks/deliveries/{failed_event.pk}/resend/", follow=True)
    assert messages_of(page, constants.ERROR) == [SENDING]


def test_resend_refuses_an_inbox_row_itself(alice, superuser):
    inbox = notify(alice, "application.changed", context={
        "reference": "FT-1", "service": "s", "state": "x", "reason": ""}, key="k")
    with pytest.raises(IllegalTransition) as refused:
        delivery.resend(superuser, inbox)
    assert refused.value.action == "resend"
    inbox.refresh_from_db()
    assert inbox.status == Notification.Status.DELIVERED


# --- 6. reading a message: one function, the owner's only --------------------------------------


def _message(user, key: str = "k") -> Notification:
    return notify(user, "application.changed", key=key, link="/applications/", context={
        "reference": "FT-2026-000001", "service": "事项", "state": "已受理", "reason": ""})


def test_mark_read_reads_the_owners_message_once_and_refuses_anyone_elses(alice, bob):
    message = _message(alice)
    first = mark_read(alice, message.pk).read_at
    assert first is not None
    assert mark_read(alice, str(message.pk)).read_at == first  # reading it again changes nothing

    for stranger, pk in ((bob, message.pk), (alice, "not-a-number"), (alice, message.pk + 1000)):
        with pytest.raises(Notification.DoesNotExist):
            mark_read(stranger, pk)


def test_another_persons_message_is_not_found_on_the_inbox_page_nor_by_the_api(alice, bob):
    message = _message(alice)
    assert logged_in(bob).post(f"/inbox/{message.pk}/read/").status_code == 404
    assert api_of(bob).post(f"/api/v1/notifications/{message.pk}/read/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None

    response = logged_in(alice).post(f"/inbox/{message.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/applications/"
    message.refresh_from_db()
    read_at = message.read_at
    assert read_at is not None
    answer = api_of(alice).post(f"/api/v1/notifications/{message.pk}/read/")
    assert answer.status_code == 200 and answer.json()["unread"] is False
    message.refresh_from_db()
    assert message.read_at == read_at


# --- 7. one delivery log -----------------------------------------------------------------------


def test_the_delivery_log_of_an_endpoint_is_what_the_api_lists_and_the_page_shows(
    alice, alices_enterprise, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    first = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/one", [EVENT], SECRET)
    second = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/two", [EVENT], SECRET)
    events = publish(alices_enterprise, EVENT, {}, key="k1") + publish(alices_enterprise, EVENT, {}, key="k2")
    to_first = sorted((e.pk for e in events if e.endpoint_id == first.pk), reverse=True)
    assert len(to_first) == 2

    assert [n.pk for n in delivery_log(first)] == to_first
    listed = api_of(alice).get(f"/api/v1/webhooks/{first.pk}/deliveries/").json()["results"]
    assert [row["id"] for row in listed] == to_first

    page = logged_in(alice).get(f"/enterprises/{alices_enterprise.pk}/webhooks/")
    both = WebhookEndpoint.objects.filter(pk__in=[first.pk, second.pk])
    assert [n.pk for n in page.context["log"]] == [n.pk for n in delivery_log(both)]
    assert len(page.context["log"]) == 4
