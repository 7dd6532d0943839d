from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from notifications.delivery import FAILED
from notifications.delivery import resend as resend_notification
from notifications.models import DeliveryAttempt, Notification, NotificationPreference, WebhookEndpoint
from portal.core import access
from portal.core.admin import ReadOnly, SuperuserOnly
from portal.core.errors import IllegalTransition

# --- the outbox: failed deliveries in sight, resent by hand ----------------------------------

Status = Notification.Status
Channel = Notification.Channel

DELIVERY_STATES: dict[str, Q] = {
    "1": FAILED,
    "retrying": Q(status=Status.TEMPORARY_FAILURE, next_attempt_at__isnull=False),
    "pending": Q(status__in=[Status.CREATED, Status.SENDING]),
    "done": Q(status__in=[Status.SENT, Status.DELIVERED]),
}


def _sees_notifications(request: HttpRequest) -> bool:
    """Superusers see the whole outbox; officials only their own failed messages (see get_queryset)."""
    return access.is_official(request.user)


class DeliveryFilter(admin.SimpleListFilter):
    """Where a message stands; `?failed=1` is the link of the daily digest of failures."""

    title = _("Delivery")
    parameter_name = "failed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("1", _("failed")),
            ("retrying", _("retrying")),
            ("pending", _("pending")),
            ("done", _("done")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        condition = DELIVERY_STATES.get(self.value() or "")
        return queryset.filter(condition) if condition is not None else queryset


class DeliveryAttemptInline(ReadOnly, admin.TabularInline):
    """Every try with its outcome, HTTP status, latency and error: the evidence behind a status."""

    model = DeliveryAttempt
    fields = ["number", "attempted_at", "outcome", "status_code", "latency_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _sees_notifications(request)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom, what failed and why, and a resend action.

    An official sees only the failed messages addressed to themselves, never other people's.
    """

    list_display = ["created_at", "addressee", "channel", "kind", "subject", "status", "attempts", "short_error"]
    list_filter = [DeliveryFilter, "channel", "status", "kind"]
    search_fields = ["subject", "recipient__username", "recipient__email", "endpoint__url", "idempotency_key"]
    list_select_related = ["recipient", "endpoint"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    fieldsets = [
        (None, {"fields": ["recipient", "endpoint", "channel", "kind", "template_key", "template_version",
                           "language"]}),
        (_("Message"), {"fields": ["subject", "body", "link", "context"]}),
        (_("Delivery"), {"fields": ["status", "attempts", "last_error", "next_attempt_at", "sending_since",
                                    "sent_at", "read_at", "created_at", "idempotency_key"]}),
    ]
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if access.is_superuser(request.user):
            return queryset
        if _sees_notifications(request):
            return queryset.filter(FAILED, recipient=request.user)
        return queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _sees_notifications(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _sees_notifications(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_superuser(request.user)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return _sees_notifications(request)

    @admin.display(description=_("recipient or endpoint"), ordering="recipient__username")
    def addressee(self, notification: Notification) -> Any:
        return notification.recipient or notification.endpoint or "—"

    @admin.display(description=_("last error"))
    def short_error(self, notification: Notification) -> str:
        if not notification.last_error:
            return ""
        return format_html('<span title="{}">{}</span>', notification.last_error[:1000],
                           Truncator(notification.last_error).chars(80))

    @admin.action(description=_("Resend the selected notifications"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Queue each selected message again; `resend` refuses what cannot be sent, and says why."""
        queued = skipped = 0
        reasons: list[str] = []
        for notification in queryset.order_by("pk"):
            try:
                resend_notification(request.user, notification)
            except IllegalTransition as refusal:
                skipped += 1
                if str(refusal.message) not in reasons:
                    reasons.append(str(refusal.message))
            else:
                queued += 1
        summary = _("%(queued)d notification(s) queued to be sent again; %(skipped)d skipped (inbox messages are "
                    "not sent, and messages being sent right now are left alone).") % {
            "queued": queued, "skipped": skipped}
        # One message: the counts, then each distinct refusal once.
        self.message_user(request, " ".join([str(summary), *reasons]),
                          messages.SUCCESS if queued else messages.WARNING)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnly, admin.ModelAdmin):
    """Integrating systems' endpoints, for superusers; the signing secret never leaves the database.

    Only `active` can be changed here: URLs are registered through the API, which refuses private
    addresses, and a secret is known only to the enterprise that chose it.
    """

    list_display = ["url", "enterprise", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]
    exclude = ["secret"]
    fields = ["enterprise", "url", "events", "masked_secret", "is_active", "created_by", "created_at"]
    readonly_fields = ["enterprise", "url", "events", "masked_secret", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # registered through the API or the portal, which check the URL

    @admin.display(description=_("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events or [])

    @admin.display(description=_("signing secret"))
    def masked_secret(self, endpoint: WebhookEndpoint) -> str:
        return "••••••••" if endpoint.secret else "—"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnly, SuperuserOnly, admin.ModelAdmin):
    """People's channel choices, read-only: each person sets their own on the preferences page."""

    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["channel", "enabled", "kind"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "channel", "enabled"]


admin.site.site_header = _("Xianfenggang officials' admin")
admin.site.site_title = _("Xianfenggang admin")
admin.site.index_title = _("Approvals and records")
