"""Which applications a dashboard or an export covers: always through the applications' selectors.

The dashboard counts what the chosen departments lead (`intake_of`: submitted applications, never
drafts); an export holds what the caller sees (`applications_visible_to`), narrowed by the same
filters as the lists. A department the caller does not belong to is never offered, and asking for
one finds nothing.
"""

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from portal.core.access import sees_whole_district
from services.applications.selectors import departments_of, intake_of
from services.models import Application, Department


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month_of(cls, day: datetime.date) -> "Period":
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last))

    def weeks(self) -> list[datetime.date]:
        """The Monday of every week the period touches, in order."""
        monday = self.start - datetime.timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += datetime.timedelta(days=7)
        return weeks


def dashboard_departments(user: Any) -> QuerySet[Department]:
    """The departments whose dashboard the user may open: their own, every one for the district view."""
    return (Department.objects.all() if sees_whole_district(user) else departments_of(user)).order_by("code")


def dashboard_applications(user: Any, departments: QuerySet[Department] | list[Department]) -> QuerySet[Application]:
    """The submitted applications the chosen departments lead, among those the user takes in."""
    chosen = [department.pk for department in departments]
    return intake_of(user).filter(service__lead_department__in=chosen).order_by()


def received_in(applications: QuerySet[Application], period: Period) -> QuerySet[Application]:
    return applications.filter(received_on__range=(period.start, period.end))


def decided_in(applications: QuerySet[Application], period: Period) -> QuerySet[Application]:
    return applications.filter(decided_on__range=(period.start, period.end))
