"""Delivering the outbox: in batches, each message exactly once, failures kept in sight.

`enqueue` hands the ids to the broker in batches per channel (NOTIFICATION_BATCH_SIZES).
`deliver_batch` claims the batch's rows with one locking SELECT and one UPDATE (created or due
for a retry → sending); a task that arrives twice, or after another worker has sent a row,
claims nothing of it. E-mails of a batch share one SMTP connection. Each message's outcome is
committed as soon as it is known, so a worker killed mid-batch re-sends at most the message it
was sending: after NOTIFICATION_STUCK_AFTER seconds the sweeper queues that row again and the
claim accepts it. Every try is logged as a `DeliveryAttempt`.
"""

import datetime
import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications import sms, webhooks
from notifications.models import DeliveryAttempt, Notification
from portal.core import access
from portal.core.audit import record_event
from portal.core.errors import DeliveryFailure, IllegalTransition, PermanentFailure, TemporaryFailure

log = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel

# Sends one message: an HTTP status (or None), a webhook receiver's whole answer, or a DeliveryFailure.
Sender = Callable[[Notification], "int | webhooks.Answer | None"]

QUEUES = {Channel.EMAIL: "email", Channel.SMS: "sms", Channel.WEBHOOK: "webhooks"}
# Failed for good: no retry is coming. The admin's "failed" list and the daily digest use this.
FAILED = Q(status__in=[Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE]) | Q(
    status=Status.TEMPORARY_FAILURE, next_attempt_at__isnull=True
)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, … up to an hour."""
    return datetime.timedelta(seconds=min(settings.NOTIFICATION_RETRY_BASE * 2 ** max(attempts - 1, 0), 3600))


def batches(notification_ids: Iterable[int]) -> list[tuple[str, list[int]]]:
    """The ids grouped by channel and cut into the channel's batch size: (channel, ids) each."""
    rows = (Notification.objects.filter(pk__in=list(notification_ids)).exclude(channel=Channel.INBOX)
            .order_by("channel", "pk").values_list("channel", "pk"))
    cut = []
    for channel, group in groupby(rows, key=lambda row: row[0]):
        ids = [pk for _channel, pk in group]
        size = max(1, settings.NOTIFICATION_BATCH_SIZES.get(channel, 1))
        cut += [(channel, ids[i:i + size]) for i in range(0, len(ids), size)]
    return cut


def enqueue(notification_ids: Iterable[int]) -> int:
    """Queue delivery tasks, one per batch; returns how many messages were queued.

    If the broker is down the rows stay unqueued (`queued_at` empty) for the sweeper.
    """
    from notifications.tasks import deliver_notifications

    queued: list[int] = []
    for channel, ids in batches(notification_ids):
        try:
            deliver_notifications.apply_async(args=[ids], queue=QUEUES[channel], retry=False)
        except Exception as error:  # the broker is unreachable: nothing is lost, the sweeper re-queues
            log.warning("%d notification(s) not queued (%s); the sweeper will queue them", len(ids), error)
            break
        queued += ids
    if queued:
        Notification.objects.filter(pk__in=queued).update(queued_at=timezone.now())
    return len(queued)


def _claimable(now: datetime.datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    stuck = Q(status=Status.SENDING, sending_since__lt=now - datetime.timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER))
    # A temporary failure without a next attempt has given up: only `resend` revives it.
    retry_due = Q(status=Status.TEMPORARY_FAILURE, next_attempt_at__lte=now)
    return (Q(status=Status.CREATED) & due) | retry_due | stuck


def _quiet_until(notification: Notification, now: datetime.datetime) -> datetime.datetime | None:
    """The end of the recipient's SMS quiet hours, if `now` falls inside them."""
    user = notification.recipient
    start, end = user.sms_quiet_from, user.sms_quiet_until
    local = timezone.localtime(now)
    clock = local.time()
    inside = (start <= clock < end) if start <= end else (clock >= start or clock < end)
    if not inside or start == end:
        return None
    day = local.date() if clock < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end))


class EmailSender:
    """Sends the e-mails of one batch over one connection to the mail server."""

    def __init__(self) -> None:
        self.connection: Any = None

    def __call__(self, notification: Notification) -> int | None:
        recipient = notification.recipient
        context = {"notification": notification, "link": f"{settings.PORTAL_BASE_URL}{notification.link}"
                   if notification.link else ""}
        with override(notification.language or "zh-hans"):
            text = render_to_string("email/notification.txt", context)
            html = render_to_string("email/notification.html", context)
        message = EmailMultiAlternatives(notification.subject, text, to=[recipient.email],
                                         headers={"X-Notification-Id": str(notification.pk)})
        message.attach_alternative(html, "text/html")
        try:
            if self.connection is None:
                self.connection = get_connection()
                self.connection.open()
            message.connection = self.connection
            message.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise PermanentFailure(f"mail server refused: {error}") from None
        except smtplib.SMTPResponseException as error:
            self.close()  # the server may have dropped the session: the next message opens a new one
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(f"mail server refused: {error.smtp_code} {error.smtp_error!r}") from None
            raise TemporaryFailure(f"mail server: {error.smtp_code} {error.smtp_error!r}") from None
        except (ConnectionError, TimeoutError, OSError) as error:
            self.close()
            raise TemporaryFailure(f"mail server: {error}") from None
        return None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # a connection that broke cannot be closed politely; it is dropped
                log.debug("closing the mail connection failed", exc_info=True)
            self.connection = None


def _send_sms(notification: Notification) -> int | None:
    text = f"【先丰港】{notification.subject}"
    return sms.backend().send(notification.recipient.phone, text[:300])


def _senders() -> dict[str, Sender]:
    return {Channel.EMAIL: EmailSender(), Channel.SMS: _send_sms, Channel.WEBHOOK: webhooks.post_event}


def _claim(pks: list[int], now: datetime.datetime) -> dict[int, tuple[str, int]]:
    """Take the rows of `pks` that are due and not taken: {pk: (status before, attempts now)}."""
    if not pks:
        return {}
    with transaction.atomic():
        # SKIP LOCKED: rows another worker is claiming at this moment are its, not ours.
        due = list(Notification.objects.select_for_update(skip_locked=True)
                   .filter(_claimable(now), pk__in=pks).values_list("pk", "status", "attempts"))
        if due:
            Notification.objects.filter(pk__in=[pk for pk, *_rest in due]).update(
                status=Status.SENDING, sending_since=now, attempts=F("attempts") + 1)
    return {pk: (status, attempts + 1) for pk, status, attempts in due}


def _attempt(notification: Notification, send: Sender) -> tuple[str, int | None, str, int, str]:
    """Send once: (outcome, HTTP status, error, latency in ms, the receiver's answer). Never raises."""
    started = time.monotonic()
    status_code, error, response = None, "", ""
    try:
        result = send(notification)
        if isinstance(result, webhooks.Answer):
            status_code, response = result.status_code, result.body
        else:
            status_code = result
        outcome = Status.DELIVERED if notification.channel == Channel.WEBHOOK else Status.SENT
    except PermanentFailure as failure:
        outcome, status_code, error = Status.PERMANENT_FAILURE, failure.status_code, str(failure)
        response = failure.response
    except TemporaryFailure as failure:
        outcome, status_code, error = Status.TEMPORARY_FAILURE, failure.status_code, str(failure)
        response = failure.response
    except DeliveryFailure as failure:  # pragma: no cover - every channel raises one of the two above
        outcome, error = Status.TECHNICAL_FAILURE, str(failure)
    except Exception as failure:  # a fault of ours: shown in the admin, resent by hand
        log.exception("notification %s failed", notification.pk)
        outcome, error = Status.TECHNICAL_FAILURE, f"{type(failure).__name__}: {failure}"
    return outcome, status_code, error, int((time.monotonic() - started) * 1000), response


def _record(notification: Notification, outcome: str, status_code: int | None, error: str,
            latency: int, response: str = "") -> datetime.datetime | None:
    """Commit one try's outcome; returns when to retry, if it will be."""
    retry_at = None
    tries = notification.attempts - notification.attempts_before_resend
    if outcome == Status.TEMPORARY_FAILURE and tries < settings.NOTIFICATION_MAX_ATTEMPTS:
        retry_at = timezone.now() + retry_delay(tries)
    elif outcome == Status.TEMPORARY_FAILURE:
        error = f"{error} (gave up after {tries} attempts)"
    now = timezone.now()
    _save_outcome(notification.pk, {
        "number": notification.attempts, "attempted_at": now, "outcome": outcome, "status_code": status_code,
        "latency_ms": latency, "error": error[:2000], "response": response,
    }, {
        "status": outcome, "last_error": error[:2000], "next_attempt_at": retry_at, "sending_since": None,
        "sent_at": now if outcome in (Status.SENT, Status.DELIVERED) else None,
    })
    return retry_at


def _save_outcome(pk: int, attempt: dict[str, Any], changes: dict[str, Any]) -> None:
    """Log the try and set the message's new status (if still `sending`), both or neither.

    On PostgreSQL this is one statement: a batch spends most of its time in round trips to the
    database, and a transaction (BEGIN, INSERT, UPDATE, COMMIT) takes four of them per message.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            DeliveryAttempt.objects.create(notification_id=pk, **attempt)
            Notification.objects.filter(pk=pk, status=Status.SENDING).update(**changes)
        return
    quote = connection.ops.quote_name
    attempt_columns = ", ".join(quote(column) for column in ["notification_id", *attempt])
    assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH logged AS (INSERT INTO {quote(DeliveryAttempt._meta.db_table)} ({attempt_columns}) "
            f"VALUES ({', '.join(['%s'] * (len(attempt) + 1))})) "
            f"UPDATE {quote(Notification._meta.db_table)} SET {assignments} WHERE id = %s AND status = %s",
            [pk, *attempt.values(), *changes.values(), pk, Status.SENDING],
        )


def deliver_batch(notification_ids: list[int]) -> dict[int, str]:
    """Send the notifications of `notification_ids` that are due; {id: status it ends in, or "skipped"}."""
    now = timezone.now()
    results: dict[int, str] = {pk: "skipped" for pk in notification_ids}
    rows = {n.pk: n for n in Notification.objects.select_related("recipient", "endpoint")
            .filter(pk__in=notification_ids).exclude(channel=Channel.INBOX)}
    for notification in list(rows.values()):
        if notification.channel == Channel.SMS and notification.status == Status.CREATED:
            quiet_end = _quiet_until(notification, now)
            if quiet_end:  # the sweeper queues it when the quiet hours are over
                Notification.objects.filter(pk=notification.pk, status=Status.CREATED).update(
                    next_attempt_at=quiet_end, queued_at=None)
                del rows[notification.pk]

    claimed = _claim(sorted(rows), now)
    lost = [DeliveryAttempt(notification_id=pk, number=attempts - 1, outcome=Status.TECHNICAL_FAILURE,
                            error="the worker was lost during delivery")
            for pk, (before, attempts) in claimed.items() if before == Status.SENDING]
    if lost:  # claimed back from a worker that died mid-send: the log says why it took another try
        DeliveryAttempt.objects.bulk_create(lost)

    senders = _senders()
    budget_ends = time.monotonic() + settings.NOTIFICATION_BATCH_SECONDS
    retries: list[tuple[int, str, datetime.datetime]] = []
    pending = sorted(claimed)
    try:
        while pending and time.monotonic() < budget_ends:
            pk = pending.pop(0)
            notification = rows[pk]
            notification.status, notification.attempts = Status.SENDING, claimed[pk][1]
            outcome, status_code, error, latency, response = _attempt(notification, senders[notification.channel])
            retry_at = _record(notification, outcome, status_code, error, latency, response)
            results[pk] = outcome
            if retry_at is not None:
                retries.append((pk, notification.channel, retry_at))
    finally:
        senders[Channel.EMAIL].close()
        if pending:  # out of time: the rest go back to the queue untried
            _give_back(pending)
    for pk, channel, retry_at in retries:
        _retry_later(pk, channel, retry_at)
    return results


def deliver(notification_id: int) -> str:
    """Send one notification if it is due; returns the status it ends in, or "skipped"."""
    return deliver_batch([notification_id])[notification_id]


def _give_back(pks: list[int]) -> None:
    Notification.objects.filter(pk__in=pks, status=Status.SENDING).update(
        status=Status.CREATED, sending_since=None, attempts=F("attempts") - 1, queued_at=None)
    enqueue(pks)


def _retry_later(pk: int, channel: str, retry_at: datetime.datetime) -> None:
    from notifications.tasks import deliver_notifications

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process tasks cannot wait: the sweeper retries the row when it is due
    try:
        deliver_notifications.apply_async(args=[[pk]], queue=QUEUES[channel], eta=retry_at, retry=False)
    except Exception as error:  # the sweeper picks it up when it is due
        log.warning("retry of notification %s not queued (%s)", pk, error)
        return
    Notification.objects.filter(pk=pk).update(queued_at=retry_at)


def sweep(limit: int = 1000) -> int:
    """Queue again what the broker never had (unqueued for a while), what it lost (queued long ago
    and not sent), and what a dead worker left in `sending`. Returns how many were queued."""
    now = timezone.now()
    settled = now - datetime.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER)
    lost_by_broker = now - datetime.timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER)
    due = (
        Notification.objects.filter(_claimable(now))
        .exclude(channel=Channel.INBOX)
        .filter(Q(queued_at__isnull=True, created_at__lt=settled)
                | Q(queued_at__lt=lost_by_broker)
                | Q(status=Status.SENDING, queued_at__lte=F("sending_since"))
                | Q(status=Status.SENDING, queued_at__isnull=True))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(list(due))


def resend(actor: Any, notification: Notification) -> Notification:
    """Send a notification again (a failed one, or a webhook event the receiver lost).

    Refused with IllegalTransition, changing nothing, for an inbox row (it is the message, never
    sent), an event of a deactivated endpoint, and a row being sent right now (left to its worker,
    and to the sweeper if that worker died).
    """
    with transaction.atomic():
        # The row's lock orders this against a worker claiming it and against a second resend.
        row = (Notification.objects.select_for_update(of=("self",)).select_related("endpoint")
               .get(pk=notification.pk))
        if row.channel == Channel.INBOX:
            raise IllegalTransition(_("An inbox message is not sent, so it cannot be sent again."),
                                    current_state=row.status, action="resend")
        if row.endpoint_id and not row.endpoint.is_active:
            raise IllegalTransition(_("This endpoint is deactivated: it receives no more events."),
                                    current_state="inactive", action="resend")
        if row.status == Status.SENDING:
            raise IllegalTransition(_("This event is being sent right now; try again in a moment."),
                                    current_state=row.status, action="resend")
        Notification.objects.filter(pk=row.pk).update(
            status=Status.CREATED, next_attempt_at=None, last_error="", queued_at=None,
            attempts_before_resend=F("attempts"))
        record_event(actor, "notification.resent", row, data={"channel": row.channel})
        transaction.on_commit(lambda: enqueue([row.pk]))
    notification.refresh_from_db()
    return notification


def failures_since(since: datetime.datetime) -> dict[str, int]:
    """Deliveries that failed for good since `since` (by their last try), by channel: for the
    daily digest to admins."""
    tried_since = DeliveryAttempt.objects.filter(notification=OuterRef("pk"), attempted_at__gte=since)
    failed = Notification.objects.filter(FAILED).filter(Exists(tried_since))
    return dict(failed.values_list("channel").annotate(n=Count("id")).order_by())


def send_failure_digest() -> int:
    """Tell every active superuser how many notifications failed in the last day; 0 if none did."""
    from notifications.outbox import notify

    now = timezone.now()
    counts = failures_since(now - datetime.timedelta(days=1))
    if not counts:
        return 0
    admins = access.superusers()
    summary = ", ".join(f"{channel}: {n}" for channel, n in sorted(counts.items()))
    for admin_user in admins:
        notify(admin_user, "notifications.failure_digest",
               context={"total": sum(counts.values()), "summary": summary},
               key=f"{timezone.localdate(now)}", link=reverse("admin:notifications_notification_changelist") + "?failed=1")
    return len(admins)
