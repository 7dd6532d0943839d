"""The approval workflow: every rule of DESIGN §3, one plain function per action.

Each function runs in one transaction with the application row locked, checks who acts,
moves the state machine (django-fsm-2 transitions on `Application`), writes exactly one
audit event and the notifications of that change. Portal views, the admin, the API and the
timers all call these functions. A transition the state does not allow raises
`IllegalTransition` and changes nothing.
"""

import datetime
import random
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from gmssl import func, sm3

from enterprises.models import CreditRecord, Enterprise
from portal.files import validate_upload
from services.audit import record_event
from services.calendar import DueDate, add_working_days
from services.errors import IllegalTransition
from services.models import (
    Application,
    ApprovalMode,
    Commitment,
    CorrectionNotice,
    DeferredMaterial,
    Department,
    Document,
    PostCheck,
    ServiceItem,
    State,
    Task,
)
from services.notifications import notify

ACCEPTANCE_DAYS = 5  # 行政许可法 Art. 32: accept or ask for corrections within 5 working days
EXTENSION_DAYS = 10  # one extension of the statutory limit, with a recorded reason
OVERDUE_REASON = _("Deferred materials were not supplied by their due date.")
GRACE_OVER_REASON = _("Deferred materials were still missing at the end of the grace period.")


# --- helpers ---------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def sm3_digest(text: str) -> str:
    """SM3 (GM/T 0004-2012) of the UTF-8 text, as 64 hex characters."""
    return sm3.sm3_hash(func.bytes_to_list(text.encode("utf-8")))


def is_member(user: Any, enterprise: Enterprise) -> bool:
    return bool(user.is_authenticated and enterprise.memberships.filter(user=user).exists())


def is_official_of(user: Any, department: Department) -> bool:
    if user.is_superuser:
        return True
    return bool(user.is_staff and department.officials.filter(pk=user.pk).exists())


def _require_member(user: Any, application: Application) -> None:
    if not is_member(user, application.enterprise):
        raise PermissionError("not a member of the applying enterprise")


def _require_official(user: Any, department: Department) -> None:
    if not is_official_of(user, department):
        raise PermissionError("not an official of the responsible department")


def _lock(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "enterprise", "service__lead_department")
        .get(pk=application_id)
    )


def _move(application: Application, transition: str, action: str) -> str:
    """Run one fsm transition; an illegal one raises IllegalTransition."""
    from_state = application.state
    try:
        getattr(application, transition)()
    except TransitionNotAllowed:
        raise IllegalTransition(
            _("“%(action)s” is not allowed while the application is “%(state)s”.")
            % {"action": ACTION_LABELS.get(action, action), "state": State(from_state).label},
            current_state=from_state,
            action=action,
        ) from None
    return from_state


ACTION_LABELS = {
    "submit": _("submit"),
    "accept": _("accept"),
    "refuse": _("refuse"),
    "request_correction": _("request correction"),
    "resubmit": _("resubmit"),
    "approve": _("approve"),
    "reject": _("reject"),
    "withdraw": _("withdraw"),
    "suspend": _("suspend"),
    "revoke": _("revoke"),
    "complete": _("complete"),
    "extend": _("extend"),
}


def _changed(
    actor: Any,
    application: Application,
    action: str,
    from_state: str,
    *,
    reason: str = "",
    data: dict | None = None,
) -> None:
    """Save the application, record the one audit event and tell the enterprise's members."""
    application.save()
    event = record_event(
        actor, f"application.{action}", application,
        from_state=from_state, to_state=application.state, reason=reason, data=data,
    )
    for member in application.enterprise.members.all():
        notify(
            member,
            "application.changed",
            context={
                "reference": application.reference,
                "service": application.service.name,
                "state": State(application.state).label,
                "reason": reason or "—",
            },
            key=f"{application.pk}:{event.pk}",
            link=f"/applications/{application.pk}/",
        )


def _notify_officials(department: Department, application: Application, key: str) -> None:
    for official in department.officials.filter(is_active=True):
        notify(
            official,
            "task.opened",
            context={"reference": application.reference, "service": application.service.name},
            key=f"{application.pk}:{key}",
            link=f"/admin/services/application/{application.pk}/change/",
        )


def _due(start: datetime.date, days: int, application: Application) -> datetime.date:
    due: DueDate = add_working_days(start, days)
    if due.provisional:
        application.dates_provisional = True
    return due.date


def _check_file(file: Any) -> None:
    if not file:
        raise ValidationError({"file": _("Choose a file to upload.")})
    try:
        validate_upload(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None


# --- the applicant's side ---------------------------------------------------------------------


def create_application(user: Any, enterprise: Enterprise, service: ServiceItem, form: dict | None = None) -> Application:
    """A draft application of `enterprise` for `service`, with its reference (FT-2026-000123)."""
    if not is_member(user, enterprise):
        raise PermissionError("not a member of the enterprise")
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise ValidationError({"enterprise": _("The enterprise must be verified before it can apply.")})
    if not service.is_active:
        raise ValidationError({"service": _("This service item is not open for applications.")})
    if form is not None and not isinstance(form, dict):
        raise ValidationError({"form": _("The form must be an object of named fields.")})
    with transaction.atomic():
        application = Application.objects.create(
            enterprise=enterprise, service=service, applicant=user, form=form or {}
        )
        # The primary key is unique under any concurrency; gaps are allowed.
        application.reference = f"FT-{today().year}-{application.pk:06d}"
        application.save(update_fields=["reference"])
        record_event(user, "application.created", application, to_state=application.state)
    return application


def attach_document(user: Any, application_id: int, material_code: str, file: Any) -> Document:
    """Attach a file for one material while the application is a draft or under correction."""
    with transaction.atomic():
        application = _lock(application_id)
        _require_member(user, application)
        if application.state not in (State.DRAFT, State.CORRECTION_REQUESTED):
            raise IllegalTransition(
                _("Materials can be attached only to a draft or an application under correction."),
                current_state=application.state, action="attach",
            )
        material = application.service.materials.filter(code=material_code).first()
        if material is None:
            raise ValidationError({"material": _("This service item has no material “%(code)s”.") % {"code": material_code}})
        document = Document(application=application, material=material, uploaded_by=user,
                            original_name=getattr(file, "name", "")[:200], file=file)
        _check_file(file)
        document.save()
        record_event(user, "application.document_attached", application, data={"material": material.code})
    return document


def submit(
    user: Any,
    application_id: int,
    *,
    deferred_materials: Iterable[str] = (),
    commitment_accepted: bool = False,
) -> Application:
    """Submit a draft. Commitment mode is approved on the spot; the others wait for acceptance."""
    deferred_codes = sorted(set(deferred_materials or ()))
    with transaction.atomic():
        application = _lock(application_id)
        _require_member(user, application)
        service = application.service
        if application.state != State.DRAFT:
            _move(application, "submit", "submit")  # raises the illegal-transition error
        errors: dict[str, list] = {}

        materials = {m.code: m for m in service.materials.all()}
        unknown = [code for code in deferred_codes if code not in materials]
        if deferred_codes and service.approval_mode != ApprovalMode.DEFERRED:
            errors["deferred_materials"] = [_("Only items of the deferred-documents mode accept deferred materials.")]
        elif unknown:
            errors["deferred_materials"] = [_("Unknown materials: %(codes)s.") % {"codes": ", ".join(unknown)}]
        elif any(not materials[code].deferrable for code in deferred_codes):
            errors["deferred_materials"] = [_("Only materials marked deferrable can be supplied later.")]

        attached = set(application.documents.values_list("material__code", flat=True))
        missing = [
            m.name for m in materials.values()
            if m.required and m.code not in attached and m.code not in deferred_codes
        ]
        if missing:
            errors["materials"] = [_("Required materials missing: %(names)s.") % {"names": "、".join(missing)}]

        needs_commitment = service.approval_mode == ApprovalMode.COMMITMENT or bool(deferred_codes)
        if needs_commitment and not commitment_accepted:
            errors["commitment_accepted"] = [_("Read and accept the commitment text to submit.")]
        if service.approval_mode == ApprovalMode.COMMITMENT and application.enterprise.on_credit_list():
            errors["enterprise"] = [
                _("The enterprise is on the credit list until %(date)s and cannot use the commitment mode.")
                % {"date": application.enterprise.credit_listed_until}
            ]
        if errors:
            raise ValidationError(errors)

        now = timezone.now()
        if needs_commitment:
            text = service.commitment_text or str(_("I commit that the information and materials I provide are true and complete."))
            Commitment.objects.create(
                application=application, text=text, signer=user, signed_at=now, digest=sm3_digest(text)
            )
        application.received_on = today()

        if service.approval_mode == ApprovalMode.COMMITMENT:
            from_state = _move(application, "grant_on_commitment", "submit")
            application.accepted_on = application.decided_on = application.received_on
            _changed(user, application, "granted_on_commitment", from_state,
                     reason=str(_("Approved on the spot on the applicant's signed commitment.")))
            return application

        from_state = _move(application, "submit", "submit")
        application.acceptance_due = _due(application.received_on, ACCEPTANCE_DAYS, application)
        for code in deferred_codes:
            due = add_working_days(application.received_on, service.deferral_days)
            DeferredMaterial.objects.create(
                application=application, material=materials[code], due_date=due.date, due_provisional=due.provisional
            )
            application.dates_provisional |= due.provisional
        _changed(user, application, "submitted", from_state, data={"deferred": deferred_codes})
        _notify_officials(service.lead_department, application, "submitted")
    return application


def resubmit(user: Any, application_id: int) -> Application:
    """The applicant has made the corrections: the acceptance clock starts again from today."""
    with transaction.atomic():
        application = _lock(application_id)
        _require_member(user, application)
        from_state = _move(application, "resubmit", "resubmit")
        application.corrections.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        application.received_on = today()
        application.acceptance_due = _due(application.received_on, ACCEPTANCE_DAYS, application)
        application.accepted_on = None
        _changed(user, application, "resubmitted", from_state)
        _notify_officials(application.service.lead_department, application, f"resubmitted:{application.received_on}")
    return application


def withdraw(user: Any, application_id: int, reason: str = "") -> Application:
    with transaction.atomic():
        application = _lock(application_id)
        _require_member(user, application)
        from_state = _move(application, "withdraw", "withdraw")
        application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)
        _changed(user, application, "withdrawn", from_state, reason=reason)
    return application


def supply_deferred(user: Any, application_id: int, material_code: str, file: Any) -> DeferredMaterial:
    """The applicant supplies a deferred material; an official then checks it."""
    with transaction.atomic():
        application = _lock(application_id)
        _require_member(user, application)
        deferred = application.deferred.filter(material__code=material_code).select_related("material").first()
        if deferred is None:
            raise ValidationError({"material": _("This material was not deferred for this application.")})
        if application.state in (State.REVOKED, State.WITHDRAWN, State.REJECTED):
            raise IllegalTransition(_("The application is closed."), current_state=application.state, action="supply")
        if deferred.supplied_at:
            raise ValidationError({"material": _("This material has already been supplied.")})
        _check_file(file)
        Document.objects.create(application=application, material=deferred.material, uploaded_by=user,
                                original_name=getattr(file, "name", "")[:200], file=file)
        deferred.supplied_at = timezone.now()
        deferred.save(update_fields=["supplied_at"])
        record_event(user, "application.deferred_supplied", application, data={"material": material_code})
        _notify_officials(application.service.lead_department, application, f"supplied:{material_code}")
    return deferred


# --- the department's side --------------------------------------------------------------------


def _open_tasks(application: Application) -> None:
    """Create the review tasks: in order for standard items, all at once for parallel ones."""
    service = application.service
    start = application.accepted_on
    steps = list(service.review_steps.select_related("department"))
    if not steps:
        Task.objects.create(
            application=application, department=service.lead_department, order=1, name=str(_("Review")),
            status=Task.Status.OPEN, due_date=application.decision_due,
        )
        _notify_officials(service.lead_department, application, "task:1")
        return
    parallel = service.approval_mode == ApprovalMode.PARALLEL
    for index, step in enumerate(steps):
        opens_now = parallel or index == 0
        due = _due(start, step.promised_days or service.promised_days, application) if parallel else application.decision_due
        Task.objects.create(
            application=application, department=step.department, order=step.order, name=step.name,
            status=Task.Status.OPEN if opens_now else Task.Status.WAITING, due_date=due,
        )
        if opens_now:
            _notify_officials(step.department, application, f"task:{step.order}:{step.department_id}")


def _set_decision_dues(application: Application) -> None:
    service = application.service
    start = application.accepted_on
    promised = service.promised_days
    if service.approval_mode == ApprovalMode.PARALLEL:
        # The longest department's promise, not the sum.
        promised = max([promised] + [s.promised_days for s in service.review_steps.all() if s.promised_days])
    application.decision_due = _due(start, promised, application)
    application.statutory_due = _due(start, max(service.statutory_days, promised), application)


def accept(official: Any, application_id: int, *, automatic: bool = False) -> Application:
    """Take the application in (受理). The timer accepts automatically, dated the day received."""
    with transaction.atomic():
        application = _lock(application_id)
        if not automatic:
            _require_official(official, application.service.lead_department)
        from_state = _move(application, "accept", "accept")
        application.accepted_on = application.received_on if automatic else today()
        _set_decision_dues(application)
        _open_tasks(application)
        reason = str(_("Accepted automatically: no decision within 5 working days (Administrative Licensing Law, Art. 32).")) if automatic else ""
        _changed(None if automatic else official, application, "accepted", from_state, reason=reason)
    return application


def request_correction(official: Any, application_id: int, items: list[str]) -> Application:
    """One notice listing every correction at once (一次性告知); the clock stops until resubmission."""
    items = [str(item).strip() for item in (items or []) if str(item).strip()]
    if not items:
        raise ValidationError({"items": _("List every item the applicant must correct.")})
    with transaction.atomic():
        application = _lock(application_id)
        _require_official(official, application.service.lead_department)
        from_state = _move(application, "request_correction", "request_correction")
        CorrectionNotice.objects.create(application=application, items=items, requested_by=official)
        application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)
        application.acceptance_due = None
        _changed(official, application, "correction_requested", from_state, reason="；".join(items), data={"items": items})
    return application


def refuse(official: Any, application_id: int, reason: str) -> Application:
    """Refuse to take the application in (不予受理), with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason; the applicant will read it.")})
    with transaction.atomic():
        application = _lock(application_id)
        _require_official(official, application.service.lead_department)
        from_state = _move(application, "refuse", "refuse")
        _changed(official, application, "not_accepted", from_state, reason=reason.strip())
    return application


DECISIONS = ("approve", "reject", "return")


def decide(official: Any, task_id: int, decision: str, comment: str = "") -> Application:
    """An official's decision on one review task; the last approval decides the application.

    Concurrent decisions are serialised on the application row, so the final transition
    happens exactly once.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    if decision in ("reject", "return") and not (comment or "").strip():
        raise ValidationError({"comment": _("Give the reason; the applicant will read it.")})
    application_id = Task.objects.filter(pk=task_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise Task.DoesNotExist
    with transaction.atomic():
        application = _lock(application_id)
        task = Task.objects.select_for_update().select_related("department").get(pk=task_id)
        _require_official(official, task.department)
        if task.status != Task.Status.OPEN or application.state not in (State.ACCEPTED, State.IN_REVIEW):
            raise IllegalTransition(
                _("This task is no longer open for a decision."), current_state=application.state, action=decision
            )
        task.decided_by, task.decided_at, task.comment = official, timezone.now(), comment.strip()

        if decision == "return":
            task.status = Task.Status.RETURNED
            task.save()
            from_state = _move(application, "request_correction", "request_correction")
            CorrectionNotice.objects.create(application=application, items=[comment.strip()], requested_by=official)
            application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)
            _changed(official, application, "correction_requested", from_state, reason=comment.strip(),
                     data={"task": task.pk})
            return application

        if decision == "reject":
            task.status = Task.Status.REJECTED
            task.save()
            application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)
            from_state = _move(application, "reject", "reject")
            application.decided_on = today()
            _changed(official, application, "rejected", from_state, reason=comment.strip(), data={"task": task.pk})
            return application

        task.status = Task.Status.APPROVED
        task.save()
        remaining = application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).order_by("order", "id")
        if remaining.exists():
            next_task = remaining.first()
            if next_task.status == Task.Status.WAITING and not remaining.filter(status=Task.Status.OPEN).exists():
                next_task.status = Task.Status.OPEN
                next_task.save(update_fields=["status"])
                _notify_officials(next_task.department, application, f"task:{next_task.order}:{next_task.department_id}")
            from_state = application.state
            if application.state == State.ACCEPTED:
                _move(application, "start_review", "approve")
            _changed(official, application, "step_approved", from_state, reason=comment.strip(),
                     data={"task": task.pk, "step": task.name})
            return application

        application.decided_on = today()
        if application.deferred.filter(checked_at__isnull=True).exists():
            from_state = _move(application, "approve_pending_documents", "approve")
            _changed(official, application, "approved_pending_documents", from_state, reason=comment.strip(),
                     data={"task": task.pk})
        else:
            from_state = _move(application, "approve", "approve")
            _changed(official, application, "approved", from_state, reason=comment.strip(), data={"task": task.pk})
    return application


def extend(official: Any, application_id: int, reason: str) -> Application:
    """Extend the statutory limit once, by 10 working days, with a recorded reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An extension needs a recorded reason.")})
    with transaction.atomic():
        application = _lock(application_id)
        _require_official(official, application.service.lead_department)
        if application.state not in (State.ACCEPTED, State.IN_REVIEW):
            raise IllegalTransition(_("Only an application in review can be extended."),
                                    current_state=application.state, action="extend")
        if application.extended:
            raise IllegalTransition(_("The time limit has already been extended once."),
                                    current_state=application.state, action="extend")
        application.extended = True
        application.extension_reason = reason.strip()
        application.statutory_due = _due(application.statutory_due, EXTENSION_DAYS, application)
        _changed(official, application, "extended", application.state, reason=reason.strip(),
                 data={"statutory_due": application.statutory_due.isoformat()})
    return application


def check_deferred(official: Any, deferred_id: int) -> Application:
    """An official confirms a supplied deferred material; the last one completes the approval."""
    application_id = DeferredMaterial.objects.filter(pk=deferred_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise DeferredMaterial.DoesNotExist
    with transaction.atomic():
        application = _lock(application_id)
        _require_official(official, application.service.lead_department)
        deferred = DeferredMaterial.objects.select_for_update().select_related("material").get(pk=deferred_id)
        if not deferred.supplied_at or deferred.checked_at:
            raise IllegalTransition(_("Only a supplied, unchecked material can be checked."),
                                    current_state=application.state, action="check")
        deferred.checked_at, deferred.checked_by = timezone.now(), official
        deferred.save(update_fields=["checked_at", "checked_by"])
        outstanding = application.deferred.filter(checked_at__isnull=True).exists()
        if not outstanding and application.state in (State.APPROVED_PENDING_DOCUMENTS, State.SUSPENDED):
            if application.state == State.SUSPENDED:
                raise IllegalTransition(_("A suspended application cannot be completed; it awaits revocation."),
                                        current_state=application.state, action="check")
            from_state = _move(application, "documents_complete", "approve")
            _changed(official, application, "documents_complete", from_state,
                     data={"material": deferred.material.code})
        else:
            record_event(official, "application.deferred_checked", application,
                         data={"material": deferred.material.code})
    return application


def complete(official: Any, application_id: int) -> Application:
    """Close an approved application (办结)."""
    with transaction.atomic():
        application = _lock(application_id)
        _require_official(official, application.service.lead_department)
        if PostCheck.objects.filter(application=application, result=PostCheck.Result.PENDING).exists():
            raise IllegalTransition(_("The post-check of this commitment approval is still pending."),
                                    current_state=application.state, action="complete")
        from_state = _move(application, "complete", "complete")
        _changed(official, application, "completed", from_state)
    return application


def suspend(application_id: int, reason: str, actor: Any = None) -> Application:
    """Suspend (中止), e.g. when deferred materials are overdue."""
    with transaction.atomic():
        application = _lock(application_id)
        if actor is not None:
            _require_official(actor, application.service.lead_department)
        from_state = _move(application, "suspend", "suspend")
        application.suspended_on = today()
        _changed(actor, application, "suspended", from_state, reason=reason)
    return application


def revoke(application_id: int, reason: str, actor: Any = None) -> Application:
    """Revoke the approval and put the enterprise on the credit list for the item's period."""
    with transaction.atomic():
        application = _lock(application_id)
        if actor is not None:
            _require_official(actor, application.service.lead_department)
        from_state = _move(application, "revoke", "revoke")
        application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)
        _put_on_credit_list(application, reason)
        _changed(actor, application, "revoked", from_state, reason=reason)
    return application


def _put_on_credit_list(application: Application, reason: str) -> None:
    enterprise = Enterprise.objects.select_for_update().get(pk=application.enterprise_id)
    until = today() + datetime.timedelta(days=application.service.credit_bar_days)
    CreditRecord.objects.create(enterprise=enterprise, application=application, reason=reason,
                                listed_on=today(), listed_until=until)
    if not enterprise.credit_listed_until or enterprise.credit_listed_until < until:
        enterprise.credit_listed_until = until
        enterprise.save(update_fields=["credit_listed_until"])
    application.enterprise = enterprise


# --- post-checks of commitment approvals (事后核查, 双随机) ---------------------------------------

_system_random = random.SystemRandom()


def sample_post_check(application_id: int, rng: random.Random | None = None) -> PostCheck | None:
    """Draw whether this commitment approval is checked, and by which official (双随机)."""
    rng = rng or _system_random
    with transaction.atomic():
        application = _lock(application_id)
        if application.post_check_sampled or application.service.approval_mode != ApprovalMode.COMMITMENT:
            return None
        application.post_check_sampled = True
        application.save(update_fields=["post_check_sampled"])
        service = application.service
        ratio = float(service.post_check_ratio)
        if ratio < 1 and rng.random() >= ratio:
            record_event(None, "application.post_check_not_sampled", application)
            return None
        department = service.lead_department
        officials = list(department.officials.filter(is_active=True, is_staff=True).order_by("pk"))
        if not officials:
            raise ValidationError({"department": _("The department has no official to assign the post-check to.")})
        assignee = rng.choice(officials)
        due = _due(today(), service.post_check_window_days, application)
        check = PostCheck.objects.create(application=application, department=department, assignee=assignee,
                                         due_date=due)
        application.save(update_fields=["dates_provisional"])
        record_event(None, "application.post_check_sampled", application,
                     data={"assignee": assignee.username, "due": due.isoformat()})
        notify(assignee, "post_check.assigned",
               context={"reference": application.reference, "service": service.name, "due": due.isoformat()},
               key=str(check.pk), link=f"/admin/services/postcheck/{check.pk}/change/")
    return check


def run_post_check(official: Any, post_check_id: int, passed: bool, note: str = "") -> Application:
    """Record the post-check: a pass completes the application, a failure revokes it."""
    application_id = PostCheck.objects.filter(pk=post_check_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise PostCheck.DoesNotExist
    if not passed and not (note or "").strip():
        raise ValidationError({"note": _("Record what the check found.")})
    with transaction.atomic():
        application = _lock(application_id)
        check = PostCheck.objects.select_for_update().get(pk=post_check_id)
        if not (official.is_superuser or check.assignee_id == official.pk):
            raise PermissionError("only the drawn official runs the post-check")
        if check.result != PostCheck.Result.PENDING:
            raise IllegalTransition(_("This post-check has already been done."),
                                    current_state=application.state, action="post_check")
        check.result = PostCheck.Result.PASSED if passed else PostCheck.Result.FAILED
        check.note, check.done_at = note.strip(), timezone.now()
        check.save()
        if passed:
            from_state = _move(application, "complete", "complete")
            _changed(official, application, "post_check_passed", from_state, reason=note.strip())
        else:
            from_state = _move(application, "revoke", "revoke")
            _put_on_credit_list(application, note.strip())
            _changed(official, application, "post_check_failed", from_state, reason=note.strip())
    return application


def officials_open_tasks(official: Any):
    """The queue of an official: open tasks of their departments, oldest due first."""
    tasks = Task.objects.filter(status=Task.Status.OPEN).select_related(
        "application", "application__service", "application__enterprise", "department"
    )
    if not official.is_superuser:
        tasks = tasks.filter(department__officials=official)
    return tasks.order_by("due_date", "id")


__all__ = [
    "accept", "attach_document", "check_deferred", "complete", "create_application", "decide",
    "extend", "officials_open_tasks", "refuse", "request_correction", "resubmit", "revoke",
    "run_post_check", "sample_post_check", "submit", "supply_deferred", "suspend", "withdraw",
]


# --- calendar changes ---------------------------------------------------------------------------


def recompute_due_dates(actor: Any, application_id: int) -> bool:
    """Re-compute the due dates of one open application from its own start dates.

    Called after an official holiday schedule is entered; records one audit event with the
    old and new dates when anything moved. Returns whether anything changed.
    """
    with transaction.atomic():
        application = _lock(application_id)
        service = application.service
        before = {
            "acceptance_due": application.acceptance_due,
            "decision_due": application.decision_due,
            "statutory_due": application.statutory_due,
        }
        application.dates_provisional = False
        if application.state == State.SUBMITTED and application.received_on:
            application.acceptance_due = _due(application.received_on, ACCEPTANCE_DAYS, application)
        if application.accepted_on:
            _set_decision_dues(application)
            if application.extended:
                application.statutory_due = _due(application.statutory_due, EXTENSION_DAYS, application)
        moved_deferred = {}
        for deferred in application.deferred.select_related("material"):
            due = add_working_days(application.received_on, service.deferral_days)
            application.dates_provisional |= due.provisional
            if (deferred.due_date, deferred.due_provisional) != (due.date, due.provisional):
                moved_deferred[deferred.material.code] = [deferred.due_date.isoformat(), due.date.isoformat()]
                deferred.due_date, deferred.due_provisional = due.date, due.provisional
                deferred.save(update_fields=["due_date", "due_provisional"])
        after = {key: getattr(application, key) for key in before}
        changes = {
            key: [str(before[key]), str(after[key])] for key in before if before[key] != after[key]
        }
        changes.update({f"deferred:{code}": dates for code, dates in moved_deferred.items()})
        application.save()
        if changes or not application.dates_provisional:
            record_event(actor, "application.due_dates_recomputed", application, data=changes,
                         reason=str(_("The official holiday schedule was entered.")))
    return bool(changes)


def recompute_provisional_due_dates(actor: Any) -> int:
    """Re-compute every open application whose due dates are provisional; returns how many moved."""
    from services.models.applications import OPEN_STATES

    moved = 0
    candidates = Application.objects.filter(dates_provisional=True, state__in=OPEN_STATES)
    for pk in list(candidates.values_list("pk", flat=True)):
        moved += recompute_due_dates(actor, pk)
    return moved
