"""What the talent app adds to the officials' dashboard and exports (services.reports.extensions).

The dashboard shows, for the talent policies the dashboard's departments lead, how much of the
year's quota and budget the grants used (`talent.applications.with_usage`, one query). The export
of applications names the talent of a talent application, with the ID number masked: an export
leaves the portal, so it never holds a whole number, whoever asks.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from services.reports import charts
from services.reports.extensions import Column, Section
from talent.applications import usage, with_usage
from talent.identity import mask
from talent.models import TalentPolicy


def _share(used: Decimal | int, limit: Decimal | int | None) -> float | None:
    if not limit:
        return None
    return round(float(100 * Decimal(used) / Decimal(limit)), 1)


def _masked(value: str | None) -> str:
    return mask(value) if value else ""


class TalentReports:
    def dashboard_section(self, user: Any, departments: Iterable[Model], period: Any) -> Section | None:
        year = period.end.year
        policies = with_usage(TalentPolicy.objects.filter(service__lead_department__in=list(departments))
                              .select_related("service").order_by("service__code"), year)
        rows = []
        for policy in policies:
            used = usage(policy, year)
            rows.append({
                "policy": policy, "quota": policy.annual_quota, "granted": used.granted,
                "quota_used": _share(used.granted, policy.annual_quota), "budget": policy.annual_budget,
                "spent": used.spent, "budget_used": _share(used.spent, policy.annual_budget),
            })
        if not rows:
            return None
        chart = charts.horizontal_bars(
            "chart-talent-quota", str(_("Share of the annual quota granted, by policy")),
            [(f"{row['policy'].code} {row['policy']}", row["quota_used"]) for row in rows])
        return Section("admin/talent/dashboard_usage.html", {"year": year, "rows": rows, "chart": chart})

    def application_columns(self) -> list[Column]:
        return [
            Column(_("Talent"), ("talent_application__talent__name",)),
            Column(_("Talent's ID number (masked)"), ("talent_application__talent__id_number",), _masked),
        ]
