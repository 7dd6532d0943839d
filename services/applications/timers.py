"""The workflow's clocks: each timer selects only the rows due for action, by indexed dates,
and acts through services/applications/workflow.

Every timer is idempotent and safe with two workers running it at once: the candidates are
re-checked under the row lock inside the workflow function (an application that moved on
meanwhile raises IllegalTransition and is skipped), and reminders and warnings are claimed
under a lock or a conditional UPDATE, so each goes out once. Each returns how many things it did.
"""

from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.outbox import SLA_VARIANTS, notify
from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.applications.notices.issuing import issue_missing
from services.applications.selectors import (
    late_for_acceptance,
    late_for_decision,
    task_clock_running,
    task_sla_level_on,
)
from services.calendar.working_days import add_working_days, working_days_between
from services.models import Application, ApprovalMode, DeferredMaterial, PostCheck, State, Task

REMINDER_DAYS = (3, 1)  # working days before a deferred material is due
OVERDUE_REASON = _("Deferred materials were not supplied by their due date.")
GRACE_OVER_REASON = _("Deferred materials were still missing at the end of the grace period.")


def _today() -> date:
    return workflow.today()


def _each(application_ids: Iterable[int], act: Callable[[int], object]) -> int:
    """Act on each selected application; one the workflow now refuses (an official or another
    worker acted meanwhile, re-checked under its lock) is passed over. Returns how many were done."""
    done = 0
    for pk in list(application_ids):
        try:
            act(pk)
            done += 1
        except IllegalTransition:
            continue
    return done


def auto_accept_overdue() -> int:
    """Accept every application nobody acted on within 5 working days (行政许可法 Art. 32)."""
    candidates = Application.objects.filter(late_for_acceptance(_today())).values_list("pk", flat=True)
    return _each(candidates, lambda pk: workflow.accept(None, pk, automatic=True))


def remind_deferred_materials() -> int:
    """Remind the enterprise 3 and 1 working days before a deferred material is due."""
    sent = 0
    today = _today()
    horizon = add_working_days(today, max(REMINDER_DAYS)).date
    pending = DeferredMaterial.objects.filter(
        supplied_at__isnull=True, due_date__gt=today, due_date__lte=horizon,
        application__state__in=[State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW, State.APPROVED_PENDING_DOCUMENTS],
    ).select_related("application", "material", "application__enterprise")
    for deferred in pending:
        left = working_days_between(today, deferred.due_date)
        if left not in REMINDER_DAYS:
            continue
        with transaction.atomic():
            # Claim the reminder: only the worker whose UPDATE matches sends it.
            if not _claim_reminder(deferred.pk, left):
                continue
            application = deferred.application
            for member in application.enterprise.members.all():
                notify(
                    member, "deferred.reminder",
                    context={"reference": application.reference, "material": deferred.material.name,
                             "due": deferred.due_date.isoformat(), "days": left},
                    key=f"{deferred.pk}:{left}", link=f"/applications/{application.pk}/",
                )
            sent += 1
    return sent


def _claim_reminder(deferred_id: int, left: int) -> bool:
    """Claim one reminder under the row lock: the second worker finds it already claimed."""
    row = DeferredMaterial.objects.select_for_update().get(pk=deferred_id)
    if left in row.reminded_days:
        return False
    row.reminded_days = [*row.reminded_days, left]
    row.save(update_fields=["reminded_days"])
    return True


def suspend_overdue_deferred() -> int:
    """Suspend applications whose deferred materials are past due and unsupplied."""
    overdue = (
        Application.objects.filter(
            state__in=[State.APPROVED_PENDING_DOCUMENTS, State.ACCEPTED, State.IN_REVIEW],
            deferred__supplied_at__isnull=True, deferred__due_date__lt=_today(),
        ).values_list("pk", flat=True).distinct()
    )
    return _each(overdue, lambda pk: workflow.suspend(pk, reason=str(OVERDUE_REASON)))


def revoke_after_grace() -> int:
    """Revoke suspended applications whose grace period is over, with a credit record."""
    over = Application.objects.filter(state=State.SUSPENDED, revocation_due__lt=_today()).values_list("pk", flat=True)
    return _each(over, lambda pk: workflow.revoke_after_grace(pk, reason=str(GRACE_OVER_REASON)))


def sla_level_on(today: date) -> Case:
    """The deadline colour of an application in review on `today`, as an SQL expression:
    yellow from 80% of the promised days, red past the promise (late, as the overdue board counts it),
    escalated past the statutory limit."""
    return Case(
        When(statutory_due__lt=today, then=Value("escalated")),
        When(late_for_decision(today), then=Value("red")),
        When(warning_on__lte=today, then=Value("yellow")),
        default=Value(""),
        output_field=CharField(),
    )


def update_sla_levels() -> int:
    """Re-colour the applications in review whose colour changed; their officials are told once."""
    changed = 0
    today = _today()
    stale = (
        Application.objects.filter(state__in=[State.ACCEPTED, State.IN_REVIEW])
        .annotate(level=sla_level_on(today))
        .filter(~Q(sla_level=F("level")))
        .select_related("service", "service__lead_department")
    )
    for application in stale:
        level = application.level
        # Only the worker whose UPDATE still sees the old colour tells the officials.
        updated = Application.objects.filter(pk=application.pk, sla_level=application.sla_level).update(sla_level=level)
        if updated and level:
            for official in application.service.lead_department.officials.filter(is_active=True):
                notify(official, "sla.warning",
                       context={"reference": application.reference, "service": application.service.name,
                                "due": application.decision_due.isoformat(), "level": level},
                       key=f"{application.pk}:{level}", variant=SLA_VARIANTS[level],
                       link=reverse("admin:services_application_change", args=[application.pk]))
        changed += updated
    return changed


def update_task_sla_levels() -> int:
    """Re-colour the open tasks (acceptance and review) whose colour changed; the task's department is told once."""
    changed = 0
    # A task of an application waiting for corrections keeps its colour: its clock stands still.
    stale = (Task.objects.filter(task_clock_running()).annotate(level=task_sla_level_on(_today()))
             .filter(~Q(sla_level=F("level"))).select_related("application__service", "department"))
    for task in stale:
        # Only the worker whose UPDATE still sees the old colour tells the officials.
        updated = Task.objects.filter(pk=task.pk, sla_level=task.sla_level).update(sla_level=task.level)
        if updated and task.level:
            application = task.application
            for official in task.department.officials.filter(is_active=True):
                notify(official, "sla.warning",
                       context={"reference": application.reference, "service": application.service.name,
                                "due": task.due_date.isoformat(), "level": task.level},
                       key=f"task:{task.pk}:{task.level}", variant=SLA_VARIANTS[task.level], link=reverse("admin:services_application_change", args=[application.pk]))
        changed += updated
    return changed


def deadline_colours() -> int:
    """The applications' colours (the lead department) and each open task's (its own department)."""
    return update_sla_levels() + update_task_sla_levels()


def close_unanswered_corrections() -> int:
    """Close as withdrawn the applications whose corrections were not made by their deadline."""
    waiting = Application.objects.filter(
        state=State.CORRECTION_REQUESTED, corrections__resolved_at__isnull=True,
        corrections__respond_by__lt=_today(),
    ).values_list("pk", flat=True).distinct()
    return _each(waiting, workflow.close_unanswered_correction)


def sample_post_checks() -> int:
    """Draw the post-check sample of every commitment approval not drawn yet (双随机)."""
    drawn = 0
    unsampled = Application.objects.filter(
        service__approval_mode=ApprovalMode.COMMITMENT, post_check_sampled=False,
        state=State.APPROVED,
    ).values_list("pk", flat=True)
    for pk in list(unsampled):
        if workflow.sample_post_check(pk) is not None:
            drawn += 1
    return drawn


def flag_overdue_post_checks() -> int:
    """Tell the drawn official once when a post-check passes its due date."""
    flagged = 0
    overdue = PostCheck.objects.filter(
        result=PostCheck.Result.PENDING, due_date__lt=_today(), overdue_notified=False
    ).select_related("application", "application__service", "assignee")
    for check in overdue:
        if PostCheck.objects.filter(pk=check.pk, overdue_notified=False).update(overdue_notified=True):
            notify(check.assignee, "sla.warning",
                   context={"reference": check.application.reference, "service": check.application.service.name,
                            "due": check.due_date.isoformat(), "level": "red"},
                   key=f"postcheck:{check.pk}", variant="post_check_overdue", link=reverse("admin:services_postcheck_change", args=[check.pk]))
            flagged += 1
    return flagged


ALL_TIMERS = {
    "auto_accept": auto_accept_overdue,
    "deferred_reminders": remind_deferred_materials,
    "suspend_overdue": suspend_overdue_deferred,
    "revoke_after_grace": revoke_after_grace,
    "sla_levels": deadline_colours,
    "close_unanswered_corrections": close_unanswered_corrections,
    "sample_post_checks": sample_post_checks,
    "overdue_post_checks": flag_overdue_post_checks,
    "issue_missing_notices": issue_missing,  # notices whose task the broker lost
}
