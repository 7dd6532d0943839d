"""REST resources: the caller's inbox (/api/v1/notifications/) and their enterprises' webhooks
(/api/v1/webhooks/) with the delivery log and re-send.

Serializers and viewsets stay thin: registration and its refusals are in services/webhooks.py,
deactivation in services/preferences.py, re-sending in services/delivery.py. Querysets are
scoped to the caller, so another person's message or another enterprise's endpoint is a 404;
only on registration, where the enterprise is named in the body, is it a 400 naming `enterprise`.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enterprises.models import Enterprise
from notifications import delivery
from notifications.inbox import inbox_of, mark_read
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from notifications.outbox import WEBHOOK_EVENTS
from notifications.preferences import deactivate_webhook
from notifications.selectors import delivery_log
from notifications.webhooks import register_webhook
from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination

Channel = Notification.Channel

# --- serializers -------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "language", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None


class WebhookSerializer(serializers.ModelSerializer):
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookEndpoint
        # The secret is never sent back: the client chose it and keeps it.
        fields = ["id", "enterprise", "url", "events", "is_active", "created_at"]
        read_only_fields = fields


class WebhookCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(label=_("enterprise id"))
    url = serializers.CharField(label=_("URL"), trim_whitespace=True)
    events = serializers.ListField(
        child=serializers.CharField(), label=_("events"),
        help_text=format_lazy("{} {}", _("One or more of:"), ", ".join(WEBHOOK_EVENTS)),
    )
    secret = serializers.CharField(label=_("signing secret"), write_only=True, trim_whitespace=False)


# Plain strings in the schema: an enum component named after "status" would collide with the
# applications' status (drf-spectacular names enums by field); the values are listed instead.
STATUS_HELP = format_lazy("{} {}", _("One of:"), ", ".join(Notification.Status.values))


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "outcome", "status_code", "latency_ms", "error"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One event sent to an endpoint: `id` is the notification, `event_id` what the receiver saw."""

    event = serializers.CharField(source="kind", read_only=True)
    event_id = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    delivery_attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "event_id", "endpoint", "status", "attempts", "last_error", "created_at",
                  "next_attempt_at", "sent_at", "delivery_attempts"]
        read_only_fields = fields

    def get_event_id(self, notification: Notification) -> str:
        return f"evt_{notification.pk}"


# --- filters and pagination --------------------------------------------------------------------


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("unread"))
    kind = django_filters.CharFilter(field_name="kind", lookup_expr="exact", label=_("kind of event"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class WebhookFilterSet(django_filters.FilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("enterprise id"))
    is_active = django_filters.BooleanFilter(field_name="is_active", label=_("active"))

    class Meta:
        model = WebhookEndpoint
        fields = ["enterprise", "is_active"]


# --- examples in the schema --------------------------------------------------------------------

NOTIFICATION_EXAMPLE = {
    "id": 88, "kind": "application.changed", "subject": "FT-2026-000042 已受理",
    "body": "您单位申请的“建设工程规划许可”（FT-2026-000042）状态变为：已受理。", "link": "/applications/42/",
    "language": "zh-hans", "created_at": "2026-12-01T09:05:00+08:00", "read_at": None, "unread": True,
}
WEBHOOK_REQUEST_EXAMPLE = {
    "enterprise": 3, "url": "https://erp.example.com/hooks/xfg", "events": ["application.status_changed"],
    "secret": "9c1e5f3a7b2d4e6f8a0b1c2d3e4f5a6b",
}
WEBHOOK_EXAMPLE = {"id": 5, "enterprise": 3, "url": "https://erp.example.com/hooks/xfg",
                   "events": ["application.status_changed"], "is_active": True,
                   "created_at": "2026-11-30T10:00:00+08:00"}
DELIVERY_EXAMPLE = {
    "id": 120, "event": "application.status_changed", "event_id": "evt_120", "endpoint": 5, "status": "sent",
    "attempts": 2, "last_error": "", "created_at": "2026-12-01T09:05:00+08:00", "next_attempt_at": None,
    "sent_at": "2026-12-01T09:06:02+08:00",
    "delivery_attempts": [
        {"number": 1, "attempted_at": "2026-12-01T09:05:01+08:00", "outcome": "temporary-failure",
         "status_code": 503, "latency_ms": 812, "error": "HTTP 503"},
        {"number": 2, "attempted_at": "2026-12-01T09:06:02+08:00", "outcome": "sent", "status_code": 200,
         "latency_ms": 95, "error": ""},
    ],
}


# --- viewsets ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("A page of the inbox", response_only=True,
                                                value=NOTIFICATION_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("A message", response_only=True, value=NOTIFICATION_EXAMPLE)]),
)
class NotificationViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's inbox, newest first; `?unread=true` for what is not read yet."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    pagination_class = CursorPagination
    ordering = "-created_at"
    ordering_fields = {"created_at": "created_at"}

    def get_queryset(self):
        return inbox_of(self.request.user)  # none without a user, as when the schema generator asks

    @extend_schema(request=None, responses={200: NotificationSerializer}, filters=False, examples=[
        OpenApiExample("Read", response_only=True, value={**NOTIFICATION_EXAMPLE, "unread": False,
                                                          "read_at": "2026-12-01T10:00:00+08:00"}),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request, pk=None):
        """Mark one message read; reading it again changes nothing."""
        return Response(self.get_serializer(mark_read(request.user, pk)).data)


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("The endpoints of the caller's enterprises", response_only=True,
                                                value=WEBHOOK_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("An endpoint", response_only=True, value=WEBHOOK_EXAMPLE)]),
)
class WebhookViewSet(
    IdempotentMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Endpoints of the caller's enterprises: register, list, deactivate, read the log, re-send."""

    serializer_class = WebhookSerializer
    filterset_class = WebhookFilterSet

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(
            enterprise__in=Enterprise.objects.of_member(self.request.user)
        ).order_by("id")

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookSerializer}, examples=[
        OpenApiExample("An endpoint for status changes", request_only=True, value=WEBHOOK_REQUEST_EXAMPLE),
        OpenApiExample("Registered (the secret is never sent back)", response_only=True, status_codes=["201"],
                       value=WEBHOOK_EXAMPLE),
    ])
    def create(self, request, *args, **kwargs):
        payload = WebhookCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        # Never reveal that another enterprise exists: a stranger's id reads as "not found".
        enterprise = Enterprise.objects.of_member(request.user).filter(pk=data["enterprise"]).first()
        if enterprise is None:
            raise ValidationError({"enterprise": _("Enterprise not found among yours.")})
        endpoint = register_webhook(request.user, enterprise, data["url"], data["events"], data["secret"])
        return Response(WebhookSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Deactivate the endpoint: it receives no more events, its delivery log stays."""
        deactivate_webhook(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: DeliverySerializer(many=True)}, filters=False, examples=[
        OpenApiExample("A page of the log: sent on the second attempt", response_only=True, value=DELIVERY_EXAMPLE),
    ])
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=CursorPagination,
            serializer_class=DeliverySerializer)
    def deliveries(self, request, pk=None):
        """The delivery log: every event sent to this endpoint, newest first, with each attempt."""
        page = self.paginate_queryset(delivery_log(self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None, responses={202: DeliverySerializer}, filters=False,
        examples=[OpenApiExample("Queued to be sent again", response_only=True, status_codes=["202"], value={
            **DELIVERY_EXAMPLE, "status": "created", "last_error": ""})],
        parameters=[OpenApiParameter("notification_id", int, OpenApiParameter.PATH,
                                     description=_("The id of the delivery (the number in its event id)."))],
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<notification_id>[0-9]+)/resend",
            filterset_class=None, serializer_class=DeliverySerializer)
    def resend(self, request, pk=None, notification_id=None):
        """Send one event again, byte for byte the same, with the same event id (409 while it is
        being sent, or when the endpoint is deactivated)."""
        endpoint = self.get_object()
        notification = delivery_log(endpoint).filter(pk=notification_id).first()
        if notification is None:
            raise Http404
        delivery.resend(request.user, notification)  # its refusals are answered 409
        fresh = delivery_log(endpoint).get(pk=notification.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)
