"""Messages to people, written to the outbox in the caller's transaction.

Each kind of event has one template here; subject and body are rendered in the
recipient's language when the row is written, so the inbox shows what was sent.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from services.models import Notification

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
        _("%(count)s new match(es) of your talent with district talent policies: %(policies)s. "
          "Open the service package of %(enterprise)s to apply."),
    ),
    "sla.warning": (
        _("Deadline %(level)s: %(reference)s"),
        _("Application %(reference)s for “%(service)s” is due %(due)s (%(level)s)."),
    ),
}


def _render(kind: str, recipient: Any, context: dict[str, Any]) -> tuple[str, str, str]:
    subject_template, body_template = TEMPLATES[kind]
    language = getattr(recipient, "language", "") or "zh-hans"
    with override(language):
        return language, (str(subject_template) % context)[:200], str(body_template) % context


def notify(
    recipient: Any,
    kind: str,
    *,
    context: dict[str, Any],
    key: str,
    link: str = "",
    channel: str = Notification.Channel.INBOX,
) -> Notification:
    """Write one notification for `recipient`; the same `key` never writes a second one."""
    language, subject, body = _render(kind, recipient, context)
    notification, _created = Notification.objects.get_or_create(
        idempotency_key=f"{kind}:{channel}:{recipient.pk}:{key}",
        defaults={
            "recipient": recipient,
            "channel": channel,
            "kind": kind,
            "template_key": kind,
            "language": language,
            "subject": subject,
            "body": body,
            "context": {k: str(v) for k, v in context.items()},
            "link": link,
            # The inbox is its own delivery: the row is the message.
            "status": Notification.Status.DELIVERED
            if channel == Notification.Channel.INBOX
            else Notification.Status.CREATED,
        },
    )
    return notification


def notify_many(kind: str, messages: list[tuple[Any, dict[str, Any], str, str]]) -> int:
    """Write many inbox notifications at once: (recipient, context, key, link) each.

    For runs that tell thousands of people; a key already written is skipped, as in `notify`.
    """
    channel = Notification.Channel.INBOX
    rows = []
    for recipient, context, key, link in messages:
        language, subject, body = _render(kind, recipient, context)
        rows.append(Notification(
            recipient=recipient, channel=channel, kind=kind, template_key=kind, language=language,
            subject=subject, body=body, context={k: str(v) for k, v in context.items()}, link=link,
            status=Notification.Status.DELIVERED, idempotency_key=f"{kind}:{channel}:{recipient.pk}:{key}",
        ))
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.INBOX, read_at__isnull=True
    ).count()
