"""The dashboard and the exports in the officials' admin, added to the applications' admin.

`ReportsAdmin` is mixed into `ApplicationAdmin`: its pages share the applications' view
permission, and the export of the list exports exactly what the list shows under its current
filters and search (the admin's own `ChangeList`, so its queryset is the visibility selector's).
The dashboard and its exports cover the departments the official belongs to; the district view
(`access.sees_whole_district`) all of them, or the one chosen.
"""

from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from services.reports import charts, extensions, metrics
from services.reports.exports import FORMATS, KINDS, check_choice, export, filters_of
from services.reports.filters import DashboardFilter
from services.reports.selectors import dashboard_applications, received_in

EXPORT_LABELS = {
    ("applications", "csv"): _("Applications (CSV)"), ("applications", "xlsx"): _("Applications (Excel)"),
    ("decisions", "csv"): _("Decisions (CSV)"), ("decisions", "xlsx"): _("Decisions (Excel)"),
}


def export_links(url_name: str, query: dict[str, str]) -> list[dict[str, Any]]:
    suffix = f"?{urlencode(query)}" if query else ""
    return [{"url": reverse(url_name, args=[kind, fmt]) + suffix, "label": EXPORT_LABELS[kind, fmt]}
            for kind in KINDS for fmt in FORMATS]


class ReportsAdmin:
    """The dashboard, its exports and the export of the filtered list, for ApplicationAdmin."""

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="services_application_dashboard"),
            path("dashboard/export/<str:kind>/<str:fmt>/", wrap(self.dashboard_export_view),
                 name="services_application_dashboard_export"),
            path("export/<str:kind>/<str:fmt>/", wrap(self.list_export_view), name="services_application_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra = {**(extra_context or {}), "dashboard_url": reverse("admin:services_application_dashboard"),
                 "export_links": export_links("admin:services_application_export", request.GET.dict())}
        return super().changelist_view(request, extra)

    def _allowed(self, request: HttpRequest) -> None:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        today = timezone.localdate()
        form = DashboardFilter(request.GET, user=request.user, today=today)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Dashboard of the district") if form.district else _("Dashboard of my departments"),
            "form": form,
        }
        if not form.is_valid():
            return TemplateResponse(request, "admin/services/reports/dashboard.html", context, status=400)
        period, departments = form.period(), list(form.departments())
        figures = metrics.figures(dashboard_applications(request.user, departments), period, departments, today,
                                  str(_("All")))
        context.update({
            "period": period,
            "departments": departments,
            "figures": figures,
            "weekly_chart": charts.stacked_columns(
                "chart-weekly", str(_("Applications received per week, by approval mode")),
                [f"{week:%m-%d}" for week in figures.weekly.weeks],
                [(label, [counts[index] for _week, counts, _total in figures.weekly.rows()])
                 for index, (_mode, label) in enumerate(figures.weekly.modes)]),
            "on_time_chart": charts.horizontal_bars(
                "chart-on-time", str(_("Decided within the promised limit, by department")),
                [(row.name, row.promised_rate) for row in figures.on_time_by_department]),
            "sections": extensions.dashboard_sections(request.user, departments, period),
            "export_links": export_links("admin:services_application_dashboard_export", form.query()),
        })
        return TemplateResponse(request, "admin/services/reports/dashboard.html", context)

    def dashboard_export_view(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
        """The applications received in the dashboard's period by its departments (or their decisions)."""
        self._allowed(request)
        form = DashboardFilter(request.GET, user=request.user)
        if not form.is_valid():
            for field, errors in form.errors.items():
                self.message_user(request, f"{field}: {' '.join(errors)}", messages.ERROR)
            return redirect("admin:services_application_dashboard")
        applications = received_in(dashboard_applications(request.user, form.departments()), form.period())
        return self._export(request, kind, fmt, applications, form.query(), "dashboard",
                            "admin:services_application_dashboard")

    def list_export_view(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
        """What the list of applications shows under the same query string: its filters and search."""
        self._allowed(request)
        try:
            applications = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("These filters cannot be exported: choose them again."), messages.ERROR)
            return redirect("admin:services_application_changelist")
        return self._export(request, kind, fmt, applications, filters_of(request.GET), "admin",
                            "admin:services_application_changelist")

    def _export(self, request: HttpRequest, kind: str, fmt: str, applications: Any, filters: dict,
                source: str, back: str) -> HttpResponse:
        try:
            check_choice(kind, fmt)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(back)
        return export(request.user, kind, fmt, applications, filters=filters, source=source).response()
