"""Sending in batches: many e-mails per task over one mail connection, without losing or doubling one.

Tasks run in-process here (eager mode); the real worker and broker are in tests/integration.
"""

import datetime
import time

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.db import connections
from django.utils import timezone

from notifications.delivery import batches, deliver_batch, enqueue, sweep
from notifications.models import DeliveryAttempt, Notification
from notifications.outbox import notify_many
from tests.helpers import shanghai
from tests.notifications.test_rules import EveryPlaceholder

pytestmark = pytest.mark.django_db

Status = Notification.Status
Channel = Notification.Channel


class CountingMailServer(EmailBackend):
    """The in-memory mail backend, counting the connections opened to the 'server'."""

    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingMailServer.opened += 1


class SlowMailServer(EmailBackend):
    """A mail server that takes 0.2 s per message."""

    def send_messages(self, messages):
        time.sleep(0.2)
        return super().send_messages(messages)


@pytest.fixture
def people(make_user):
    def make(n: int, **fields):
        return [make_user(f"clerk{i}", **fields) for i in range(n)]

    return make


def write(people_to_tell) -> list[int]:
    notify_many("enterprise.invited", [(person, EveryPlaceholder(), "1", "") for person in people_to_tell])
    return list(Notification.objects.exclude(channel=Channel.INBOX).order_by("pk").values_list("pk", flat=True))


def test_e_mails_go_fifty_to_a_task_and_sms_twenty(people):
    clerks = people(120)
    emails = write(clerks)
    texts = Notification.objects.bulk_create(
        Notification(recipient=clerk, channel=Channel.SMS, kind="application.changed",
                     template_key="application.changed", language="zh-hans", subject="s", body="b",
                     idempotency_key=f"sms:{clerk.pk}")
        for clerk in clerks[:30]
    )

    sizes = [(channel, len(ids)) for channel, ids in batches(emails + [text.pk for text in texts])]

    assert sizes == [("email", 50), ("email", 50), ("email", 20), ("sms", 20), ("sms", 10)]


def test_a_batch_of_e_mails_shares_one_connection_to_the_mail_server(people, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery_batches.CountingMailServer"
    CountingMailServer.opened = 0
    ids = write(people(120))

    assert enqueue(ids) == 120

    assert len(mailoutbox) == 120
    assert CountingMailServer.opened == 3  # 50 + 50 + 20
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}
    assert DeliveryAttempt.objects.filter(notification__in=ids).count() == 120


def test_each_message_of_a_batch_is_sent_once_even_if_the_batch_is_delivered_twice(people, mailoutbox):
    ids = write(people(5))
    first = deliver_batch(ids)
    second = deliver_batch(ids)
    assert set(first.values()) == {Status.SENT}
    assert set(second.values()) == {"skipped"}
    assert len(mailoutbox) == 5


def test_a_batch_out_of_time_gives_the_rest_back_untried(people, settings, mailoutbox):
    """A slow mail server: the task stops at its time budget and the rest go to a new task."""
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery_batches.SlowMailServer"
    settings.NOTIFICATION_BATCH_SECONDS = 0.1
    ids = write(people(3))

    results = deliver_batch(ids)

    assert results[ids[0]] == Status.SENT
    assert results[ids[1]] == results[ids[2]] == "skipped"  # given back, and sent by the next task
    assert sorted(message.to[0] for message in mailoutbox) == [f"clerk{i}@example.com" for i in range(3)]
    # the ones given back were not counted as a try
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_the_sweeper_leaves_a_queued_backlog_alone_until_the_broker_may_have_lost_it(people, settings):
    """Messages waiting in the queue behind a big batch are not queued a second time."""
    settings.NOTIFICATION_SWEEP_AFTER = 60
    settings.NOTIFICATION_REQUEUE_AFTER = 900
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        ids = write(people(3))
        Notification.objects.filter(pk__in=ids).update(queued_at=timezone.now())  # handed to the broker
        traveller.shift(datetime.timedelta(seconds=899))
        assert sweep() == 0
        traveller.shift(datetime.timedelta(seconds=2))
        assert sweep() == 3  # fifteen minutes queued and not sent: the broker lost them


def test_the_sweeper_queues_what_the_broker_never_had(people, settings):
    settings.NOTIFICATION_SWEEP_AFTER = 60
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        ids = write(people(2))  # written, never queued (the broker was down)
        traveller.shift(datetime.timedelta(seconds=59))
        assert sweep() == 0
        traveller.shift(datetime.timedelta(seconds=2))
        assert sweep() == 2
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.parametrize("engine", ["postgresql", "another database"])
def test_a_try_is_logged_and_its_outcome_set_alike_on_every_database(engine, people, monkeypatch, mailoutbox):
    """PostgreSQL writes the log row and the status in one statement; other engines in a transaction."""
    if engine != "postgresql":
        monkeypatch.setattr(type(connections["default"]), "vendor", "sqlite")
    [email] = write(people(1))

    assert deliver_batch([email]) == {email: Status.SENT}

    notification = Notification.objects.get(pk=email)
    [attempt] = notification.delivery_attempts.all()
    assert (notification.status, notification.sending_since, notification.last_error) == (Status.SENT, None, "")
    assert abs(notification.sent_at - attempt.attempted_at) < datetime.timedelta(seconds=1)
    assert (attempt.number, attempt.outcome, attempt.status_code, attempt.error) == (1, Status.SENT, None, "")
