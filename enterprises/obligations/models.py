"""The secret address of an enterprise's obligations calendar feed (iCalendar)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """The one live feed address of an enterprise: only the SM3 digest of its token is kept.

    Regenerating replaces the digest, so the old address answers "not found" at once;
    revoking deletes the row.
    """

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE,
                                      related_name="calendar_feed", verbose_name=_("enterprise"))
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.created_at:%Y-%m-%d}"
