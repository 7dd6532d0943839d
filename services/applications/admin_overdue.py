"""The overdue board of the admin: per department, what is late: acceptance, decision, its own steps.

"Late" is `selectors.overdue`, the definition the timers share; the board only groups it by the
departments the official belongs to (every department for a superuser).
"""

import datetime
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.applications.selectors import (
    departments_of,
    late_for_acceptance,
    late_for_decision,
    late_task,
    overdue,
    tasks_of,
)
from services.calendar.working_days import working_days_between
from services.models import Application


def overdue_board(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    today = timezone.localdate()
    user = request.user
    late = overdue(user, today).select_related("service", "enterprise")
    boards = []
    for department in departments_of(user).order_by("code"):
        rows = [
            _row(application, _("acceptance"), application.acceptance_due, today)
            for application in late.filter(late_for_acceptance(today), service__lead_department=department)
        ]
        rows += [
            _row(application, _("decision"), application.decision_due, today)
            for application in late.filter(late_for_decision(today), service__lead_department=department)
        ]
        # Each department's own late steps: a parallel item's co-departments have their own dates.
        listed = {row["application"].pk for row in rows}
        late_steps = (tasks_of(user).filter(late_task(today), department=department)
                      .select_related("application__service", "application__enterprise"))
        rows += [_row(task.application, task.name, task.due_date, today)
                 for task in late_steps if task.application_id not in listed]
        rows.sort(key=lambda row: (row["due"], row["application"].pk))
        boards.append({"department": department, "rows": rows})
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Overdue applications by department"),
        "boards": boards,
        "today": today,
    }
    return TemplateResponse(request, "admin/services/overdue_board.html", context)


def _row(application: Application, kind: Any, due: datetime.date, today: datetime.date) -> dict:
    return {
        "application": application,
        "kind": kind,
        "due": due,
        "days": (today - due).days,
        "working_days": working_days_between(due, today),
        "url": reverse("admin:services_application_change", args=[application.pk]),
    }
