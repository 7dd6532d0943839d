"""The outbox: every message to a person or an integrating system, stored before it is sent.

The tables keep the names they had when the outbox was part of the services app (`services_*`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.encrypted_fields import EncryptedCharField


class Notification(models.Model):
    """A message to one person (inbox, e-mail, SMS) or one webhook endpoint.

    It is written in the transaction of the change that causes it; its id is queued after
    commit, and the delivery task sends it only while it is `created` or retryable, so a
    task delivered twice never sends twice. The inbox reads these rows directly.
    """

    class Channel(models.TextChoices):
        INBOX = "inbox", _("In-site inbox")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        CREATED = "created", _("created")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        TEMPORARY_FAILURE = "temporary-failure", _("temporary failure")
        PERMANENT_FAILURE = "permanent-failure", _("permanent failure")
        TECHNICAL_FAILURE = "technical-failure", _("technical failure")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # the (recipient, channel, read_at) index serves
    )
    endpoint = models.ForeignKey(
        "notifications.WebhookEndpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("webhook endpoint"),
        db_index=False,  # the (endpoint, created_at) index serves
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind of event"), max_length=60)
    template_key = models.CharField(_("template"), max_length=60)
    template_version = models.PositiveSmallIntegerField(_("template version"), default=1)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    context = models.JSONField(_("context"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Tries before the last re-send by hand: the retry limit counts only the tries after it.
    attempts_before_resend = models.PositiveSmallIntegerField(_("attempts before the last re-send"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)  # unique: see Meta
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"), null=True, blank=True,
        help_text=_("A retry waits until then; SMS also wait for the end of the recipient's quiet hours."),
    )
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    # When its delivery task was last handed to the broker; empty while the broker was down.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["endpoint", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(endpoint__isnull=False),
                name="notification_has_a_recipient_or_endpoint",
            ),
            # A constraint rather than unique=True: on PostgreSQL that would add a second index
            # (for LIKE) to a table that takes a row per message, and nothing searches keys by prefix.
            models.UniqueConstraint(fields=["idempotency_key"], name="notification_idempotency_key_unique"),
        ]
        db_table = "services_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject


class DeliveryAttempt(models.Model):
    """One try at sending a notification: what came back and how long it took."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Notification.Status.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)
    # A webhook receiver's answer, cut to WEBHOOK_MAX_RESPONSE_BYTES: the evidence when it refuses.
    response = models.TextField(_("response"), blank=True, default="")

    class Meta:
        ordering = ["notification", "number"]
        db_table = "services_deliveryattempt"
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.notification_id} #{self.number} {self.outcome}"


class WebhookEndpoint(models.Model):
    """An integrating system's URL that receives the enterprise's events, signed with `secret`."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("enterprise")
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedCharField(_("signing secret"), max_length=200)  # SM4-encrypted at rest
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "id"]
        db_table = "services_webhookendpoint"
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class NotificationPreference(models.Model):
    """A person's choice for one kind of event on one channel; without a row the default holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind of event"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Notification.Channel.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference_per_kind_and_channel"),
            models.CheckConstraint(
                condition=~Q(channel="inbox") | Q(enabled=True), name="the_inbox_cannot_be_switched_off"
            ),
        ]
        db_table = "services_notificationpreference"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.channel}: {self.enabled}"
