"""Messages to people and to integrating systems, written to the outbox in the caller's transaction.

`notify` writes the inbox message and one row per further channel the recipient wants
(e-mail, SMS); `publish` writes one row per webhook endpoint subscribed to the event.
Each row's id is queued for delivery after commit (`notifications.delivery`), so a change that
rolls back sends nothing and a broker that is down loses nothing: the sweeper queues the
row again later. Subject and body are rendered in the recipient's language when written,
so the inbox and the delivery log show exactly what was sent.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from notifications.models import Notification, NotificationPreference, WebhookEndpoint
from portal.core import access

Channel = Notification.Channel

TEMPLATES: dict[str, tuple[Any, Any]] = {
    "enterprise.verified": (
        _("Enterprise verified: %(enterprise)s"),
        _(
            "The registration of %(enterprise)s (USCC %(uscc)s) has been verified. "
            "You can now file applications for it."
        ),
    ),
    "enterprise.rejected": (
        _("Enterprise registration rejected: %(enterprise)s"),
        _(
            "The registration of %(enterprise)s (USCC %(uscc)s) was not verified. "
            "Reason: %(reason)s"
        ),
    ),
    "enterprise.invited": (
        _("You were added to %(enterprise)s"),
        _("%(inviter)s added you to %(enterprise)s as %(role)s."),
    ),
    "application.changed": (
        _("%(reference)s: %(state)s"),
        _("Your application %(reference)s for “%(service)s” is now: %(state)s. %(reason)s"),
    ),
    "rectification.closed": (
        _("%(reference)s: the department answered your rating"),
        _("%(department)s has closed the rectification after your rating of application %(reference)s for "
          "“%(service)s”. Outcome: %(outcome)s"),
    ),
    "task.opened": (
        _("New task: %(reference)s"),
        _("Application %(reference)s for “%(service)s” waits for your department."),
    ),
    "post_check.assigned": (
        _("Post-check drawn: %(reference)s"),
        _("You were drawn to check application %(reference)s for “%(service)s” by %(due)s."),
    ),
    "deferred.reminder": (
        _("Reminder: %(material)s due %(due)s"),
        _("Application %(reference)s: supply “%(material)s” by %(due)s (%(days)s working day(s) left), or the approval will be suspended."),
    ),
    "policy.matched": (
        _("Policies you may apply for: %(enterprise)s"),
        _("%(count)s new district policies for %(enterprise)s, benefiting %(talent)s talent: %(policies)s. "
          "Open the service package to confirm the offers or apply."),
    ),
    "offer.changed": (
        _("%(policy)s: %(state)s"),
        _("The offer of “%(policy)s” for %(subject)s is now: %(state)s. %(reason)s"),
    ),
    "benefit.confirmed": (
        _("A benefit confirmed for you: %(policy)s"),
        _("%(enterprise)s confirmed “%(policy)s” for you, with your consent. It is now: %(state)s."),
    ),
    "manager.matched": (
        _("Policies matched for an enterprise you look after: %(enterprise)s"),
        _("%(count)s new district policies for %(enterprise)s, benefiting %(talent)s talent: %(policies)s."),
    ),
    "manager.offer_confirmed": (
        _("Offer confirmed: %(enterprise)s"),
        _("%(enterprise)s confirmed the offer of “%(policy)s”. It is now: %(state)s."),
    ),
    "notifications.failure_digest": (
        _("%(total)s notification(s) failed in the last day"),
        _("Failed deliveries in the last 24 hours by channel: %(summary)s. Open the notifications "
          "list in the admin to see the errors and resend."),
    ),
    "audit.chain_broken": (
        _("The audit trail is broken at event #%(event)s"),
        _("The nightly check of the audit chain found %(count)s broken link(s). The first is event "
          "#%(event)s (at %(at)s, action %(action)s): stored hash %(stored)s, expected %(expected)s. "
          "The trail was changed outside the portal: keep a copy of the database before anything else."),
    ),
    "sla.warning": (
        _("Deadline approaching: %(reference)s"),
        _("Application %(reference)s for “%(service)s” is due on %(due)s."),
    ),
    # The service manager's (服务管家) messages: what happens to the enterprises they look after.
    "manager.alert": (
        _("%(enterprise)s filed %(reference)s"),
        _("%(enterprise)s, an enterprise you look after, filed application %(reference)s for “%(service)s”."),
    ),
    "manager.digest": (
        _("Your enterprises on %(date)s"),
        _("%(enterprises)s enterprise(s) in your care. %(summary)s Open the workbench to see them."),
    ),
    "thread.message": (
        _("New message: %(enterprise)s"),
        _("%(author)s wrote about %(enterprise)s: %(excerpt)s"),
    ),
    "obligation.reminder": (
        _("In %(days)s day(s): %(title)s"),
        _("%(enterprise)s: %(title)s on %(due)s (%(days)s day(s) left). %(detail)s"),
    ),
}
# Other wordings of a kind, for what it says in a particular case (`notify(..., variant=...)`): one
# preference, the right sentence. A deadline that has passed is overdue, never "due on".
VARIANTS: dict[str, tuple[Any, Any]] = {
    "sla.warning:overdue": (
        _("Overdue: %(reference)s"),
        _("Application %(reference)s for “%(service)s” was due on %(due)s and is overdue."),
    ),
    "sla.warning:escalated": (
        _("Past the statutory time limit: %(reference)s"),
        _("Application %(reference)s for “%(service)s” was due on %(due)s and is past its statutory time "
          "limit: it is escalated."),
    ),
    "manager.alert:late": (
        _("Late: %(reference)s of %(enterprise)s"),
        _("Application %(reference)s of %(enterprise)s for “%(service)s” was due on %(due)s (%(stage)s) and is late."),
    ),
    "manager.alert:matched": (
        _("%(enterprise)s matched %(count)s policy(ies)"),
        _("The district's policies found %(enterprise)s: %(policies)s."),
    ),
    "manager.alert:rated_badly": (
        _("%(enterprise)s rated %(reference)s %(score)s of 5"),
        _("%(enterprise)s rated application %(reference)s for “%(service)s” %(score)s of 5: %(comment)s"),
    ),
    "sla.warning:post_check_overdue": (
        _("Post-check overdue: %(reference)s"),
        _("The post-check of application %(reference)s for “%(service)s” was due on %(due)s and is overdue."),
    ),
    "sla.warning:rectification_overdue": (
        _("Rectification overdue: %(reference)s"),
        _("The rectification after the applicant's rating of application %(reference)s for “%(service)s” "
          "was due on %(due)s and is overdue."),
    ),
}
# The wording of each deadline colour (services' timers): yellow approaches, red and escalated have passed.
SLA_VARIANTS = {"yellow": "", "red": "overdue", "escalated": "escalated"}


def template_key(kind: str, variant: str = "") -> str:
    """The key of the text a message is written with: the kind's own, or one of its variants."""
    key = f"{kind}:{variant}" if variant else kind
    if key not in TEMPLATES and key not in VARIANTS:
        raise KeyError(f"no text for {key!r}")
    return key


def _render(key: str, recipient: Any, context: dict[str, Any],
            texts: dict[tuple[str, str], tuple[str, str]] | None = None) -> tuple[str, str, str]:
    """(language, subject, body) of a message. `texts` keeps each wording once translated, for runs
    writing thousands of messages; a context holding lazy text is rendered in the language itself."""
    language = getattr(recipient, "language", "") or "zh-hans"
    if texts is None or any(isinstance(value, Promise) for value in context.values()):
        subject_template, body_template = TEMPLATES.get(key) or VARIANTS[key]
        with override(language):
            return language, (str(subject_template) % context)[:200], str(body_template) % context
    if (key, language) not in texts:
        subject_template, body_template = TEMPLATES.get(key) or VARIANTS[key]
        with override(language):
            texts[key, language] = str(subject_template), str(body_template)
    subject, body = texts[key, language]
    return language, (subject % context)[:200], body % context


# The kinds a person may receive, with their defaults on each channel. The inbox is always on.
# `audience`: who is offered the kind in their settings (officials, superusers; default everyone).
KINDS: dict[str, dict[str, Any]] = {
    "enterprise.verified": {"label": _("Enterprise registration decided"), "email": True, "sms": True},
    "enterprise.rejected": {"label": _("Enterprise registration decided"), "email": True, "sms": True},
    "enterprise.invited": {"label": _("Added to an enterprise"), "email": True, "sms": False},
    "application.changed": {"label": _("Status of an application"), "email": True, "sms": True},
    "rectification.closed": {"label": _("Rectification after my rating (好差评)"), "email": True, "sms": False},
    "task.opened": {"label": _("New task for my department"), "email": True, "sms": False, "audience": "staff"},
    "post_check.assigned": {"label": _("Post-check assigned to me"), "email": True, "sms": False,
                            "audience": "staff"},
    "deferred.reminder": {"label": _("Deferred material due"), "email": True, "sms": True},
    "sla.warning": {"label": _("Deadline warnings"), "email": True, "sms": False, "audience": "staff"},
    "policy.matched": {"label": _("Talent policies matched (免申即享)"), "email": True, "sms": False},
    "manager.alert": {"label": _("My enterprises filed, late, matched or rating badly (服务管家)"), "email": True,
                      "sms": False, "audience": "staff"},
    "manager.digest": {"label": _("Daily digest of my enterprises (服务管家)"), "email": True, "sms": False,
                       "audience": "staff"},
    "thread.message": {"label": _("Messages between an enterprise and its service manager"), "email": True,
                       "sms": False},
    "obligation.reminder": {"label": _("Obligations coming due (承诺与义务日历)"), "email": True, "sms": False},
    "offer.changed": {"label": _("Offers of policies enjoyed without applying (免申即享)"), "email": True,
                      "sms": True},
    "benefit.confirmed": {"label": _("A personal benefit confirmed for me"), "email": True, "sms": True},
    "manager.matched": {"label": _("Policies matched for the enterprises I look after"), "email": True,
                        "sms": False, "audience": "staff"},
    "manager.offer_confirmed": {"label": _("Offers confirmed by the enterprises I look after"), "email": True,
                                "sms": False, "audience": "staff"},
    "notifications.failure_digest": {"label": _("Daily digest of failed notifications"), "email": True,
                                     "sms": False, "audience": "superusers"},
    "audit.chain_broken": {"label": _("Audit trail found broken"), "email": True, "sms": False,
                           "audience": "superusers"},
}


def offered_to(user: Any, kind: str) -> bool:
    """Whether `user` is offered `kind` in their settings: officials' kinds only to officials."""
    audience = KINDS[kind].get("audience", "everyone")
    return (audience == "everyone" or (audience == "staff" and access.is_official(user))
            or (audience == "superusers" and access.is_superuser(user)))


# Events an integrating system can subscribe a webhook to.
WEBHOOK_EVENTS = {
    "application.status_changed": _("An application of the enterprise changed status"),
    "enterprise.status_changed": _("The enterprise's registration was decided"),
    "policy.matched": _("Talent of the enterprise matched a talent policy"),
}


def wanted_channels(recipient: Any, kind: str, preferences: dict[tuple[str, str], bool] | None = None) -> list[str]:
    """The channels `recipient` receives `kind` on: the inbox, then e-mail and SMS by choice or default."""
    if preferences is None:
        preferences = {
            (p.kind, p.channel): p.enabled
            for p in NotificationPreference.objects.filter(user=recipient, kind=kind)
        }
    defaults = KINDS.get(kind, {})
    channels = [Channel.INBOX]
    if getattr(recipient, "email", "") and preferences.get((kind, Channel.EMAIL), defaults.get("email", False)):
        channels.append(Channel.EMAIL)
    if getattr(recipient, "phone", "") and preferences.get((kind, Channel.SMS), defaults.get("sms", False)):
        channels.append(Channel.SMS)
    return channels


def _values(recipient: Any, kind: str, channel: str, context: dict[str, Any], key: str, link: str,
            variant: str = "", now: Any = None, texts: dict | None = None) -> dict[str, Any]:
    """The columns of one message, rendered in the recipient's language."""
    text = template_key(kind, variant)
    language, subject, body = _render(text, recipient, context, texts)
    inbox = channel == Channel.INBOX
    return {
        "recipient_id": recipient.pk, "channel": channel, "kind": kind, "template_key": text, "language": language,
        "subject": subject, "body": body, "context": {k: str(v) for k, v in context.items()}, "link": link,
        # The inbox is its own delivery: the row is the message.
        "status": Notification.Status.DELIVERED if inbox else Notification.Status.CREATED,
        "sent_at": (now or timezone.now()) if inbox else None,
        "idempotency_key": f"{kind}:{channel}:{recipient.pk}:{key}",
    }


def _row(recipient: Any, kind: str, channel: str, context: dict[str, Any], key: str, link: str,
         variant: str = "") -> Notification:
    values = _values(recipient, kind, channel, context, key, link, variant)
    values.pop("recipient_id")
    return Notification(recipient=recipient, **values)


def queue_after_commit(notification_ids: Iterable[int]) -> None:
    """Queue delivery once the transaction that wrote the rows has committed."""
    ids = list(notification_ids)
    if ids:
        from notifications.delivery import enqueue

        transaction.on_commit(lambda: enqueue(ids))


def notify(
    recipient: Any,
    kind: str,
    *,
    context: dict[str, Any],
    key: str,
    link: str = "",
    variant: str = "",
) -> Notification:
    """Tell `recipient` on every channel they want; the same `key` never writes a second message.

    `variant` picks another wording of the kind (`VARIANTS`). Returns the inbox message.
    """
    inbox = None
    queued = []
    for channel in wanted_channels(recipient, kind):
        row = _row(recipient, kind, channel, context, key, link, variant)
        defaults = {f.attname: getattr(row, f.attname) for f in Notification._meta.concrete_fields
                    if f.attname not in ("id", "idempotency_key", "created_at")}
        notification, created = Notification.objects.get_or_create(idempotency_key=row.idempotency_key,
                                                                   defaults=defaults)
        if channel == Channel.INBOX:
            inbox = notification
        elif created:
            queued.append(notification.pk)
    queue_after_commit(queued)
    return inbox


def notify_many(kind: str, messages: list[tuple[Any, dict[str, Any], str, str]]) -> int:
    """Write many notifications at once: (recipient, context, key, link) each.

    For runs that tell thousands of people; a key already written is skipped, as in `notify`.
    Returns the number of messages written.
    """
    recipients = {recipient.pk for recipient, *_rest in messages}
    preferences: dict[int, dict[tuple[str, str], bool]] = {pk: {} for pk in recipients}
    for preference in NotificationPreference.objects.filter(user_id__in=recipients, kind=kind):
        preferences[preference.user_id][(preference.kind, preference.channel)] = preference.enabled
    now, texts = timezone.now(), {}
    rows = [
        _values(recipient, kind, channel, context, key, link, now=now, texts=texts)
        for recipient, context, key, link in messages
        for channel in wanted_channels(recipient, kind, preferences[recipient.pk])
    ]
    written = _insert_many if connection.vendor == "postgresql" else _bulk_create_many
    to_send, count = [], 0
    for start in range(0, len(rows), BATCH):
        new = written(rows[start:start + BATCH], now)
        count += len(new)
        to_send += [pk for pk, channel in new if channel != Channel.INBOX]
    queue_after_commit(to_send)
    return count


BATCH = 5000
_COLUMNS = {  # column: its PostgreSQL type, for the INSERT … SELECT FROM jsonb_to_recordset() of `_insert_many`
    "recipient_id": "bigint", "channel": "varchar", "kind": "varchar", "template_key": "varchar",
    "language": "varchar", "subject": "varchar", "body": "text", "context": "jsonb", "link": "varchar",
    "status": "varchar", "sent_at": "timestamptz", "idempotency_key": "varchar",
}


def _insert_many(rows: list[dict[str, Any]], now: Any) -> list[tuple[int, str]]:
    """One statement per batch, the rows passed as one JSON document; returns (id, channel) of the rows new.

    Several times faster than a multi-row VALUES with a parameter per cell (or arrays, which the
    driver escapes element by element), and RETURNING names the rows to send without looking
    them up again by key.
    """
    columns = ", ".join(_COLUMNS)
    shape = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} ({columns}, template_version, attempts, "
            f"attempts_before_resend, last_error, created_at) "
            f"SELECT {columns}, 1, 0, 0, '', %s FROM jsonb_to_recordset(%s::jsonb) AS row({shape}) "
            f"ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, channel",
            [now, json.dumps(rows, ensure_ascii=False, cls=DjangoJSONEncoder)])
        return cursor.fetchall()


def _bulk_create_many(rows: list[dict[str, Any]], now: Any) -> list[tuple[int, str]]:
    """The same on other databases (SQLite under `make run`): bulk_create, then the new rows by key."""
    keys = [row["idempotency_key"] for row in rows]
    existing = set(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    Notification.objects.bulk_create([Notification(**row) for row in rows if row["idempotency_key"] not in existing],
                                     batch_size=2000, ignore_conflicts=True)
    new = set(keys) - existing
    return list(Notification.objects.filter(idempotency_key__in=new).values_list("id", "channel")) if new else []


def publish(enterprise: Any, event: str, data: dict[str, Any], key: str) -> list[Notification]:
    """Send `event` to every active webhook endpoint of `enterprise` subscribed to it."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(enterprise=enterprise, is_active=True)
                 if event in e.events]
    written = []
    for endpoint in endpoints:
        notification, created = Notification.objects.get_or_create(
            idempotency_key=f"{event}:webhook:{endpoint.pk}:{key}",
            defaults={
                "endpoint": endpoint, "channel": Channel.WEBHOOK, "kind": event, "template_key": event,
                "language": "", "subject": event[:200], "context": data, "body": "",
            },
        )
        if created:
            # The body is fixed when written, so a re-send is byte for byte the same event.
            notification.body = json.dumps(
                {"id": f"evt_{notification.pk}", "event": event,
                 "created": timezone.localtime(notification.created_at).isoformat(), "data": data},
                ensure_ascii=False, sort_keys=True, default=str,
            )
            notification.save(update_fields=["body"])
            written.append(notification)
    queue_after_commit(n.pk for n in written)
    return written


def unread_count(user: Any) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.INBOX, read_at__isnull=True
    ).count()
