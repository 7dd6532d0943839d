"""The officials' list filters and the deadline badge of the applications' admin."""

import datetime

from django.contrib import admin
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from services.applications.selectors import CLOCK_STATES, DECIDED_AND_CLOSED_STATES
from services.models import Application, State, Task

# The deadline colours the timers set (`selectors`' definitions), in words as well as in colour;
# each background keeps white text at a contrast of 4.5:1 or more.
SLA_COLOURS = {
    "": ("#2e7d32", _("on time")),
    "yellow": ("#8a5a00", _("due soon")),
    "red": ("#c62828", _("late")),
    "escalated": ("#6a1b9a", _("past the statutory limit")),
}


def sla_badge(level: str) -> SafeString:
    colour, label = SLA_COLOURS.get(level or "", SLA_COLOURS[""])
    return format_html(
        '<span class="sla-badge sla-{}" style="background:{};color:#fff;padding:1px 6px;border-radius:8px;">{}</span>',
        level or "ok", colour, label,
    )


def deadline_badge(application: Application) -> SafeString | str:
    """The application's deadline colour while a clock runs on it; an application whose clock stopped
    (waiting for corrections) or that is decided or closed has no colour, so never an "on time" one."""
    if application.state in CLOCK_STATES:
        return sla_badge(application.sla_level)
    if application.state == State.CORRECTION_REQUESTED:
        return format_html('<span class="sla-badge sla-stopped">{}</span>', _("clock stopped"))
    return "—"


class StageFilter(admin.SimpleListFilter):
    """In progress, or decided and closed (已办结): the second is the officials' list of finished work."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("open", _("In progress")), ("closed", _("Decided and closed"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return {
            "open": lambda: queryset.exclude(state__in=DECIDED_AND_CLOSED_STATES),
            "closed": lambda: queryset.filter(state__in=DECIDED_AND_CLOSED_STATES),
        }.get(self.value(), lambda: queryset)()


class DecidedOnFilter(admin.SimpleListFilter):
    """When the decision was taken: in the last 7 or 30 days, this year, or not yet."""

    title = _("decided")
    parameter_name = "decided"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("7", _("In the last 7 days")), ("30", _("In the last 30 days")), ("year", _("This year")),
                ("none", _("Not decided"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        return {
            "7": lambda: queryset.filter(decided_on__gt=today - datetime.timedelta(days=7)),
            "30": lambda: queryset.filter(decided_on__gt=today - datetime.timedelta(days=30)),
            "year": lambda: queryset.filter(decided_on__year=today.year),
            "none": lambda: queryset.filter(decided_on__isnull=True),
        }.get(self.value(), lambda: queryset)()


class DueFilter(admin.SimpleListFilter):
    """Overdue / due today / due within a week / later, on one date column."""

    title = _("due date")
    parameter_name = "due"
    field = "due_date"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("week", _("Due within 7 days")),
            ("later", _("Due later")),
            ("none", _("No due date")),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + datetime.timedelta(days=7)
        field = self.field
        return {
            "overdue": lambda: queryset.filter(**{f"{field}__lt": today}),
            "today": lambda: queryset.filter(**{field: today}),
            "week": lambda: queryset.filter(**{f"{field}__gt": today, f"{field}__lte": week}),
            "later": lambda: queryset.filter(**{f"{field}__gt": week}),
            "none": lambda: queryset.filter(**{f"{field}__isnull": True}),
        }.get(self.value(), lambda: queryset)()


class ApplicationDueFilter(DueFilter):
    field = "next_due"


class TaskSlaFilter(admin.SimpleListFilter):
    title = _("deadline warning")
    parameter_name = "sla"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [(key or "ok", label) for key, (_colour, label) in SLA_COLOURS.items()]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(application__sla_level="" if value == "ok" else value)


class TaskHolderFilter(admin.SimpleListFilter):
    """Whose tasks: the official's own, the ones nobody holds yet, or every one."""

    title = _("held by")
    parameter_name = "held"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("me", _("Me")), ("nobody", _("Nobody yet"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return {
            "me": lambda: queryset.filter(claimed_by=request.user),
            "nobody": lambda: queryset.filter(claimed_by__isnull=True),
        }.get(self.value(), lambda: queryset)()


class TaskStatusFilter(admin.SimpleListFilter):
    """The queue shows open tasks unless the official asks for another status."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [*Task.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = self.value() == value or (self.value() is None and value == Task.Status.OPEN)
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value() or Task.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)
