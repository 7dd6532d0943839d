"""Retention of the outbox: message bodies are kept for a while, then purged.

A message's row stays (who was told what kind of thing, when, and whether it arrived); its body,
context, link and errors, and the delivery attempts' answers, are emptied once it is older than
`NOTIFICATION_RETENTION_DAYS`, or `SMS_RETENTION_DAYS` for SMS, which carry a phone number's
traffic. Messages still to be sent are never purged.
"""

import datetime

from django.db.models import Q, QuerySet

from notifications.models import DeliveryAttempt, Notification

PURGED = "—"
# Sent, delivered or given up: nothing will read the body again to send it.
DONE = [Notification.Status.SENT, Notification.Status.DELIVERED, Notification.Status.PERMANENT_FAILURE,
        Notification.Status.TECHNICAL_FAILURE]


def messages_to_purge(cutoff: datetime.datetime, sms_cutoff: datetime.datetime) -> QuerySet[Notification]:
    """Done messages past their retention period whose body has not been purged yet."""
    old = Q(created_at__lt=cutoff) & ~Q(channel=Notification.Channel.SMS)
    old_sms = Q(created_at__lt=sms_cutoff, channel=Notification.Channel.SMS)
    # An inbox message is never "sent" by a channel: it is done once it exists.
    done = Q(status__in=DONE) | Q(channel=Notification.Channel.INBOX)
    return Notification.objects.filter(old | old_sms).filter(done).exclude(body=PURGED)


def purge_messages(ids: list[int]) -> int:
    """Empty the bodies of these messages and their delivery attempts' answers."""
    DeliveryAttempt.objects.filter(notification_id__in=ids).update(response="", error="")
    return Notification.objects.filter(pk__in=ids).exclude(body=PURGED).update(
        body=PURGED, context={}, link="", last_error=""
    )
