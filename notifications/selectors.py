"""Read-only questions about what was sent, asked by the webhook pages and the API alike."""

from django.db.models import Prefetch, QuerySet

from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint


def delivery_log(endpoint: WebhookEndpoint | QuerySet[WebhookEndpoint]) -> QuerySet[Notification]:
    """The events sent to `endpoint` (or to each endpoint of a queryset), newest first, each with its
    attempts in order, fetched in one more query whatever the number of events."""
    endpoints = endpoint if isinstance(endpoint, QuerySet) else WebhookEndpoint.objects.filter(pk=endpoint.pk)
    return (
        Notification.objects.filter(endpoint__in=endpoints, channel=Notification.Channel.WEBHOOK)
        .select_related("endpoint")
        .prefetch_related(Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )
