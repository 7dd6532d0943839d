"""What 好差评 adds to the officials' dashboard: each department's ratings and rectifications."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from services.ratings.models import Score
from services.ratings.selectors import ratings_by_department
from services.reports import charts
from services.reports.extensions import Column, Section


class RatingReports:
    def dashboard_section(self, user: Any, departments: Iterable[Model], period: Any) -> Section:
        chosen = {department.pk for department in departments}
        rows = [row for row in ratings_by_department(user, period.start, period.end) if row.department.pk in chosen]
        totals = {score: sum(row.by_score[score] for row in rows) for score in sorted(Score.values, reverse=True)}
        given = sum(totals.values())
        chart = charts.horizontal_bars(
            "chart-ratings", _("Share of the ratings given in the period, by score"),
            [(str(Score(score).label), round(100 * count / given, 1) if given else None)
             for score, count in totals.items()])
        return Section("admin/services/ratings/dashboard_ratings.html",
                       {"rows": rows, "totals": totals, "given": given, "labels": dict(Score.choices),
                        "chart": chart})

    def application_columns(self) -> list[Column]:
        return []
