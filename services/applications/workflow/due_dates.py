"""The decision clocks of an application, and their re-computation when a holiday schedule is entered."""

import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.core.audit import record_event
from services.applications.models import OPEN_STATES
from services.applications.workflow.core import (
    ACCEPTANCE_DAYS,
    EXTENSION_DAYS,
    WARNING_SHARE,
    acceptance_warning_on,
    due,
    lock,
)
from services.calendar.working_days import add_working_days
from services.models import Application, ApprovalMode, Task


def set_decision_dues(application: Application) -> None:
    """Promised and statutory due dates from the acceptance, and the day the warning starts."""
    service = application.service
    start = application.accepted_on
    promised = service.promised_days
    if service.approval_mode == ApprovalMode.PARALLEL:
        # The longest department's promise, not the sum.
        promised = max([promised] + [s.promised_days for s in service.review_steps.all() if s.promised_days])
    application.decision_due = due(start, promised, application)
    application.statutory_due = due(start, max(service.statutory_days, promised), application)
    application.warning_on = due(start, math.ceil(WARNING_SHARE * promised), application)
    if application.extended:
        application.statutory_due = due(application.statutory_due, EXTENSION_DAYS, application)


def recompute_due_dates(actor: Any, application_id: int) -> bool:
    """Re-compute the due dates of one open application from its own start dates.

    Called after an official holiday schedule is entered; records one audit event with the
    old and new dates. Returns whether anything moved.
    """
    with transaction.atomic():
        application = lock(application_id)
        service = application.service
        watched = ["acceptance_due", "decision_due", "statutory_due", "warning_on", "revocation_due"]
        before = {key: getattr(application, key) for key in watched}
        application.dates_provisional = False
        if application.state == "submitted" and application.received_on:
            application.acceptance_due = due(application.received_on, ACCEPTANCE_DAYS, application)
            # The acceptance task in the queue keeps the application's dates.
            application.tasks.filter(kind=Task.Kind.ACCEPTANCE, status=Task.Status.OPEN).update(
                due_date=application.acceptance_due, warning_on=acceptance_warning_on(application))
        if application.accepted_on:
            set_decision_dues(application)
        if application.suspended_on:
            application.revocation_due = due(application.suspended_on, service.deferral_grace_days, application)
        changes = {key: [str(before[key]), str(getattr(application, key))]
                   for key in watched if before[key] != getattr(application, key)}
        for deferred in application.deferred.select_related("material"):
            moved = add_working_days(application.received_on, service.deferral_days)
            application.dates_provisional |= moved.provisional
            if (deferred.due_date, deferred.due_provisional) != (moved.date, moved.provisional):
                changes[f"deferred:{deferred.material.code}"] = [deferred.due_date.isoformat(), moved.date.isoformat()]
                deferred.due_date, deferred.due_provisional = moved.date, moved.provisional
                deferred.save(update_fields=["due_date", "due_provisional"])
        application.save()
        if changes or not application.dates_provisional:
            record_event(actor, "application.due_dates_recomputed", application, data=changes,
                         reason=str(_("The official holiday schedule was entered.")))
    return bool(changes)


def recompute_provisional_due_dates(actor: Any) -> int:
    """Re-compute every open application whose due dates are provisional; returns how many moved."""
    moved = 0
    candidates = Application.objects.filter(dates_provisional=True, state__in=OPEN_STATES)
    for pk in list(candidates.values_list("pk", flat=True)):
        moved += recompute_due_dates(actor, pk)
    return moved
