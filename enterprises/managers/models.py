"""What a service manager (服务管家) keeps about the enterprises of their portfolio.

Notes are the managers' own (the enterprise never sees them); the thread is the conversation
between the manager and the enterprise's people, each message telling the other side.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 2000


class ManagerNote(models.Model):
    """A service manager's private note about an enterprise: seen by managers only."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="manager_notes",
                                   verbose_name=_("enterprise"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "created_at"])]
        verbose_name = _("manager's note")
        verbose_name_plural = _("manager's notes")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.created_at:%Y-%m-%d}"


class ThreadMessage(models.Model):
    """One message of the thread between an enterprise and its service manager."""

    class Side(models.TextChoices):
        MANAGER = "manager", _("Service manager")
        ENTERPRISE = "enterprise", _("Enterprise")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="thread",
                                   verbose_name=_("enterprise"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    side = models.CharField(_("written by"), max_length=10, choices=Side.choices)
    text = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["enterprise", "created_at"])]
        verbose_name = _("message to or from the service manager")
        verbose_name_plural = _("messages with the service manager")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_side_display()} · {self.created_at:%Y-%m-%d %H:%M}"


from enterprises.models import Enterprise  # noqa: E402  (this module is loaded at the end of enterprises.models)


class ManagedEnterprise(Enterprise):
    """An enterprise as its service manager sees it in the admin: the workbench."""

    class Meta:
        proxy = True
        verbose_name = _("enterprise I look after")
        verbose_name_plural = _("enterprises I look after (服务管家)")
