"""Suspension (中止), its lifting and revocation (撤销): by the timers of deferred materials and by hand.

A conditional approval whose deferred material is overdue is suspended; the company complying
within the grace period restores it (`check_deferred` calls `lift_suspension`); otherwise the
timer revokes it. An official of the lead department suspends, lifts and revokes with a reason.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.core.audit import events_of
from services.applications.workflow.core import due, lock, move, record_change, refusal, today, undo_approval
from services.applications.workflow.rules import require
from services.models import Application, State


def complied_in_grace(application: Application) -> bool:
    """Every material past its due date checked, and each supplied by the end of the grace period."""
    overdue = application.deferred.filter(due_date__lt=today())
    if overdue.filter(checked_at__isnull=True).exists():
        return False
    late = application.revocation_due and overdue.filter(supplied_at__date__gt=application.revocation_due)
    return not (late and late.exists())


def still_missing(application: Application) -> bool:
    """A material past its due date has not been supplied."""
    return application.deferred.filter(due_date__lt=today(), supplied_at__isnull=True).exists()


def lift_suspension(official: Any, application: Application, outstanding: bool, action: str, **change: Any) -> None:
    """Lift a suspension: the approval (or the review) is back where the suspension found it, in its timeline."""
    suspended = events_of(application).filter(to_state=State.SUSPENDED).order_by("-at", "-id").first()
    before = suspended.from_state if suspended else State.APPROVED_PENDING_DOCUMENTS
    if before == State.APPROVED_PENDING_DOCUMENTS:
        before = State.APPROVED_PENDING_DOCUMENTS if outstanding else State.APPROVED
    application.restore(before)
    application.suspended_on = application.revocation_due = None
    record_change(official, application, action, State.SUSPENDED, **change)


def resume(official: Any, application_id: int, reason: str) -> Application:
    """Lift a suspension (恢复) by an official of the lead department, with the reason the applicant
    reads, once nothing overdue is missing: a suspension made by hand ends this way."""
    reason = _require_reason(reason)
    with transaction.atomic():
        application = lock(application_id)
        require(official, application, "resume")
        outstanding = application.deferred.filter(checked_at__isnull=True).exists()
        lift_suspension(official, application, outstanding, "resumed", reason=reason)
    return application


def revoke_after_grace(application_id: int, reason: str) -> Application:
    """Revoke a suspension whose grace period is over, if a material is still missing (the timer)."""
    with transaction.atomic():
        application = lock(application_id)
        # Checked again under the lock: the company may have complied since the timer selected it.
        grace_over = application.revocation_due is not None and application.revocation_due < today()
        if application.state != State.SUSPENDED or not grace_over or not still_missing(application):
            raise refusal(application, "revoke")
        _revoke(application, reason, None)
    return application


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason; the applicant will read it.")})
    return reason.strip()


def suspend(application_id: int, reason: str, actor: Any = None) -> Application:
    """Suspend (中止), by the timer when deferred materials are overdue or by an official of the lead
    department with the reason; revocation follows after the grace period if a material is still missing.
    """
    reason = _require_reason(reason)
    with transaction.atomic():
        application = lock(application_id)
        if actor is not None:
            require(actor, application, "suspend")
        from_state = move(application, "suspend", "suspend")
        application.suspended_on = today()
        application.revocation_due = due(application.suspended_on, application.service.deferral_grace_days, application)
        record_change(actor, application, "suspended", from_state, reason=reason)
    return application


def revoke(application_id: int, reason: str, actor: Any = None) -> Application:
    """Revoke the approval (by an official of the lead department, with the reason the applicant reads):
    the enterprise goes on the credit list for the item's period and what the approval consumed
    (a talent grant's quota and budget) is given back."""
    reason = _require_reason(reason)
    with transaction.atomic():
        application = lock(application_id)
        if actor is not None:
            require(actor, application, "revoke")
        _revoke(application, reason, actor)
    return application


def _revoke(application: Application, reason: str, actor: Any) -> None:
    from_state = move(application, "revoke", "revoke")
    undo_approval(application, reason)
    record_change(actor, application, "revoked", from_state, reason=reason)
