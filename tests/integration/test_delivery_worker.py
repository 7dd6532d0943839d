"""A real worker delivers what the workflow writes: each message on each channel exactly once,
even when the worker dies in the middle of a send."""

import json
import time
from collections import Counter

import pytest
from django.db import transaction

from notifications.delivery import sweep
from notifications.models import DeliveryAttempt, Notification
from notifications.outbox import notify
from notifications.webhooks import register_webhook, verify_signature
from portal.core.masking import mask_phone
from services.applications import workflow
from tests.integration.support import PHONE, VISIBILITY_TIMEOUT, reachable_by_sms_at_any_hour

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
Channel = Notification.Channel
SECRET = "shared-secret-of-the-integrating-system"


def test_a_submission_and_its_acceptance_reach_every_channel_exactly_once(live, world, draft, receiver, api):
    """The clerk's submission and the official's acceptance: inbox, e-mail, SMS and a signed webhook POST."""
    clerk = world["clerk"]
    reachable_by_sms_at_any_hour(clerk)
    system = receiver()
    register_webhook(clerk, world["enterprise"], system.url, ["application.status_changed"], SECRET)
    application = draft("standard")

    api.force_authenticate(clerk)
    response = api.post(f"/api/v1/applications/{application.pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    workflow.accept(world["officials"]["zjw1"], application.pk)

    outgoing = Notification.objects.exclude(channel=Channel.INBOX)
    live.wait_until(lambda: not outgoing.exclude(status__in=[Status.SENT, Status.DELIVERED]).exists(),
                    what="every message to be sent")
    live.wait_until(live.idle, what="the worker to finish")

    written = Counter(
        (n.recipient.username if n.recipient else "system", n.channel)
        for n in Notification.objects.select_related("recipient")
    )
    assert written == {
        ("clerk", "inbox"): 2, ("clerk", "email"): 2, ("clerk", "sms"): 2,  # submitted, accepted
        ("zjw1", "inbox"): 2, ("zjw1", "email"): 2,  # a new application, then its first review task
        ("zjw2", "inbox"): 2, ("zjw2", "email"): 2,
        ("system", "webhook"): 2,
    }

    emails = {n.pk: n for n in outgoing.filter(channel=Channel.EMAIL).select_related("recipient")}
    files = live.emails()
    assert sorted(int(m["X-Notification-Id"]) for m in files) == sorted(emails)  # each exactly once
    for message in files:
        notification = emails[int(message["X-Notification-Id"])]
        assert message["To"] == notification.recipient.email
        assert message["Subject"] == notification.subject

    texts = [f"【先丰港】{n.subject}" for n in outgoing.filter(channel=Channel.SMS).order_by("pk")]
    # The SMS file names the phone masked: it is personal data, encrypted at rest.
    assert sorted((line["phone"], line["text"]) for line in live.sms()) == sorted((mask_phone(PHONE), t) for t in texts)

    events = {f"evt_{n.pk}": n for n in outgoing.filter(channel=Channel.WEBHOOK)}
    assert sorted(post.headers["x-event-id"] for post in system.posts) == sorted(events)
    for post in system.posts:
        assert verify_signature(SECRET, post.headers["x-signature"], post.body)
        assert post.body == events[post.headers["x-event-id"]].body.encode()
    assert sorted(json.loads(post.body)["data"]["status"] for post in system.posts) == ["accepted", "submitted"]
    # Times read as the API gives them: the portal's time zone (China Standard Time).
    for post in system.posts:
        event = json.loads(post.body)
        assert event["created"].endswith("+08:00") and event["data"]["at"].endswith("+08:00")

    for notification in outgoing:
        assert [(a.number, a.outcome) for a in notification.delivery_attempts.all()] == [(1, notification.status)]


def test_a_worker_killed_in_the_middle_of_a_send_is_replaced_and_the_email_goes_out_once(live, alice):
    """SIGKILL while the mail server is slow: the broker gives the task to the next worker, which sends once."""
    live.restart(EMAIL_BACKEND="tests.integration.slow_backend.EmailBackend", SLOW_EMAIL_SECONDS="60")
    with transaction.atomic():
        notify(alice, "enterprise.invited", context={"inviter": "Bob", "enterprise": "先丰港测试企业", "role": "clerk"},
               key="membership:1")
    email = Notification.objects.get(recipient=alice, channel=Channel.EMAIL)

    def status() -> str:
        email.refresh_from_db()
        return email.status

    live.wait_until(lambda: status() == Status.SENDING, what="the worker to start sending")
    live.kill()
    killed_at = time.monotonic()
    assert status() == Status.SENDING and live.emails() == []

    # A worker starting after the visibility timeout takes the unacknowledged task back at once;
    # by then the send has been `sending` for longer than NOTIFICATION_STUCK_AFTER, so it may claim it.
    live.wait_until(lambda: time.monotonic() - killed_at > VISIBILITY_TIMEOUT, what="the visibility timeout")
    live.start()
    live.wait_until(lambda: status() == Status.SENT, what="the redelivered task to send it")
    live.wait_until(live.idle, what="the worker to finish")

    assert sweep() == 0
    assert [int(m["X-Notification-Id"]) for m in live.emails()] == [email.pk]
    assert email.attempts == 2
    # The lost try is in the delivery log too, so an admin sees why it took two.
    assert list(DeliveryAttempt.objects.filter(notification=email).values_list("number", "outcome")) == [
        (1, Status.TECHNICAL_FAILURE), (2, Status.SENT)
    ]
