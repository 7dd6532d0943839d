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
    "sla.warning": (
        _("Deadline %(level)s: %(reference)s"),
        _("Application %(reference)s for “%(service)s” is due %(due)s (%(level)s)."),
    ),
}


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
    subject_template, body_template = TEMPLATES[kind]
    language = getattr(recipient, "language", "") or "zh-hans"
    with override(language):
        subject = str(subject_template) % context
        body = str(body_template) % context
    notification, _created = Notification.objects.get_or_create(
        idempotency_key=f"{kind}:{channel}:{recipient.pk}:{key}",
        defaults={
            "recipient": recipient,
            "channel": channel,
            "kind": kind,
            "template_key": kind,
            "language": language,
            "subject": subject[:200],
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


def unread_count(user: Any) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.INBOX, read_at__isnull=True
    ).count()
