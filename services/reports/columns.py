"""The columns of the exports: headers in the reader's language, values as officials read them.

Choices are written as their labels, names in the reader's language (a department's or item's
English name when reading English), dates as ISO dates and moments in the district's time. The
columns other apps add (the talent of a talent application, its ID number masked) come from
`extensions.application_columns()`.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services.models import Application, ApprovalMode, State, Task
from services.reports import extensions
from services.reports.extensions import Column

DECISIONS = [Task.Status.APPROVED, Task.Status.REJECTED, Task.Status.RETURNED]


def localised(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else (name or "")


def label_of(choices: Any) -> Callable[[Any], str]:
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))


def iso_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def local_moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


APPLICATION_COLUMNS = [
    Column(_("Reference"), ("reference",)),
    Column(_("Enterprise"), ("enterprise__name",)),
    Column(_("Unified social credit code"), ("enterprise__uscc",)),
    Column(_("Service item code"), ("service__code",)),
    Column(_("Service item"), ("service__name", "service__name_en"), localised),
    Column(_("Approval mode"), ("service__approval_mode",), label_of(ApprovalMode.choices)),
    Column(_("Lead department"), ("service__lead_department__name", "service__lead_department__name_en"), localised),
    Column(_("Status"), ("state",), label_of(State.choices)),
    Column(_("Received on"), ("received_on",), iso_date),
    Column(_("Accepted on"), ("accepted_on",), iso_date),
    Column(_("Decision due (promised)"), ("decision_due",), iso_date),
    Column(_("Statutory limit"), ("statutory_due",), iso_date),
    Column(_("Decided on"), ("decided_on",), iso_date),
    Column(_("Deadline warning"), ("sla_level",), label_of(Application._meta.get_field("sla_level").choices)),
]

DECISION_COLUMNS = [
    Column(_("Reference"), ("application__reference",)),
    Column(_("Service item"), ("application__service__name", "application__service__name_en"), localised),
    Column(_("Enterprise"), ("application__enterprise__name",)),
    Column(_("Department"), ("department__name", "department__name_en"), localised),
    Column(_("Task kind"), ("kind",), label_of(Task.Kind.choices)),
    Column(_("Step"), ("name",)),
    Column(_("Decision"), ("status",), label_of(Task.Status.choices)),
    Column(_("Decided by"), ("decided_by__username",)),
    Column(_("Decided at"), ("decided_at",), local_moment),
    Column(_("Due"), ("due_date",), iso_date),
    Column(_("Comment"), ("comment",)),
]


def application_columns() -> list[Column]:
    return [*APPLICATION_COLUMNS, *extensions.application_columns()]


def decisions_of(applications: QuerySet[Application]) -> QuerySet[Task]:
    """The decisions taken on these applications: each acceptance and review step approved, rejected
    or returned, with who and when (a cancelled step decided nothing)."""
    return Task.objects.filter(application__in=applications.order_by().values("pk"), status__in=DECISIONS)
