"""The outbox in the admin: failures in sight, resend by hand, scoping, and the daily digest of failures.

Celery runs in-process here (no broker in the test settings) and e-mail goes to Django's locmem
outbox, so a resend is delivered as soon as the action's transaction commits.
"""

import datetime
import itertools
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.delivery import send_failure_digest
from notifications.models import DeliveryAttempt, Notification, NotificationPreference, WebhookEndpoint
from portal.models import AuditEvent
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

Status = Notification.Status
Channel = Notification.Channel
CHANGELIST = "/admin/notifications/notification/"
_keys = itertools.count()


def outbox_row(recipient=None, *, channel=Channel.EMAIL, status=Status.CREATED, endpoint=None, **fields):
    values = dict(
        kind="application.changed", template_key="application.changed", language="en",
        subject=f"Message {next(_keys)}", body="Body", status=status,
    )
    values.update(fields)
    notification = Notification.objects.create(recipient=recipient, endpoint=endpoint, channel=channel,
                                               idempotency_key=f"test:{next(_keys)}", **values)
    # Its delivery log as the worker writes it: the tries before the last failed for the time being.
    for number in range(1, notification.attempts + 1):
        DeliveryAttempt.objects.create(
            notification=notification, number=number,
            outcome=status if number == notification.attempts else Status.TEMPORARY_FAILURE)
    return notification


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}




@pytest.fixture
def as_user():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def rows(alice):
    """One notification in every delivery state, all to alice."""
    later = timezone.now() + datetime.timedelta(minutes=5)
    return {
        "permanent": outbox_row(alice, status=Status.PERMANENT_FAILURE, attempts=1,
                                last_error="550 mailbox unavailable " + "x" * 200),
        "technical": outbox_row(alice, channel=Channel.SMS, status=Status.TECHNICAL_FAILURE, attempts=1,
                                last_error="KeyError: 'phone'"),
        "gave_up": outbox_row(alice, status=Status.TEMPORARY_FAILURE, attempts=8,
                              last_error="mail server: timed out (gave up after 8 attempts)"),
        "retrying": outbox_row(alice, status=Status.TEMPORARY_FAILURE, attempts=2, next_attempt_at=later,
                               last_error="mail server: timed out"),
        "created": outbox_row(alice, status=Status.CREATED),
        "sending": outbox_row(alice, status=Status.SENDING, attempts=1),
        "sent": outbox_row(alice, status=Status.SENT, attempts=1),
        "inbox": outbox_row(alice, channel=Channel.INBOX, status=Status.DELIVERED),
    }


def pks(rows, *names) -> set[int]:
    return {rows[name].pk for name in names}


def test_the_digest_link_lists_only_failed_notifications_with_their_error(superuser, as_user, rows):
    response = as_user(superuser).get(f"{CHANGELIST}?failed=1")
    assert listed(response) == pks(rows, "permanent", "technical", "gave_up")
    page = response.content.decode()
    assert "550 mailbox unavailable" in page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("retrying", ["retrying"]),
        ("pending", ["created", "sending"]),
        ("done", ["sent", "inbox"]),
    ],
)
def test_the_delivery_filter_sorts_every_state(superuser, as_user, rows, value, expected):
    assert listed(as_user(superuser).get(CHANGELIST, {"failed": value})) == pks(rows, *expected)


def test_without_the_filter_a_superuser_sees_everything(superuser, as_user, rows):
    assert listed(as_user(superuser).get(CHANGELIST)) == {row.pk for row in rows.values()}


def test_the_last_error_is_shortened_in_the_list(superuser, as_user, rows):
    from notifications.admin import NotificationAdmin

    short = NotificationAdmin.short_error(None, rows["permanent"])
    assert len(rows["permanent"].last_error) > 200
    shown = re.fullmatch(r'<span title="[^"]+">([^<]+)</span>', short).group(1)
    assert shown.startswith("550 mailbox unavailable") and len(shown) <= 80
    assert NotificationAdmin.short_error(None, rows["sent"]) == ""


def test_the_change_page_is_read_only_with_the_delivery_attempts(superuser, as_user, rows):
    failed = rows["permanent"]
    DeliveryAttempt.objects.filter(notification=failed).update(latency_ms=12, error="550 mailbox unavailable")
    client = as_user(superuser)
    page = client.get(reverse("admin:notifications_notification_change", args=[failed.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "550 mailbox unavailable" in content
    assert 'name="_save"' not in content  # nothing to edit
    assert page.context["inline_admin_formsets"][0].formset.queryset.count() == 1
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_resend_requeues_failed_email_and_skips_inbox_rows(superuser, as_user, alice, rows,
                                                           django_capture_on_commit_callbacks):
    failed, inbox = rows["permanent"], rows["inbox"]
    client = as_user(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk, inbox.pk]},
                               follow=True)
    assert response.status_code == 200

    failed.refresh_from_db()
    assert failed.status == Status.SENT and failed.last_error == "" and failed.sent_at is not None
    assert failed.attempts == 2
    assert list(DeliveryAttempt.objects.filter(notification=failed).values_list("number", "outcome")) == [
        (1, Status.PERMANENT_FAILURE), (2, Status.SENT)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email] and mail.outbox[0].subject == failed.subject
    assert mail.outbox[0].extra_headers["X-Notification-Id"] == str(failed.pk)
    assert AuditEvent.objects.filter(action="notification.resent", actor=superuser).count() == 1

    inbox.refresh_from_db()
    assert inbox.status == Status.DELIVERED
    [message] = messages_of(response)
    assert re.findall(r"\d+", message) == ["1", "1"]  # queued, skipped


def test_resend_leaves_a_row_being_sent_alone(superuser, as_user, rows, django_capture_on_commit_callbacks):
    sending = rows["sending"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(superuser).post(CHANGELIST, {"action": "resend", "_selected_action": [sending.pk]},
                                           follow=True)
    sending.refresh_from_db()
    assert sending.status == Status.SENDING and not mail.outbox
    assert re.findall(r"\d+", messages_of(response)[0]) == ["0", "1"]


def test_an_official_sees_only_failed_notifications_addressed_to_themselves(
    make_official, departments, alice, as_user, rows, django_capture_on_commit_callbacks,
):
    official = make_official("zw1", departments["ZWFW"])
    own_failed = outbox_row(official, status=Status.PERMANENT_FAILURE, last_error="550 no such user")
    own_sent = outbox_row(official, status=Status.SENT)
    client = as_user(official)

    assert listed(client.get(CHANGELIST)) == {own_failed.pk}
    assert listed(client.get(f"{CHANGELIST}?failed=1")) == {own_failed.pk}
    assert listed(client.get(CHANGELIST, {"q": "alice"})) == set()

    # Another person's message, even a failed one, is "not found" on a crafted URL.
    for other in (rows["permanent"], own_sent):
        response = client.get(reverse("admin:notifications_notification_change", args=[other.pk]))
        assert response.status_code == 302 and other.subject not in response.content.decode()
    assert client.get(reverse("admin:notifications_notification_change", args=[own_failed.pk])).status_code == 200

    # Resending someone else's row through a forged selection does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "resend", "_selected_action": [rows["permanent"].pk]})
    rows["permanent"].refresh_from_db()
    assert rows["permanent"].status == Status.PERMANENT_FAILURE and not mail.outbox

    # No deleting, and no webhook secrets or other people's preferences.
    page = client.get(CHANGELIST)
    assert list(page.context["cl"].model_admin.get_actions(page.wsgi_request)) == ["resend"]
    response = client.post(reverse("admin:notifications_notification_delete", args=[own_failed.pk]), {"post": "yes"})
    assert response.status_code == 403 and Notification.objects.filter(pk=own_failed.pk).exists()
    assert client.get(reverse("admin:notifications_webhookendpoint_changelist")).status_code == 403
    assert client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 403


def test_an_official_may_resend_their_own_failed_email(make_official, departments, as_user,
                                                       django_capture_on_commit_callbacks):
    official = make_official("zw1", departments["ZWFW"])
    failed = outbox_row(official, status=Status.TECHNICAL_FAILURE, last_error="SMTPServerDisconnected")
    with django_capture_on_commit_callbacks(execute=True):
        as_user(official).post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.SENT and [m.to for m in mail.outbox] == [[official.email]]


def test_a_user_without_staff_status_gets_nothing(alice, as_user, rows):
    response = as_user(alice).get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response.url


def test_webhook_endpoints_never_show_the_secret(superuser, as_user, alices_enterprise):
    endpoint = WebhookEndpoint.objects.create(enterprise=alices_enterprise, url="https://erp.example.com/hook",
                                              events=["application.status_changed"],
                                              secret="s3cret-value-that-must-stay-hidden")
    client = as_user(superuser)
    for url in (reverse("admin:notifications_webhookendpoint_changelist"),
                reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "https://erp.example.com/hook" in response.content.decode()
        assert "s3cret-value" not in response.content.decode()
    assert client.get(reverse("admin:notifications_webhookendpoint_add")).status_code == 403

    # Only switching it off is possible here; the URL and secret stay as registered.
    client.post(reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk]),
                {"is_active": "", "url": "http://127.0.0.1/", "secret": "changed"})
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.url, endpoint.secret) == (
        False, "https://erp.example.com/hook", "s3cret-value-that-must-stay-hidden")


def test_notification_preferences_are_read_only_for_superusers(superuser, as_user, alice):
    preference = NotificationPreference.objects.create(user=alice, kind="task.opened", channel="email",
                                                       enabled=False)
    client = as_user(superuser)
    assert client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 200
    page = client.get(reverse("admin:notifications_notificationpreference_change", args=[preference.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:notifications_notificationpreference_add")).status_code == 403
    client.post(reverse("admin:notifications_notificationpreference_delete", args=[preference.pk]), {"post": "yes"})
    assert NotificationPreference.objects.filter(pk=preference.pk).exists()


# --- the daily digest of failures ----------------------------------------------------------------


def digests() -> list[Notification]:
    return list(Notification.objects.filter(kind="notifications.failure_digest").order_by("pk"))


@pytest.fixture
def admins(make_user, make_official, departments):
    return {
        "root": make_user("root", is_staff=True, is_superuser=True),
        "second": make_user("second", is_staff=True, is_superuser=True, language="en"),
        "retired": make_user("retired", is_staff=True, is_superuser=True, is_active=False),
        "official": make_official("zw1", departments["ZWFW"]),
    }


def test_no_failures_no_digest(admins, alice, django_capture_on_commit_callbacks):
    outbox_row(alice, status=Status.SENT)
    outbox_row(alice, status=Status.TEMPORARY_FAILURE, next_attempt_at=timezone.now())  # still retrying
    with django_capture_on_commit_callbacks(execute=True):
        assert send_failure_digest() == 0
    assert digests() == [] and mail.outbox == []


def test_failures_of_the_last_day_reach_every_active_superuser_once_a_day(
    admins, alice, rows, django_capture_on_commit_callbacks,
):
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    old = outbox_row(alice, status=Status.PERMANENT_FAILURE, attempts=1)
    Notification.objects.filter(pk=old.pk).update(created_at=two_days_ago)
    DeliveryAttempt.objects.filter(notification=old).update(attempted_at=two_days_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_failure_digest() == 2
    sent = digests()
    assert {(n.recipient.username, n.channel) for n in sent} == {
        ("root", Channel.INBOX), ("root", Channel.EMAIL), ("second", Channel.INBOX), ("second", Channel.EMAIL),
    }
    assert all(n.link == "/admin/notifications/notification/?failed=1" for n in sent)
    english = next(n for n in sent if n.recipient.username == "second" and n.channel == Channel.INBOX)
    # The three failures of `rows` (two e-mail, one SMS); the one from two days ago is not counted.
    assert english.subject == "3 notification(s) failed in the last day"
    assert "email: 2, sms: 1" in english.body
    assert sorted(m.to[0] for m in mail.outbox) == ["root@example.com", "second@example.com"]
    assert all("/admin/notifications/notification/?failed=1" in m.body for m in mail.outbox)

    # The beat task firing again the same day (a retry, a second beat) tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        send_failure_digest()
    assert [n.pk for n in digests()] == [n.pk for n in sent]
    assert len(mail.outbox) == 2


def test_a_message_written_days_ago_that_failed_today_is_in_today_s_digest(
    admins, alice, django_capture_on_commit_callbacks,
):
    """The digest counts by the last try, not by when the message was written."""
    slow = outbox_row(alice, status=Status.TEMPORARY_FAILURE, attempts=8,
                      last_error="mail server: timed out (gave up after 8 attempts)")
    Notification.objects.filter(pk=slow.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    DeliveryAttempt.objects.filter(notification=slow, number__lt=8).update(
        attempted_at=timezone.now() - datetime.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_failure_digest() == 2
    assert {n.subject for n in digests() if n.recipient.username == "second"} == {
        "1 notification(s) failed in the last day"}


def test_the_digest_link_opens_the_failed_list_for_the_admin(admins, as_user, rows,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_failure_digest()
    link = digests()[0].link
    assert listed(as_user(admins["root"]).get(link)) == pks(rows, "permanent", "technical", "gave_up")
