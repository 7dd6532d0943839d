"""With Redis unreachable the portal keeps working and loses nothing: the outbox waits for the sweeper."""

import datetime
import time
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.delivery import sweep
from notifications.models import DeliveryAttempt, Notification
from tests.conftest import licence_file
from tests.integration.support import point_celery_at, reachable_by_sms_at_any_hour

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
Channel = Notification.Channel
UNREACHABLE_BROKER = "redis://127.0.0.1:6399/0"
SUBMISSIONS = 20
QUICK = 2.0  # seconds a submission may take while the broker is down


def submit_a_new_application(api, enterprise) -> float:
    """Draft, upload and submit through the API as an integrating client does; returns the submit's time."""
    response = api.post("/api/v1/applications/", {"service": "STD", "enterprise": enterprise.pk}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for code in ("form", "lease"):
        response = api.post(f"/api/v1/applications/{pk}/documents/",
                            {"material": code, "file": licence_file(f"{code}.pdf")}, format="multipart")
        assert response.status_code == 201, response.content
    started = time.monotonic()
    response = api.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    took = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    return took


def test_twenty_submissions_during_a_broker_outage_are_all_delivered_once_it_is_back(live, world, api):
    """Each submission answers at once with the broker down; the sweeper sends everything later, once."""
    clerk = world["clerk"]
    reachable_by_sms_at_any_hour(clerk)
    api.force_authenticate(clerk)

    point_celery_at(UNREACHABLE_BROKER)
    for number in range(1, SUBMISSIONS + 1):
        took = submit_a_new_application(api, world["enterprise"])
        assert took < QUICK, f"submission {number} took {took:.1f} s while the broker was down"

    outgoing = Notification.objects.exclude(channel=Channel.INBOX)
    # Per submission: the clerk by e-mail and SMS, the two officials of the lead department by e-mail.
    assert Counter(outgoing.values_list("channel", flat=True)) == {"email": 3 * SUBMISSIONS, "sms": SUBMISSIONS}
    assert set(outgoing.values_list("status", flat=True)) == {Status.CREATED}
    assert Notification.objects.filter(channel=Channel.INBOX).count() == 3 * SUBMISSIONS
    assert live.emails() == [] and live.sms() == []

    point_celery_at(live.broker_url)
    settled = max(outgoing.values_list("created_at", flat=True)) + datetime.timedelta(
        seconds=settings.NOTIFICATION_SWEEP_AFTER)
    live.wait_until(lambda: timezone.now() > settled, what="NOTIFICATION_SWEEP_AFTER")
    assert sweep() == 4 * SUBMISSIONS
    assert sweep() == 0  # the next beat, while the backlog is being sent: nothing is queued twice
    live.wait_until(lambda: not outgoing.exclude(status=Status.SENT).exists(), what="all messages to be sent")
    live.wait_until(live.idle, what="the worker to finish")

    emails = sorted(outgoing.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    assert sorted(int(m["X-Notification-Id"]) for m in live.emails()) == emails
    texts = sorted(f"【先丰港】{subject}" for subject in outgoing.filter(channel=Channel.SMS).values_list("subject", flat=True))
    assert sorted(line["text"] for line in live.sms()) == texts and len(set(texts)) == SUBMISSIONS
    assert set(outgoing.values_list("attempts", flat=True)) == {1}
    assert DeliveryAttempt.objects.count() == 4 * SUBMISSIONS
