"""Admin of the working-day calendar: entered holidays, make-up days and complete years.

Only superusers change them; staff with the view permission may read them.
"""

from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.access import is_superuser
from portal.core.admin import SuperuserChangesOnly
from services.calendar.working_days import PACKAGE_YEARS
from services.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(SuperuserChangesOnly, admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "D")


@admin.register(CalendarYear)
class CalendarYearAdmin(SuperuserChangesOnly, admin.ModelAdmin):
    list_display = ["year", "note", "entered_at", "in_package"]
    search_fields = ["note"]
    ordering = ["-year"]
    readonly_fields = ["entered_at"]
    actions = ["recompute_provisional_due_dates"]

    @admin.action(description=_("Re-compute the provisional due dates of open applications"))
    def recompute_provisional_due_dates(self, request, queryset):
        from services.applications.workflow import recompute_provisional_due_dates

        moved = recompute_provisional_due_dates(request.user)
        self.message_user(
            request,
            _("%(n)d open application(s) got new due dates; each change is in its timeline.") % {"n": moved},
            messages.SUCCESS,
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_superuser(request.user):
            actions.pop("recompute_provisional_due_dates", None)
        return actions

    @admin.display(description=_("also in the chinese-calendar package"), boolean=True)
    def in_package(self, obj: CalendarYear) -> bool:
        return obj.year in PACKAGE_YEARS
