"""The department's side: acceptance, corrections, review decisions, extension, suspension, revocation."""

import datetime
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.audit import record_event
from services.applications.models import REVIEW_STATES
from services.applications.selectors import replaced_since_last_notice
from services.applications.workflow import extensions
from services.applications.workflow.core import (
    WARNING_SHARE,
    cancel_open_tasks,
    close_acceptance_task,
    due,
    lock,
    move,
    notify_officials,
    record_change,
    today,
)
from services.applications.workflow.due_dates import set_decision_dues
from services.applications.workflow.rules import require, require_checkable, require_decidable
from services.applications.workflow.suspension import complied_in_grace, lift_suspension
from services.models import Application, ApprovalMode, CorrectionNotice, DeferredMaterial, State, Task

DECISIONS = ("approve", "reject", "return")


def _open_tasks(application: Application) -> None:
    """Create the review tasks: in order for standard items, all at once for parallel ones."""
    service = application.service
    steps = list(service.review_steps.select_related("department"))
    if not steps:
        Task.objects.create(
            application=application, department=service.lead_department, order=1, name=str(_("Review")),
            status=Task.Status.OPEN, due_date=application.decision_due, warning_on=application.warning_on,
        )
        notify_officials(service.lead_department, application, "task:1")
        return
    parallel = service.approval_mode == ApprovalMode.PARALLEL
    for index, step in enumerate(steps):
        opens_now = parallel or index == 0
        promised = step.promised_days or service.promised_days
        task_due, warning_on = (
            (due(application.accepted_on, promised, application),
             due(application.accepted_on, math.ceil(WARNING_SHARE * promised), application))
            if parallel else (application.decision_due, application.warning_on)
        )
        Task.objects.create(
            application=application, department=step.department, order=step.order,
            name=step.name, name_en=step.name_en,
            status=Task.Status.OPEN if opens_now else Task.Status.WAITING, due_date=task_due, warning_on=warning_on,
        )
        if opens_now:
            notify_officials(step.department, application, f"task:{step.order}:{step.department_id}")


def accept(official: Any, application_id: int, *, automatic: bool = False) -> Application:
    """Take the application in (受理). The timer accepts automatically, dated the day received."""
    with transaction.atomic():
        application = lock(application_id)
        if not automatic:
            require(official, application, "accept")
        _accept(None if automatic else official, application)
    return application


def _accept(official: Any, application: Application, comment: str = "") -> None:
    """Accept the locked application; `official` is None when the timer accepts (行政许可法 Art. 32).

    `comment` is the official's, when the acceptance was decided from the queue.
    """
    automatic = official is None
    from_state = move(application, "accept", "accept")
    application.accepted_on = application.received_on if automatic else today()
    set_decision_dues(application)
    reason = str(_("Accepted automatically: no decision within 5 working days (Administrative Licensing Law, Art. 32).")) if automatic else comment
    close_acceptance_task(application, Task.Status.APPROVED, official, reason)
    _open_tasks(application)
    record_change(official, application, "accepted", from_state, reason=reason)


def one_time_notice_errors(application: Application, items: list[str]) -> list[str]:
    """一次性告知: after a first notice, a further one may name only materials replaced since.

    Each item must name (by name or code) a material the applicant attached anew after the latest
    notice; the reasons for the others, in the user's language.
    """
    if not application.corrections.exists():
        return []
    replaced = {document.material for document in replaced_since_last_notice(application)}
    names = [(material.name.casefold(), material.code.casefold()) for material in replaced]
    refused = [item for item in items
               if not any(name in item.casefold() or code in item.casefold() for name, code in names)]
    if not refused:
        return []
    return [_("Every correction had to be named in the first notice (一次性告知). A further notice may name "
              "only materials replaced since (%(replaced)s); not: %(refused)s.") % {
        "replaced": "、".join(sorted(material.name for material in replaced)) or _("none"),
        "refused": "；".join(refused)}]


def _notice(application: Application, items: list[str], official: Any, from_state: str,
            returned_task: Task | None = None) -> CorrectionNotice:
    """The notice, with the applicant's deadline; in review it stops the clock instead of restarting it."""
    in_review = from_state in REVIEW_STATES
    return CorrectionNotice.objects.create(
        application=application, items=items, requested_by=official,
        respond_by=today() + datetime.timedelta(days=application.service.correction_days),
        paused_on=today() if in_review else None, resume_state=from_state if in_review else "",
        returned_task=returned_task,
    )


def request_correction(official: Any, application_id: int, items: list[str]) -> Application:
    """One notice listing every correction at once (一次性告知); the clock stops until resubmission."""
    items = correction_items(items)
    if not items:
        raise ValidationError({"items": _("List every item the applicant must correct.")})
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "request_correction")
        _request_correction(official, application, items, field="items")
    return application


def correction_items(items: list[str]) -> list[str]:
    """The items of a correction notice: each one trimmed, the empty ones dropped."""
    return [str(item).strip() for item in (items or []) if str(item).strip()]


def _request_correction(official: Any, application: Application, items: list[str], *, field: str) -> None:
    """Send the notice on the locked application; a refused item is reported on `field` of the input."""
    if errors := one_time_notice_errors(application, items):
        raise ValidationError({field: errors})
    from_state = move(application, "request_correction", "request_correction")
    _notice(application, items, official, from_state)
    application.acceptance_due = None
    # At intake the notice is the acceptance's outcome; in review no acceptance task is open.
    close_acceptance_task(application, Task.Status.RETURNED, official, "\n".join(items))
    record_change(official, application, "correction_requested", from_state, reason="；".join(items),
                  data={"items": items})


def refuse(official: Any, application_id: int, reason: str) -> Application:
    """Refuse to take the application in (不予受理), with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason; the applicant will read it.")})
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "refuse")
        _refuse(official, application, reason.strip())
    return application


def _refuse(official: Any, application: Application, reason: str) -> None:
    from_state = move(application, "refuse", "refuse")
    close_acceptance_task(application, Task.Status.REJECTED, official, reason)
    record_change(official, application, "not_accepted", from_state, reason=reason)


# An acceptance task is decided in the contract's words; each decision is one acceptance action.
ACCEPTANCE_ACTIONS = {"approve": "accept", "return": "request_correction", "reject": "refuse"}


def _decide_acceptance(official: Any, application_id: int, task_id: int, decision: str, comment: str) -> Application:
    """The acceptance task's decision: approve accepts, return asks for the corrections the comment
    lists (one a line), reject refuses to take it in (不予受理) for the reason the comment gives."""
    items = correction_items(comment.splitlines())
    if decision == "return" and not items:
        raise ValidationError({"comment": _("List every item the applicant must correct, one a line.")})
    if decision == "reject" and not comment:
        raise ValidationError({"comment": _("Give the reason for not accepting; the applicant will read it.")})
    action = ACCEPTANCE_ACTIONS[decision]
    with transaction.atomic():
        application = lock(application_id)
        task = Task.objects.select_for_update().get(pk=task_id)
        require_decidable(official, task, application, action)
        require(official, application, action)
        if decision == "approve":
            _accept(official, application, comment)
        elif decision == "return":
            _request_correction(official, application, items, field="comment")
        else:
            _refuse(official, application, comment)
    return application


def decide(official: Any, task_id: int, decision: str, comment: str = "") -> Application:
    """An official's decision on one task of the queue.

    On an acceptance task it is the acceptance (see `_decide_acceptance`). On a review task the
    last approval decides the application. Concurrent decisions are serialised on the
    application row, so the final transition happens exactly once.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    comment = (comment or "").strip()
    found = Task.objects.filter(pk=task_id).values_list("application_id", "kind").first()
    if found is None:
        raise Task.DoesNotExist
    application_id, kind = found
    if kind == Task.Kind.ACCEPTANCE:
        return _decide_acceptance(official, application_id, task_id, decision, comment)
    if decision in ("reject", "return") and not comment:
        raise ValidationError({"comment": _("Give the reason; the applicant will read it.")})
    with transaction.atomic():
        application = lock(application_id)
        # The holder is read after the lock, not joined in (see claims._lock_task).
        task = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task_id)
        require_decidable(official, task, application, decision)
        if decision == "return" and (errors := one_time_notice_errors(application, comment.splitlines())):
            raise ValidationError({"comment": errors})
        task.decided_by, task.decided_at, task.comment = official, timezone.now(), comment
        task.status = {"return": Task.Status.RETURNED, "reject": Task.Status.REJECTED}.get(decision, Task.Status.APPROVED)
        task.save()

        if decision == "return":
            from_state = move(application, "request_correction", "request_correction")
            _notice(application, [comment], official, from_state, returned_task=task)
            record_change(official, application, "correction_requested", from_state, reason=comment,
                          data={"task": task.pk})
            return application

        if decision == "reject":
            cancel_open_tasks(application)
            from_state = move(application, "reject", "reject")
            application.decided_on = today()
            record_change(official, application, "rejected", from_state, reason=comment, data={"task": task.pk})
            return application

        remaining = application.tasks.filter(
            kind=Task.Kind.REVIEW, status__in=[Task.Status.OPEN, Task.Status.WAITING]).order_by("order", "id")
        next_task = remaining.first()
        if next_task is not None:
            if next_task.status == Task.Status.WAITING:  # the previous ordered step just closed
                next_task.status = Task.Status.OPEN
                next_task.save(update_fields=["status"])
                notify_officials(next_task.department, application, f"task:{next_task.order}:{next_task.department_id}")
            from_state = application.state
            if application.state == State.ACCEPTED:
                move(application, "start_review", "approve")
            record_change(official, application, "step_approved", from_state, reason=comment,
                          data={"task": task.pk, "step": task.name})
            return application

        extensions.on_approve(application)  # e.g. a talent policy's eligibility and quota
        application.decided_on = today()
        if application.deferred.filter(checked_at__isnull=True).exists():
            from_state = move(application, "approve_pending_documents", "approve")
            record_change(official, application, "approved_pending_documents", from_state, reason=comment,
                          data={"task": task.pk})
        else:
            from_state = move(application, "approve", "approve")
            record_change(official, application, "approved", from_state, reason=comment, data={"task": task.pk})
    return application


def extend(official: Any, application_id: int, reason: str) -> Application:
    """Extend the statutory limit once, by 10 working days, with a recorded reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An extension needs a recorded reason.")})
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "extend")
        application.extended = True
        application.extension_reason = reason.strip()
        set_decision_dues(application)
        record_change(official, application, "extended", application.state, reason=reason.strip(),
                      data={"statutory_due": application.statutory_due.isoformat()})
    return application


def check_deferred(official: Any, deferred_id: int) -> Application:
    """An official confirms a supplied deferred material; the last one completes the approval."""
    application_id = DeferredMaterial.objects.filter(pk=deferred_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise DeferredMaterial.DoesNotExist
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "check")
        deferred = DeferredMaterial.objects.select_for_update(of=("self",)).select_related("material").get(pk=deferred_id)
        require_checkable(deferred, application)
        deferred.checked_at, deferred.checked_by = timezone.now(), official
        deferred.save(update_fields=["checked_at", "checked_by"])
        outstanding = application.deferred.filter(checked_at__isnull=True).exists()
        if application.state == State.SUSPENDED and complied_in_grace(application):
            lift_suspension(official, application, outstanding, "restored", data={"material": deferred.material.code})
        elif not outstanding and application.state == State.APPROVED_PENDING_DOCUMENTS:
            from_state = move(application, "documents_complete", "approve")
            record_change(official, application, "documents_complete", from_state,
                          data={"material": deferred.material.code})
        else:
            record_event(official, "application.deferred_checked", application,
                         data={"material": deferred.material.code})
    return application


def complete(official: Any, application_id: int) -> Application:
    """Close an approved application (办结); a commitment approval waits for its post-check."""
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "complete")
        from_state = move(application, "complete", "complete")
        record_change(official, application, "completed", from_state)
    return application
