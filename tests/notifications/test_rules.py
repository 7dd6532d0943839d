"""Who is told what, in which language and on which channel; and how one delivery treats a message.

No worker here: the functions the worker runs (`deliver`, `sweep`) are called in-process.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from enterprises.models import Membership
from notifications.delivery import deliver, resend, retry_delay, sweep
from notifications.models import DeliveryAttempt, Notification, NotificationPreference
from notifications.outbox import KINDS, TEMPLATES, notify, notify_many
from portal.core.errors import TemporaryFailure
from services.applications import workflow
from tests.helpers import in_threads, shanghai

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Notification.Status
PHONE = "13800138000"
NEVER_QUIET = {"sms_quiet_from": datetime.time(0, 0), "sms_quiet_until": datetime.time(0, 0)}


class EveryPlaceholder(dict):
    """A context that fills any %(name)s with <name>, so every template renders without its own fields."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def channels_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("channel", flat=True))



# --- the messages, in the recipient's language ---------------------------------------------------


def test_every_kind_of_event_has_a_template_and_channel_defaults():
    assert set(TEMPLATES) == set(KINDS)


# Kinds whose Chinese text is not in the catalogue yet. Strict: the mark must go once it is.
@pytest.mark.parametrize("kind", [
    kind for kind in sorted(TEMPLATES)
])
def test_every_kind_reads_in_chinese_and_in_english(kind, make_user):
    """A zh-hans recipient and an en recipient each get the subject and body in their own language."""
    lin = notify(make_user("lin", language="zh-hans"), kind, context=EveryPlaceholder(), key="1")
    lee = notify(make_user("lee", language="en"), kind, context=EveryPlaceholder(), key="1")

    subject, body = TEMPLATES[kind]
    with override("en"):
        assert (lee.language, lee.subject, lee.body) == ("en", str(subject) % EveryPlaceholder(), str(body) % EveryPlaceholder())
    assert lin.language == "zh-hans"
    assert lin.subject != lee.subject, f"the subject of {kind} has no Chinese translation"
    assert lin.body != lee.body, f"the body of {kind} has no Chinese translation"


def test_each_member_reads_the_status_change_in_their_own_language(world, draft, make_user):
    emma = make_user("emma", language="en")
    Membership.objects.create(user=emma, enterprise=world["enterprise"], role=Membership.Role.CLERK)
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    application.refresh_from_db()

    inbox = Notification.objects.filter(channel=Notification.Channel.INBOX, kind="application.changed")
    assert inbox.get(recipient=world["clerk"]).subject == f"{application.reference}：已提交"
    english = inbox.get(recipient=emma)
    assert english.subject == f"{application.reference}: Submitted"
    assert english.body == f"Your application {application.reference} for “事项STD” is now: Submitted. —"


def test_the_email_carries_the_body_and_the_link_in_text_and_html(settings, mailoutbox, make_user):
    settings.PORTAL_BASE_URL = "https://qiye.example.gov.cn"
    emma = make_user("emma", language="en")
    notify(emma, "application.changed", key="1", link="/applications/7/",
           context={"reference": "FT-2026-000007", "service": "<b>Fire</b> check", "state": "Accepted",
                    "reason": "—"})
    email = Notification.objects.get(recipient=emma, channel=Notification.Channel.EMAIL)

    assert deliver(email.pk) == Status.SENT
    [message] = mailoutbox
    link = "https://qiye.example.gov.cn/applications/7/"
    assert (message.subject, message.to) == (email.subject, ["emma@example.com"])
    assert message.extra_headers["X-Notification-Id"] == str(email.pk)
    assert email.body in message.body and link in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert "&lt;b&gt;Fire&lt;/b&gt;" in html and "<b>Fire</b>" not in html


@pytest.mark.parametrize("template", ["email/notification.txt", "email/notification.html"])
def test_the_email_templates_speak_the_recipient_s_language(template):
    """The words around the message (the link's label, the footer) are translated too."""
    rendered = {}
    for language in ("zh-hans", "en"):
        notification = Notification(subject="主题", body="正文", language=language)
        with override(language):
            rendered[language] = render_to_string(template, {"notification": notification, "link": "https://x/a/1/"})
    assert all("正文" in text and "https://x/a/1/" in text for text in rendered.values())
    assert "Open in the portal" in rendered["en"]
    assert rendered["zh-hans"] != rendered["en"].replace('lang="en"', 'lang="zh-hans"'), (
        f"{template} is not translated into Chinese")


# --- who gets which channel ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_by_default_email_always_and_sms_only_where_the_kind_says_so(kind, make_user):
    user = make_user("wang", phone=PHONE)
    notify(user, kind, context=EveryPlaceholder(), key="1")
    expected = ["email", "inbox"] + (["sms"] if KINDS[kind]["sms"] else [])
    assert channels_of(user) == expected


def test_the_inbox_is_written_even_when_every_other_channel_is_off(make_user):
    user = make_user("wang", phone=PHONE)
    for channel in ("email", "sms"):
        NotificationPreference.objects.create(user=user, kind="application.changed", channel=channel, enabled=False)
    notify(user, "application.changed", context=EveryPlaceholder(), key="1")
    assert channels_of(user) == ["inbox"]


def test_a_preference_switches_a_channel_off_and_another_on(make_user):
    user = make_user("wang", phone=PHONE)
    NotificationPreference.objects.create(user=user, kind="application.changed", channel="email", enabled=False)
    NotificationPreference.objects.create(user=user, kind="task.opened", channel="sms", enabled=True)
    notify(user, "application.changed", context=EveryPlaceholder(), key="1")
    notify(user, "task.opened", context=EveryPlaceholder(), key="1")

    written = Notification.objects.filter(recipient=user)
    assert sorted(written.filter(kind="application.changed").values_list("channel", flat=True)) == ["inbox", "sms"]
    assert sorted(written.filter(kind="task.opened").values_list("channel", flat=True)) == ["email", "inbox", "sms"]


def test_no_email_without_an_address_and_no_sms_without_a_phone(make_user):
    user = make_user("wang", email="", phone="")
    notify(user, "application.changed", context=EveryPlaceholder(), key="1")
    assert channels_of(user) == ["inbox"]


def test_the_inbox_cannot_be_switched_off(make_user):
    user = make_user("wang")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(user=user, kind="application.changed", channel="inbox", enabled=False)


def test_a_run_for_many_people_follows_each_persons_choices(make_user):
    wang, zhao = make_user("wang", phone=PHONE), make_user("zhao", phone=PHONE)
    NotificationPreference.objects.create(user=zhao, kind="deferred.reminder", channel="sms", enabled=False)
    notify_many("deferred.reminder", [(u, EveryPlaceholder(), "1", "") for u in (wang, zhao)])
    assert channels_of(wang) == ["email", "inbox", "sms"]
    assert channels_of(zhao) == ["email", "inbox"]


def test_the_same_key_writes_the_message_once(make_user):
    user = make_user("wang")
    for _ in range(2):
        notify(user, "enterprise.invited", context=EveryPlaceholder(), key="membership:1")
    assert channels_of(user) == ["email", "inbox"]


# --- delivery of one message -------------------------------------------------------------------------


@pytest.mark.parametrize(("quiet", "now", "resumes"), [
    ((22, 8), shanghai(2026, 3, 2, 23, 30), shanghai(2026, 3, 3, 8)),  # late evening: the next morning
    ((22, 8), shanghai(2026, 3, 3, 6, 15), shanghai(2026, 3, 3, 8)),  # after midnight: this morning
    ((12, 14), shanghai(2026, 3, 3, 13, 0), shanghai(2026, 3, 3, 14)),  # a nap at noon
], ids=["evening", "small-hours", "noon"])
def test_an_sms_in_the_recipient_s_quiet_hours_waits_until_they_end(quiet, now, resumes, make_user, settings,
                                                                     tmp_path):
    settings.SMS_BACKEND = "notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    user = make_user("wang", email="", phone=PHONE, sms_quiet_from=datetime.time(quiet[0]),
                     sms_quiet_until=datetime.time(quiet[1]))
    with time_machine.travel(now, tick=False) as traveller:
        notify(user, "application.changed", context=EveryPlaceholder(), key="1")
        sms = Notification.objects.get(recipient=user, channel=Notification.Channel.SMS)

        assert deliver(sms.pk) == "skipped"
        sms.refresh_from_db()
        assert (sms.status, sms.next_attempt_at, sms.attempts) == (Status.CREATED, resumes, 0)
        assert not settings.SMS_FILE_PATH.exists()

        traveller.move_to(resumes)
        assert sweep() == 1  # the sweeper queues it when the quiet hours end
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert len(settings.SMS_FILE_PATH.read_text().splitlines()) == 1


def test_an_sms_outside_quiet_hours_goes_at_once(make_user):
    user = make_user("wang", email="", phone=PHONE)  # quiet from 22:00 to 08:00
    with time_machine.travel(shanghai(2026, 3, 3, 9, 30), tick=False):
        notify(user, "application.changed", context=EveryPlaceholder(), key="1")
        sms = Notification.objects.get(recipient=user, channel=Notification.Channel.SMS)
        assert deliver(sms.pk) == Status.SENT


def test_delivering_the_same_message_twice_sends_it_once(make_user, mailoutbox):
    """A task the broker hands out twice finds the message already claimed and sends nothing."""
    user = make_user("wang")
    notify(user, "enterprise.invited", context=EveryPlaceholder(), key="1")
    email = Notification.objects.get(recipient=user, channel=Notification.Channel.EMAIL)

    assert deliver(email.pk) == Status.SENT
    assert deliver(email.pk) == "skipped"
    email.refresh_from_db()
    assert len(mailoutbox) == 1 and email.attempts == 1
    assert DeliveryAttempt.objects.filter(notification=email).count() == 1


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_message_send_it_once(make_user, mailoutbox):
    """Four deliveries of one message at the same moment, on real PostgreSQL: one send."""
    user = make_user("wang")
    email = Notification.objects.create(
        recipient=user, channel=Notification.Channel.EMAIL, kind="enterprise.invited", template_key="enterprise.invited",
        language="en", subject="You were added", body="You were added.", idempotency_key="race:1",
    )
    results = in_threads(4, lambda _: deliver(email.pk))
    assert sorted(results) == [Status.SENT, "skipped", "skipped", "skipped"]
    assert len(mailoutbox) == 1
    assert DeliveryAttempt.objects.filter(notification=email).count() == 1


def test_a_send_left_sending_by_a_dead_worker_is_sent_again_after_the_stuck_threshold(settings, make_user,
                                                                                     mailoutbox):
    settings.NOTIFICATION_STUCK_AFTER = 300
    user = make_user("wang")
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        notify(user, "enterprise.invited", context=EveryPlaceholder(), key="1")
        email = Notification.objects.get(recipient=user, channel=Notification.Channel.EMAIL)
        Notification.objects.filter(pk=email.pk).update(status=Status.SENDING, sending_since=timezone.now(),
                                                        attempts=1)
        traveller.shift(datetime.timedelta(seconds=299))
        assert sweep() == 0 and deliver(email.pk) == "skipped"
        traveller.shift(datetime.timedelta(seconds=2))
        assert sweep() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, len(mailoutbox)) == (Status.SENT, 2, 1)


class GatewayDown:
    """An SMS gateway that never answers."""

    def send(self, phone: str, text: str) -> int | None:
        raise TemporaryFailure("SMS gateway unreachable")


@pytest.fixture
def failing_sms(settings, make_user):
    """An SMS to a phone that is always reachable, through a gateway that is always down."""
    settings.SMS_BACKEND = "tests.notifications.test_rules.GatewayDown"
    settings.NOTIFICATION_RETRY_BASE = 30
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    user = make_user("wang", email="", phone=PHONE, **NEVER_QUIET)
    notify(user, "application.changed", context=EveryPlaceholder(), key="1")
    return Notification.objects.get(recipient=user, channel=Notification.Channel.SMS)


def test_retries_wait_longer_each_time(failing_sms):
    waits = []
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        for _ in range(3):
            assert deliver(failing_sms.pk) == Status.TEMPORARY_FAILURE
            failing_sms.refresh_from_db()
            waits.append((failing_sms.next_attempt_at - timezone.now()).total_seconds())
            assert deliver(failing_sms.pk) == "skipped"  # not due yet
            traveller.move_to(failing_sms.next_attempt_at)
    assert waits == [30, 60, 120]


def test_the_backoff_is_capped_at_an_hour(settings):
    settings.NOTIFICATION_RETRY_BASE = 30
    waits = [retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_retries_stop_at_notification_max_attempts(failing_sms):
    """After the last attempt the message stays failed, visible for a resend by hand, and is not retried."""
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        for _ in range(4):
            assert deliver(failing_sms.pk) == Status.TEMPORARY_FAILURE
            failing_sms.refresh_from_db()
            traveller.move_to(failing_sms.next_attempt_at or timezone.now())
        assert failing_sms.next_attempt_at is None
        assert "gave up after 4 attempts" in failing_sms.last_error

        traveller.shift(datetime.timedelta(hours=2))
        assert deliver(failing_sms.pk) == "skipped"
        assert sweep() == 0
    failing_sms.refresh_from_db()
    assert failing_sms.attempts == 4
    assert list(failing_sms.delivery_attempts.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_a_resend_gives_the_message_a_full_set_of_retries(failing_sms, settings, admin_user):
    with time_machine.travel(shanghai(2026, 3, 3, 10), tick=False) as traveller:
        for _ in range(4):
            deliver(failing_sms.pk)
            failing_sms.refresh_from_db()
            traveller.move_to(failing_sms.next_attempt_at or timezone.now())
        assert failing_sms.next_attempt_at is None  # gave up

        resend(admin_user, failing_sms)
        assert deliver(failing_sms.pk) == Status.TEMPORARY_FAILURE
        failing_sms.refresh_from_db()
        # a first try after the resend: retried in 30 s, not given up at once
        assert failing_sms.next_attempt_at == timezone.now() + datetime.timedelta(seconds=30)
        assert "gave up" not in failing_sms.last_error
    assert failing_sms.attempts == 5
