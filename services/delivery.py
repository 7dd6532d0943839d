"""Delivering the outbox: one notification per task, exactly once, failures kept in sight.

`deliver` first claims the row with one conditional UPDATE (created or due for a retry →
sending). A task that arrives twice, or after another worker has sent the row, claims
nothing and stops, so nothing is sent twice. A worker that dies mid-send leaves the row in
`sending`; after NOTIFICATION_STUCK_AFTER seconds the sweeper queues it again and the claim
accepts it. Every try is logged as a `DeliveryAttempt`.
"""

import datetime
import logging
import smtplib
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from services import sms, webhooks
from services.audit import record_event
from services.errors import DeliveryFailure, PermanentFailure, TemporaryFailure
from services.models import DeliveryAttempt, Notification

log = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel

QUEUES = {Channel.EMAIL: "email", Channel.SMS: "sms", Channel.WEBHOOK: "webhooks"}
# Failed for good: no retry is coming. The admin's "failed" list and the daily digest use this.
FAILED = Q(status__in=[Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE]) | Q(
    status=Status.TEMPORARY_FAILURE, next_attempt_at__isnull=True
)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, … up to an hour."""
    return datetime.timedelta(seconds=min(settings.NOTIFICATION_RETRY_BASE * 2 ** max(attempts - 1, 0), 3600))


def enqueue(notification_ids: Iterable[int]) -> int:
    """Queue delivery tasks; if the broker is down the rows stay `created` for the sweeper."""
    from services.tasks import deliver_notification

    queued = 0
    rows = Notification.objects.filter(pk__in=list(notification_ids)).values_list("pk", "channel")
    for pk, channel in rows:
        try:
            deliver_notification.apply_async(args=[pk], queue=QUEUES.get(channel, "celery"), retry=False)
            queued += 1
        except Exception as error:  # the broker is unreachable: nothing is lost, the sweeper re-queues
            log.warning("notification %s not queued (%s); the sweeper will queue it", pk, error)
            break
    return queued


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


def _send_email(notification: Notification) -> int | None:
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
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentFailure(f"mail server refused: {error}") from None
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentFailure(f"mail server refused: {error.smtp_code} {error.smtp_error!r}") from None
        raise TemporaryFailure(f"mail server: {error.smtp_code} {error.smtp_error!r}") from None
    except (ConnectionError, TimeoutError, OSError) as error:
        raise TemporaryFailure(f"mail server: {error}") from None
    return None


def _send_sms(notification: Notification) -> int | None:
    text = f"【先丰港】{notification.subject}"
    return sms.backend().send(notification.recipient.phone, text[:300])


SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms, Channel.WEBHOOK: webhooks.post_event}


def deliver(notification_id: int) -> str:
    """Send one notification if it is due; returns the status it ends in, or "skipped"."""
    now = timezone.now()
    notification = Notification.objects.select_related("recipient", "endpoint").filter(pk=notification_id).first()
    if notification is None or notification.channel not in SENDERS:
        return "skipped"
    if notification.channel == Channel.SMS and notification.status == Status.CREATED:
        quiet_end = _quiet_until(notification, now)
        if quiet_end:
            Notification.objects.filter(pk=notification_id, status=Status.CREATED).update(next_attempt_at=quiet_end)
            return "skipped"
    claimed = Notification.objects.filter(_claimable(now), pk=notification_id).update(
        status=Status.SENDING, sending_since=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    if notification.status == Status.SENDING:  # claimed back from a worker that died mid-send
        DeliveryAttempt.objects.create(notification=notification, number=notification.attempts,
                                       outcome=Status.TECHNICAL_FAILURE, error="the worker was lost during delivery")
    notification.refresh_from_db(fields=["status", "attempts", "sending_since"])

    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code = SENDERS[notification.channel](notification)
        outcome = Status.DELIVERED if notification.channel == Channel.WEBHOOK else Status.SENT
    except PermanentFailure as failure:
        outcome, status_code, error = Status.PERMANENT_FAILURE, failure.status_code, str(failure)
    except TemporaryFailure as failure:
        outcome, status_code, error = Status.TEMPORARY_FAILURE, failure.status_code, str(failure)
    except DeliveryFailure as failure:  # pragma: no cover - every channel raises one of the two above
        outcome, error = Status.TECHNICAL_FAILURE, str(failure)
    except Exception as failure:  # a fault of ours: shown in the admin, resent by hand
        log.exception("notification %s failed", notification_id)
        outcome, error = Status.TECHNICAL_FAILURE, f"{type(failure).__name__}: {failure}"
    latency = int((time.monotonic() - started) * 1000)

    retry_at = None
    if outcome == Status.TEMPORARY_FAILURE and notification.attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        retry_at = timezone.now() + retry_delay(notification.attempts)
    elif outcome == Status.TEMPORARY_FAILURE:
        error = f"{error} (gave up after {notification.attempts} attempts)"
    with transaction.atomic():
        DeliveryAttempt.objects.create(notification=notification, number=notification.attempts, outcome=outcome,
                                       status_code=status_code, latency_ms=latency, error=error[:2000])
        Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
            status=outcome, last_error=error[:2000], next_attempt_at=retry_at, sending_since=None,
            sent_at=timezone.now() if outcome in (Status.SENT, Status.DELIVERED) else None,
        )
    if retry_at is not None:
        transaction.on_commit(lambda: _retry_later(notification, retry_at))
    return outcome


def _retry_later(notification: Notification, retry_at: datetime.datetime) -> None:
    from services.tasks import deliver_notification

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process tasks cannot wait: the sweeper retries the row when it is due

    try:
        deliver_notification.apply_async(args=[notification.pk], queue=QUEUES[notification.channel],
                                         eta=retry_at, retry=False)
    except Exception as error:  # the sweeper picks it up when it is due
        log.warning("retry of notification %s not queued (%s)", notification.pk, error)


def sweep(limit: int = 1000) -> int:
    """Queue again what the broker lost (`created` for a while), what is due a retry, and what a
    dead worker left in `sending`."""
    now = timezone.now()
    settled = now - datetime.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER)
    due = (
        Notification.objects.filter(_claimable(now))
        .exclude(channel=Channel.INBOX)
        .filter(Q(created_at__lt=settled) | Q(next_attempt_at__isnull=False))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(list(due))


def resend(actor: Any, notification: Notification) -> Notification:
    """Send a notification again (a failed one, or a webhook event the receiver lost)."""
    if notification.channel == Channel.INBOX:
        raise ValueError("inbox messages are not sent")
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk).exclude(status=Status.SENDING).update(
            status=Status.CREATED, next_attempt_at=None, last_error="")
        if updated:
            record_event(actor, "notification.resent", notification, data={"channel": notification.channel})
            transaction.on_commit(lambda: enqueue([notification.pk]))
    notification.refresh_from_db()
    return notification


def failures_since(since: datetime.datetime) -> dict[str, int]:
    """Failed deliveries since `since`, by channel: for the daily digest to admins."""
    failed = Notification.objects.filter(FAILED, created_at__gte=since)
    return dict(failed.values_list("channel").annotate(n=Count("id")).order_by())


def send_failure_digest() -> int:
    """Tell every active superuser how many notifications failed in the last day; 0 if none did."""
    from django.contrib.auth import get_user_model

    from services.notifications import notify

    now = timezone.now()
    counts = failures_since(now - datetime.timedelta(days=1))
    if not counts:
        return 0
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    summary = ", ".join(f"{channel}: {n}" for channel, n in sorted(counts.items()))
    for admin_user in admins:
        notify(admin_user, "notifications.failure_digest",
               context={"total": sum(counts.values()), "summary": summary},
               key=f"{timezone.localdate(now)}", link="/admin/services/notification/?failed=1")
    return len(admins)
