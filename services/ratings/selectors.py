"""Who sees which ratings and rectifications, and the figures per department.

A clerk reaches the ratings of an application through the application (its own enterprise's,
by `applications_of`); an official sees the rectifications of their departments (every one for
a superuser). `ratings_by_department` is what a dashboard reads.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from services.applications.selectors import departments_of
from services.models import Application, Department
from services.ratings.models import COMMENT_MAX_LENGTH, Rating, Rectification, Score
from services.ratings.rules import RECTIFICATION_DAYS, may_rate


def rectifications_of(user: Any) -> QuerySet[Rectification]:
    """The rectifications of an official's departments, open or closed (all for a superuser, none for others).

    Membership is a subquery, as for the tasks: one query, however many departments.
    """
    return Rectification.objects.filter(department__in=departments_of(user))


def ratings_received_by(user: Any) -> QuerySet[Rating]:
    """The ratings of an official's departments' decisions (all for a superuser, none for others)."""
    return Rating.objects.filter(department__in=departments_of(user))


def overdue_on(today: datetime.date) -> Q:
    """An open rectification past its due date."""
    return Q(status=Rectification.Status.OPEN, due_date__lt=today)


def with_ratings(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications with their ratings (and rectifications) fetched: what the rules and the panel read."""
    return applications.prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related(
        "rectification", "rectification__closed_by", "department", "rated_by").order_by("round")))


@dataclass(frozen=True)
class RatingPanel:
    """What the applicant's page shows of 好差评: the ratings so far, and whether a rating is taken now."""

    ratings: list[Rating]
    may_rate: bool
    scores: list[tuple[int, str]] = field(default_factory=lambda: list(Score.choices))

    comment_max_length: int = COMMENT_MAX_LENGTH
    rectification_days: int = RECTIFICATION_DAYS

    @property
    def latest(self) -> Rating | None:
        return self.ratings[-1] if self.ratings else None


def rating_panel(user: Any, application: Application) -> RatingPanel:
    """The page's block of ratings; `application` fetched `with_ratings` reads them without a query."""
    ratings = sorted(application.ratings.all(), key=lambda rating: rating.round)
    return RatingPanel(ratings=ratings, may_rate=may_rate(user, application))


@dataclass(frozen=True)
class DepartmentRatings:
    """One department's ratings in a period: how many of each score, and its rectifications."""

    department: Department
    by_score: dict[int, int]  # score (5 … 1) -> number of ratings
    total: int
    average: float | None
    rectifications_opened: int  # in the period
    rectifications_open: int  # of those, still open
    rectifications_overdue: int  # of those, open past their due date

    @property
    def bad(self) -> int:
        return self.by_score[Score.DISSATISFIED] + self.by_score[Score.VERY_DISSATISFIED]


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as moments of the district's clock: from `start`'s midnight to the midnight after `end`."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return first, after


def ratings_by_department(user: Any, start: datetime.date, end: datetime.date,
                          today: datetime.date | None = None) -> list[DepartmentRatings]:
    """Per department the user may see (an official's own, every one for a superuser), by code:
    the ratings given from `start` to `end` (both included, every round) by score, their average, and
    the rectifications opened in the period, with how many of them are still open and overdue on `today`.

    Two grouped queries, whatever the number of departments or ratings.
    """
    today = today or timezone.localdate()
    first, after = _bounds(start, end)
    departments = list(departments_of(user).order_by("code"))
    ids = [department.pk for department in departments]
    scores = {
        row["department"]: row for row in
        Rating.objects.filter(department__in=ids, rated_at__gte=first, rated_at__lt=after).values("department")
        .annotate(total=Count("id"), average=Avg("score"),
                  **{f"score_{score}": Count("id", filter=Q(score=score)) for score in Score.values})
    }
    rectifications = {
        row["department"]: row for row in
        Rectification.objects.filter(department__in=ids, opened_on__gte=start, opened_on__lte=end)
        .values("department")
        .annotate(opened=Count("id"), open=Count("id", filter=Q(status=Rectification.Status.OPEN)),
                  overdue=Count("id", filter=overdue_on(today)))
    }
    result = []
    for department in departments:
        rated = scores.get(department.pk, {})
        rectified = rectifications.get(department.pk, {})
        result.append(DepartmentRatings(
            department=department,
            by_score={score: rated.get(f"score_{score}", 0) for score in sorted(Score.values, reverse=True)},
            total=rated.get("total", 0),
            average=round(float(rated["average"]), 2) if rated.get("average") is not None else None,
            rectifications_opened=rectified.get("opened", 0),
            rectifications_open=rectified.get("open", 0),
            rectifications_overdue=rectified.get("overdue", 0),
        ))
    return result
