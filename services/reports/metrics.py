"""The dashboard's figures, each computed by aggregate queries over the applications it covers.

Nothing here loops over applications: every figure is a `COUNT` grouped by department, item,
week or date, so the cost grows with the number of departments, items and days, not with the
number of applications. Periods: the weekly counts and the corrections are of the applications
received in the period (`received_on`, the latest submission); the on-time rates, the working
days to decision and the post-checks are of those decided in it (`decided_on`).

On time means decided on or before the promised due date (承诺时限, `decision_due`) or the
statutory limit (法定时限, `statutory_due`, extended if it was). Commitment approvals, granted on
the spot, have no such dates and are counted among the decisions only.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek

from services.calendar.working_days import working_days_between
from services.models import Application, ApprovalMode, Department, PostCheck, ServiceItem
from services.reports.selectors import Period, decided_in, received_in

DEPARTMENT = "service__lead_department"


def _rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to rate."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class WeeklyCounts:
    """Applications received per week (Monday) and approval mode."""

    weeks: list[datetime.date]
    modes: list[tuple[str, str]]
    counts: dict[tuple[datetime.date, str], int]

    def rows(self) -> list[tuple[datetime.date, list[int], int]]:
        return [(week, values, sum(values)) for week in self.weeks
                for values in [[self.counts.get((week, mode), 0) for mode, _label in self.modes]]]

    def mode_totals(self) -> list[int]:
        return [sum(self.counts.get((week, mode), 0) for week in self.weeks) for mode, _label in self.modes]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def weekly_by_mode(applications: QuerySet[Application], period: Period) -> WeeklyCounts:
    grouped = (received_in(applications, period).annotate(week=TruncWeek("received_on"))
               .values("week", "service__approval_mode").annotate(count=Count("id")).order_by())
    counts = {(row["week"], row["service__approval_mode"]): row["count"] for row in grouped}
    return WeeklyCounts(weeks=period.weeks(), modes=[(m.value, str(m.label)) for m in ApprovalMode], counts=counts)


@dataclass(frozen=True)
class OnTime:
    """Of the applications decided: how many had a promised (and a statutory) due date, and met it."""

    name: str
    decided: int = 0
    promised: int = 0
    within_promised: int = 0
    statutory: int = 0
    within_statutory: int = 0

    @property
    def promised_rate(self) -> float | None:
        return _rate(self.within_promised, self.promised)

    @property
    def statutory_rate(self) -> float | None:
        return _rate(self.within_statutory, self.statutory)


ON_TIME_COUNTS = {
    "decided": Count("id"),
    "promised": Count("id", filter=Q(decision_due__isnull=False)),
    "within_promised": Count("id", filter=Q(decided_on__lte=F("decision_due"))),
    "statutory": Count("id", filter=Q(statutory_due__isnull=False)),
    "within_statutory": Count("id", filter=Q(decided_on__lte=F("statutory_due"))),
}


def _on_time_grouped(applications: QuerySet[Application], period: Period, key: str) -> dict[int, dict]:
    grouped = decided_in(applications, period).values(key).annotate(**ON_TIME_COUNTS).order_by()
    return {row.pop(key): row for row in grouped}


def on_time_by_department(applications: QuerySet[Application], period: Period,
                          departments: Iterable[Department]) -> list[OnTime]:
    counts = _on_time_grouped(applications, period, DEPARTMENT)
    return [OnTime(str(department), **counts.get(department.pk, {})) for department in departments]


def on_time_by_item(applications: QuerySet[Application], period: Period) -> list[OnTime]:
    counts = _on_time_grouped(applications, period, "service")
    items = ServiceItem.objects.in_bulk(list(counts))
    return [OnTime(f"{items[pk].code} {items[pk]}", **counts[pk])
            for pk in sorted(counts, key=lambda pk: items[pk].code)]


def total_on_time(rows: list[OnTime], name: str) -> OnTime:
    return OnTime(name, *(sum(getattr(row, part) for row in rows)
                          for part in ("decided", "promised", "within_promised", "statutory", "within_statutory")))


@dataclass(frozen=True)
class Duration:
    """Working days from receipt to decision, on average, of the applications decided."""

    name: str
    decided: int
    average: float | None


def working_days_to_decision(applications: QuerySet[Application], period: Period,
                             departments: Iterable[Department], total_name: str) -> list[Duration]:
    """Per department, and in total last.

    The sum over applications of working days (received, decided] is the sum of a working-day
    count up to each decision date minus the same up to each receipt date; so grouping by date
    is enough, and the working-day calendar is asked once per distinct date.
    """
    decided = decided_in(applications, period).filter(received_on__isnull=False)
    ends = decided.values(DEPARTMENT, "decided_on").annotate(count=Count("id")).order_by()
    starts = decided.values(DEPARTMENT, "received_on").annotate(count=Count("id")).order_by()
    ends, starts = list(ends), list(starts)
    if not starts:
        return [Duration(str(d), 0, None) for d in departments] + [Duration(total_name, 0, None)]
    epoch = min(row["received_on"] for row in starts) - datetime.timedelta(days=1)
    counted: dict[datetime.date, int] = {}

    def up_to(day: datetime.date) -> int:
        if day not in counted:
            counted[day] = working_days_between(epoch, day)
        return counted[day]

    days: dict[int, int] = defaultdict(int)
    decisions: dict[int, int] = defaultdict(int)
    for row in ends:
        days[row[DEPARTMENT]] += row["count"] * up_to(row["decided_on"])
        decisions[row[DEPARTMENT]] += row["count"]
    for row in starts:
        days[row[DEPARTMENT]] -= row["count"] * up_to(row["received_on"])

    def average(total_days: int, count: int) -> float | None:
        return round(total_days / count, 1) if count else None

    rows = [Duration(str(d), decisions[d.pk], average(days[d.pk], decisions[d.pk])) for d in departments]
    everything = sum(decisions.values())
    return rows + [Duration(total_name, everything, average(sum(days.values()), everything))]


@dataclass(frozen=True)
class Corrections:
    """Correction notices (补正) per application received."""

    name: str
    applications: int = 0
    corrections: int = 0

    @property
    def per_application(self) -> float | None:
        return round(self.corrections / self.applications, 2) if self.applications else None


def corrections_per_application(applications: QuerySet[Application], period: Period,
                                departments: Iterable[Department], total_name: str) -> list[Corrections]:
    grouped = (received_in(applications, period).values(DEPARTMENT)
               .annotate(applications=Count("id", distinct=True), corrections=Count("corrections")).order_by())
    counts = {row.pop(DEPARTMENT): row for row in grouped}
    rows = [Corrections(str(department), **counts.get(department.pk, {})) for department in departments]
    return rows + [Corrections(total_name, sum(r.applications for r in rows), sum(r.corrections for r in rows))]


@dataclass(frozen=True)
class PostChecks:
    """Post-checks (事后核查) drawn for the approvals decided in the period, by result."""

    name: str
    pending: int = 0
    passed: int = 0
    failed: int = 0
    overdue: int = 0

    @property
    def drawn(self) -> int:
        return self.pending + self.passed + self.failed


def post_check_outcomes(applications: QuerySet[Application], period: Period, departments: Iterable[Department],
                        today: datetime.date, total_name: str) -> list[PostChecks]:
    pending = Q(result=PostCheck.Result.PENDING)
    grouped = (PostCheck.objects.filter(application__in=decided_in(applications, period).values("pk"))
               .values("department").annotate(
                   pending=Count("id", filter=pending),
                   passed=Count("id", filter=Q(result=PostCheck.Result.PASSED)),
                   failed=Count("id", filter=Q(result=PostCheck.Result.FAILED)),
                   overdue=Count("id", filter=pending & Q(due_date__lt=today)),
               ).order_by())
    counts = {row.pop("department"): row for row in grouped}
    rows = [PostChecks(str(department), **counts.get(department.pk, {})) for department in departments]
    return rows + [PostChecks(total_name, *(sum(getattr(r, part) for r in rows)
                                            for part in ("pending", "passed", "failed", "overdue")))]


@dataclass
class Figures:
    """Every figure of one dashboard."""

    weekly: WeeklyCounts
    on_time_by_department: list[OnTime]
    on_time_total: OnTime
    on_time_by_item: list[OnTime]
    durations: list[Duration]
    corrections: list[Corrections]
    post_checks: list[PostChecks]
    extra: list = field(default_factory=list)


def figures(applications: QuerySet[Application], period: Period, departments: Iterable[Department],
            today: datetime.date, total_name: str) -> Figures:
    departments = list(departments)
    by_department = on_time_by_department(applications, period, departments)
    return Figures(
        weekly=weekly_by_mode(applications, period),
        on_time_by_department=by_department,
        on_time_total=total_on_time(by_department, total_name),
        on_time_by_item=on_time_by_item(applications, period),
        durations=working_days_to_decision(applications, period, departments, total_name),
        corrections=corrections_per_application(applications, period, departments, total_name),
        post_checks=post_check_outcomes(applications, period, departments, today, total_name),
    )
