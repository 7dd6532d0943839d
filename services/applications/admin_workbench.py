"""The official's workbench in the admin: the queue of work to do (我的待办), and the pages around a decision.

The queue is `selectors.work_of`: the open acceptance and review tasks of the official's departments
whose clock runs, soonest due first, each with its colour by `selectors.task_sla_level_on` (the
definition the timers colour by) and the working days left. Decided and closed applications are
not in it: they have their own list, the applications' list under `?stage=closed`.
"""

import datetime
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.bilingual import localised
from services.applications.admin_filters import sla_badge
from services.applications.admin_panel import CONFIRM_FIELD, CONFIRMED, PanelAction
from services.applications.selectors import departments_of, task_sla_level_on, work_of
from services.calendar.working_days import working_days_between
from services.models import Application, Task

PAGE_SIZE = 50

# The queue's filters: parameter → (title, {value: label}).
FILTERS: dict[str, tuple[Any, dict[str, Any]]] = {
    "kind": (_("Kind"), {"acceptance": _("Acceptance"), "review": _("Review")}),
    "held": (_("Held by"), {"me": _("Me"), "nobody": _("Nobody yet")}),
    "colour": (_("Deadline"), {"red": _("late"), "yellow": _("due soon"), "ok": _("on time")}),
}


def queue_url() -> str:
    return reverse("admin:services_application_work")


def decided_url() -> str:
    return reverse("admin:services_application_changelist") + "?" + urlencode({"stage": "closed"})


def days_left(due: datetime.date | None, today: datetime.date) -> tuple[int | None, str]:
    """Working days until `due` (negative once late), and the same in words."""
    if due is None:
        return None, str(_("no due date"))
    if due < today:
        late = max(working_days_between(due, today), 1)
        return -late, ngettext("%(days)s working day late", "%(days)s working days late", late) % {"days": late}
    if due == today:
        return 0, str(_("due today"))
    left = working_days_between(today, due)
    return left, ngettext("%(days)s working day left", "%(days)s working days left", left) % {"days": left}


def queue(user: Any, today: datetime.date, params: QueryDict | dict) -> QuerySet[Task]:
    """The official's work, soonest due first, narrowed by the queue's filters."""
    tasks = (work_of(user).annotate(level=task_sla_level_on(today))
             .select_related("application__service", "application__enterprise", "department", "claimed_by")
             .order_by(F("due_date").asc(nulls_last=True), "application__received_on", "id"))
    kind, held, colour = params.get("kind"), params.get("held"), params.get("colour")
    if kind in FILTERS["kind"][1]:
        tasks = tasks.filter(kind=kind)
    if held == "me":
        tasks = tasks.filter(claimed_by=user)
    elif held == "nobody":
        tasks = tasks.filter(claimed_by__isnull=True)
    if colour in FILTERS["colour"][1]:
        tasks = tasks.filter(level="" if colour == "ok" else colour)
    return tasks


def _row(task: Task, today: datetime.date, user: Any) -> dict[str, Any]:
    left, words = days_left(task.due_date, today)
    level = task.level or "ok"
    if task.claimed_by_id is None:
        holder = "—"
    elif task.claimed_by_id == user.pk:
        holder = _("you")
    else:
        holder = str(task.claimed_by)
    return {
        "task": task,
        "application": task.application,
        "url": reverse("admin:services_application_change", args=[task.application_id]),
        "step": _("Acceptance") if task.kind == Task.Kind.ACCEPTANCE else localised(task, "name"),
        "days_left": left,
        "days_text": words,
        "level": level,
        "badge": sla_badge(task.level),
        "holder": holder,
    }


def _filters(params: QueryDict) -> list[dict[str, Any]]:
    groups = []
    for name, (title, choices) in FILTERS.items():
        options = [{"label": _("All"), "selected": params.get(name) not in choices,
                    "url": "?" + urlencode({k: v for k, v in params.items() if k not in (name, "page")})}]
        for value, label in choices.items():
            query = {**{k: v for k, v in params.items() if k != "page"}, name: value}
            options.append({"label": label, "selected": params.get(name) == value, "url": "?" + urlencode(query)})
        groups.append({"name": name, "title": title, "options": options})
    return groups


def work_view(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """我的待办: the department's work to do, the next item first."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    today = timezone.localdate()
    params = request.GET
    tasks = queue(request.user, today, params)
    page = Paginator(tasks, PAGE_SIZE).get_page(params.get("page"))
    rows = [_row(task, today, request.user) for task in page]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("My work"),
        "today": today,
        "rows": rows,
        "next": rows[0] if rows and page.number == 1 else None,
        "page": page,
        "late": sum(1 for row in rows if row["level"] == "red"),
        "filters": _filters(params),
        "filtered": any(params.get(name) for name in FILTERS),
        "departments": list(departments_of(request.user).order_by("code")),
        "decided_url": decided_url(),
        "queue_url": queue_url(),
    }
    return TemplateResponse(request, "admin/services/application/work.html", context)


def confirmation_page(model_admin: ModelAdmin, request: HttpRequest, application: Application,
                      pending: PanelAction) -> TemplateResponse:
    """The consequence of an irreversible action, in words, and the same post once more, confirmed."""
    fields = [(name, value) for name, value in request.POST.items()
              if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)]
    entered = (request.POST.get(pending.input.name) or request.POST.get("comment", "")).strip() if pending.input else ""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Confirm: %(action)s") % {"action": pending.label},
        "application": application,
        "pending": pending,
        "fields": fields,
        "entered": entered,
        "confirm_field": CONFIRM_FIELD,
        "confirmed": CONFIRMED,
        "action_url": request.path,
        "back_url": reverse("admin:services_application_change", args=[application.pk]),
    }
    return TemplateResponse(request, "admin/services/application/confirm.html", context)
