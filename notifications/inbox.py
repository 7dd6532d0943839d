"""A person's inbox: the rows of the inbox channel addressed to them, and reading them."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification


def inbox_of(user: Any) -> QuerySet[Notification]:
    """The user's own inbox messages, newest first; nobody else's are ever among them."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.INBOX).order_by(
        "-created_at", "-id")


def mark_read(user: Any, pk: Any) -> Notification:
    """Mark the user's message `pk` read; reading it again changes nothing.

    Another person's message, or none, raises Notification.DoesNotExist: it is "not found" for them.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise Notification.DoesNotExist from None
    notification = inbox_of(user).get(pk=pk)
    # The update keeps the first reading's time when two arrive at once.
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification
