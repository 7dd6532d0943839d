"""The workflow's clocks: each timer scans with an indexed query and acts through workflow.py.

Every timer is idempotent and safe with two workers running it at once: the candidates are
re-checked under the row lock inside the workflow function (an application that moved on
meanwhile raises IllegalTransition and is skipped), and reminders are claimed with a
conditional UPDATE, so each goes out once. Each returns how many things it did.
"""

import logging
from datetime import date

from django.db import transaction

from services import workflow
from services.calendar import add_working_days, working_days_between
from services.errors import IllegalTransition
from services.models import Application, ApprovalMode, DeferredMaterial, PostCheck, State
from services.notifications import notify

log = logging.getLogger(__name__)
REMINDER_DAYS = (3, 1)  # working days before a deferred material is due


def _today() -> date:
    return workflow.today()


def auto_accept_overdue() -> int:
    """Accept every application nobody acted on within 5 working days (行政许可法 Art. 32)."""
    done = 0
    candidates = Application.objects.filter(state=State.SUBMITTED, acceptance_due__lt=_today())
    for pk in candidates.values_list("pk", flat=True).iterator():
        try:
            workflow.accept(None, pk, automatic=True)
            done += 1
        except IllegalTransition:
            continue  # accepted by an official or another worker meanwhile
    return done


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
    done = 0
    overdue = (
        Application.objects.filter(
            state__in=[State.APPROVED_PENDING_DOCUMENTS, State.ACCEPTED, State.IN_REVIEW],
            deferred__supplied_at__isnull=True, deferred__due_date__lt=_today(),
        ).values_list("pk", flat=True).distinct()
    )
    for pk in list(overdue):
        try:
            workflow.suspend(pk, reason=str(workflow.OVERDUE_REASON))
            done += 1
        except IllegalTransition:
            continue
    return done


def revoke_after_grace() -> int:
    """Revoke suspended applications whose grace period is over, with a credit record."""
    done = 0
    today = _today()
    for application in Application.objects.filter(state=State.SUSPENDED, suspended_on__isnull=False).select_related("service"):
        grace_end = add_working_days(application.suspended_on, application.service.deferral_grace_days).date
        if today <= grace_end:
            continue
        try:
            workflow.revoke(application.pk, reason=str(workflow.GRACE_OVER_REASON))
            done += 1
        except IllegalTransition:
            continue
    return done


def update_sla_levels() -> int:
    """Colour the deadline of every application in review: yellow at 80% of the promise,
    red past the promise, escalated past the statutory limit. Officials are told on a change."""
    changed = 0
    today = _today()
    in_review = Application.objects.filter(state__in=[State.ACCEPTED, State.IN_REVIEW]).select_related("service")
    for application in in_review.iterator():
        level = sla_level(application, today)
        if level == application.sla_level:
            continue
        updated = Application.objects.filter(pk=application.pk, sla_level=application.sla_level).update(sla_level=level)
        if updated and level:
            department = application.service.lead_department
            for official in department.officials.filter(is_active=True):
                notify(official, "sla.warning",
                       context={"reference": application.reference, "service": application.service.name,
                                "due": application.decision_due.isoformat(), "level": level},
                       key=f"{application.pk}:{level}", link=f"/admin/services/application/{application.pk}/change/")
        changed += updated
    return changed


def sla_level(application: Application, today: date) -> str:
    if not application.accepted_on or not application.decision_due:
        return ""
    if application.statutory_due and today > application.statutory_due:
        return "escalated"
    if today > application.decision_due:
        return "red"
    promised = working_days_between(application.accepted_on, application.decision_due) or 1
    used = working_days_between(application.accepted_on, today)
    return "yellow" if used >= 0.8 * promised else ""


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
                   key=f"postcheck:{check.pk}", link=f"/admin/services/postcheck/{check.pk}/change/")
            flagged += 1
    return flagged


ALL_TIMERS = {
    "auto_accept": auto_accept_overdue,
    "deferred_reminders": remind_deferred_materials,
    "suspend_overdue": suspend_overdue_deferred,
    "revoke_after_grace": revoke_after_grace,
    "sla_levels": update_sla_levels,
    "sample_post_checks": sample_post_checks,
    "overdue_post_checks": flag_overdue_post_checks,
}
