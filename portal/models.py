import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in: a company clerk, a district official (is_staff) or an admin."""

    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
        help_text=_("Language of the messages the portal sends to this person."),
    )

    sms_quiet_from = models.TimeField(
        _("no SMS from"), default=datetime.time(22, 0),
        help_text=_("Text messages that fall in the quiet hours wait until they end."),
    )
    sms_quiet_until = models.TimeField(_("no SMS until"), default=datetime.time(8, 0))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
