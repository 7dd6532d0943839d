from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An entered exception to the weekend rule: a public holiday or an official make-up working day.

    Entries complete and override the chinese-calendar package's data.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (no work)")
        WORKDAY = "workday", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose official holiday schedule (国务院办公厅通知) has been entered in full."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("official schedule of a year")
        verbose_name_plural = _("official schedules of years")

    def __str__(self) -> str:
        return str(self.year)
