"""The dashboard's filters: a date range (the current month by default) and, for whoever has
several, a department."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.access import sees_whole_district
from services.models import Department
from services.reports.selectors import Period, dashboard_departments

# A dashboard over more than this many days would group too many weeks to read.
MAX_PERIOD_DAYS = 366


class DashboardFilter(forms.Form):
    start = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("All my departments"))

    def __init__(self, data: Any = None, *, user: Any, today: datetime.date | None = None) -> None:
        super().__init__(data)
        self.today = today or timezone.localdate()
        self.allowed = dashboard_departments(user)
        self.fields["department"].queryset = self.allowed
        self.district = sees_whole_district(user)
        if self.district:
            self.fields["department"].empty_label = _("The whole district")

    def clean(self) -> dict:
        data = super().clean()
        month = Period.month_of(self.today)
        start, end = data.get("start") or month.start, data.get("end") or month.end
        if "start" in self.errors or "end" in self.errors:
            return data
        if end < start:
            raise ValidationError({"end": _("The end of the period comes before its start.")})
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError({"end": _("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}})
        data["period"] = Period(start, end)
        return data

    def period(self) -> Period:
        return self.cleaned_data["period"]

    def departments(self) -> QuerySet[Department] | list[Department]:
        chosen = self.cleaned_data.get("department")
        return [chosen] if chosen else self.allowed

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for the export links and the audit trail."""
        period = self.period()
        chosen = self.cleaned_data.get("department")
        return {"start": period.start.isoformat(), "end": period.end.isoformat(),
                **({"department": str(chosen.pk)} if chosen else {})}
