"""The applicant's side: draft, materials, submission, corrections, withdrawal, deferred materials."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from enterprises.models import Enterprise
from portal.core.audit import record_event
from portal.core.bilingual import localised
from portal.core.digest import sm3_digest
from portal.core.files import display_name
from services.applications.form_answers import clean_answers
from services.applications.workflow import extensions
from services.applications.workflow.core import (
    ACCEPTANCE_DAYS,
    cancel_open_tasks,
    check_file,
    close_acceptance_task,
    due,
    is_member,
    lock,
    move,
    notify_officials,
    open_acceptance_task,
    record_change,
    refusal,
    today,
)
from services.applications.workflow.rules import require, require_suppliable
from services.calendar.working_days import add_working_days, working_days_between
from services.models import (
    Application,
    ApprovalMode,
    Commitment,
    CorrectionNotice,
    DeferredMaterial,
    Document,
    ServiceItem,
    State,
    Task,
)


def create_application(user: Any, enterprise: Enterprise, service: ServiceItem, form: dict | None = None) -> Application:
    """A draft application of `enterprise` for `service`, with its reference (FT-2026-000123)."""
    if not is_member(user, enterprise):
        raise PermissionError("not a member of the enterprise")
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise ValidationError({"enterprise": _("The enterprise must be verified before it can apply.")})
    if not service.is_active:
        raise ValidationError({"service": _("This service item is not open for applications.")})
    answers = clean_answers(service, form)
    with transaction.atomic():
        application = Application.objects.create(
            enterprise=enterprise, service=service, applicant=user, form=answers
        )
        # The primary key is unique under any concurrency; gaps are allowed.
        application.reference = f"FT-{today().year}-{application.pk:06d}"
        application.save(update_fields=["reference"])
        extensions.on_create(application, user)
        record_event(user, "application.created", application, to_state=application.state)
    return application


def save_form(user: Any, application_id: int, form: Any) -> Application:
    """Store the form's answers of a draft or an application under correction, checked but not yet
    for completeness (that is the submission's); the answers given replace the stored ones."""
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "edit_form")
        answers = clean_answers(application.service, form)
        before = application.form or {}
        changed = sorted(key for key in set(before) | set(answers) if before.get(key) != answers.get(key))
        if changed:
            application.form = answers
            application.save(update_fields=["form"])
            # The keys only: answers may hold personal data, and the form itself keeps them.
            record_event(user, "application.form_saved", application, data={"fields": changed})
    return application


def form_errors(application: Application) -> dict[str, list[str]]:
    """What the stored answers lack or get wrong for a submission, by answer (`form.<key>`)."""
    try:
        clean_answers(application.service, application.form, complete=True)
    except ValidationError as error:
        return error.message_dict
    return {}


def attach_document(user: Any, application_id: int, material_code: str, file: Any) -> Document:
    """Attach a file for one material while the application is a draft or under correction."""
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "attach")
        material = application.service.materials.filter(code=material_code).first()
        if material is None:
            raise ValidationError({"material": _("This service item has no material “%(code)s”.") % {"code": material_code}})
        kind = check_file(file, application, material)
        document = Document.objects.create(application=application, material=material, uploaded_by=user,
                                           original_name=display_name(file.name) or f"{material.code}.{kind}",
                                           file=file)
        record_event(user, "application.document_attached", application, data={"material": material.code})
    return document


def _submission_errors(application: Application, deferred_codes: list[str], commitment_accepted: bool) -> dict:
    """Every reason the draft cannot be submitted as asked, by field."""
    service = application.service
    errors: dict[str, list] = dict(form_errors(application))
    materials = {m.code: m for m in service.materials.all()}
    unknown = [code for code in deferred_codes if code not in materials]
    if deferred_codes and service.approval_mode != ApprovalMode.DEFERRED:
        errors["deferred_materials"] = [_("Only items of the deferred-documents mode accept deferred materials.")]
    elif unknown:
        errors["deferred_materials"] = [_("Unknown materials: %(codes)s.") % {"codes": ", ".join(unknown)}]
    elif any(not materials[code].deferrable for code in deferred_codes):
        errors["deferred_materials"] = [_("Only materials marked deferrable can be supplied later.")]

    attached = set(application.documents.values_list("material__code", flat=True))
    # What the district already holds (the talent's records, the enterprise's registered data) is not asked for.
    held = extensions.held_materials(application)
    missing = [localised(m, "name") for m in materials.values()
               if m.required and m.code not in attached and m.code not in deferred_codes and m.code not in held]
    if missing:
        errors["materials"] = [_("Required materials missing: %(names)s.") % {"names": "、".join(missing)}]

    if needs_commitment(service, deferred_codes) and not commitment_accepted:
        errors["commitment_accepted"] = [_("Read and accept the commitment text to submit.")]
    # Both the commitment mode and deferred materials rest on a signed commitment: a listed
    # enterprise may use neither.
    if needs_commitment(service, deferred_codes) and application.enterprise.on_credit_list():
        until = {"date": application.enterprise.credit_listed_until}
        if service.approval_mode == ApprovalMode.COMMITMENT:
            errors["enterprise"] = [
                _("The enterprise is on the credit list until %(date)s and cannot use the commitment mode.") % until]
        else:
            errors.setdefault("deferred_materials", []).append(
                _("The enterprise is on the credit list until %(date)s and cannot defer materials: attach them "
                  "all.") % until)
    for name, messages in extensions.submission_errors(application).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def needs_commitment(service: ServiceItem, deferred_codes: Iterable[str]) -> bool:
    """The commitment mode always signs; the deferred mode signs when something is deferred."""
    return service.approval_mode == ApprovalMode.COMMITMENT or bool(list(deferred_codes))


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
        application = lock(application_id)
        require(user, application, "submit")
        service = application.service
        errors = _submission_errors(application, deferred_codes, commitment_accepted)
        if errors:
            raise ValidationError(errors)

        if needs_commitment(service, deferred_codes):
            # Whole seconds: the signing time is part of the record the digest covers.
            commitment = Commitment(application=application, text=service.signing_text, signer=user,
                                    signed_at=timezone.now().replace(microsecond=0))
            commitment.digest = sm3_digest(commitment.canonical_record())
            commitment.save()
        application.received_on = today()

        if service.approval_mode == ApprovalMode.COMMITMENT:
            extensions.on_approve(application)
            from_state = move(application, "grant_on_commitment", "submit")
            application.accepted_on = application.decided_on = application.received_on
            record_change(user, application, "granted_on_commitment", from_state,
                          reason=str(_("Approved on the spot on the applicant's signed commitment.")))
            return application

        from_state = move(application, "submit", "submit")
        application.acceptance_due = due(application.received_on, ACCEPTANCE_DAYS, application)
        materials = {m.code: m for m in service.materials.all()}
        for code in deferred_codes:
            deferred_due = add_working_days(application.received_on, service.deferral_days)
            DeferredMaterial.objects.create(
                application=application, material=materials[code],
                due_date=deferred_due.date, due_provisional=deferred_due.provisional,
            )
            application.dates_provisional |= deferred_due.provisional
        open_acceptance_task(application)
        record_change(user, application, "submitted", from_state, data={"deferred": deferred_codes})
        notify_officials(service.lead_department, application, "submitted")
    return application


def resubmit(user: Any, application_id: int) -> Application:
    """The applicant has made the corrections.

    Corrected at intake: the acceptance clock starts again from today. Corrected during review:
    the review resumes where it stopped (中止计时) — the steps approved stay approved, the step
    that returned it opens again, and every deadline keeps the working days that were left.
    """
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "resubmit")
        incomplete = form_errors(application)
        if incomplete:
            raise ValidationError(incomplete)
        notice = application.corrections.filter(resolved_at__isnull=True).order_by("-requested_at", "-id").first()
        resume = notice.resume_state if notice and notice.resume_state else ""
        from_state = application.state
        try:
            application.resubmit(resume or State.SUBMITTED)
        except TransitionNotAllowed:
            raise refusal(application, "resubmit") from None
        application.corrections.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        if resume:
            _resume_review(application, notice)
            record_change(user, application, "resubmitted", from_state, data={"resumed": True})
            for task in application.tasks.filter(status=Task.Status.OPEN).select_related("department"):
                notify_officials(task.department, application, f"resumed:{task.pk}:{today()}")
            return application
        application.received_on = today()
        application.acceptance_due = due(application.received_on, ACCEPTANCE_DAYS, application)
        application.accepted_on = None
        open_acceptance_task(application)
        record_change(user, application, "resubmitted", from_state)
        notify_officials(application.service.lead_department, application, f"resubmitted:{application.received_on}")
    return application


def _resume_review(application: Application, notice: CorrectionNotice) -> None:
    """Every deadline moves by the working days the clock stood still; the returning step reopens."""
    paused = working_days_between(notice.paused_on, today())

    def later(day):
        return add_working_days(day, paused).date if day and paused else day

    application.decision_due = later(application.decision_due)
    application.statutory_due = later(application.statutory_due)
    application.warning_on = later(application.warning_on)
    if notice.returned_task_id:
        Task.objects.filter(pk=notice.returned_task_id).update(
            status=Task.Status.OPEN, decided_by=None, decided_at=None)
    for task in application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]):
        task.due_date, task.warning_on, task.sla_level = later(task.due_date), later(task.warning_on), ""
        task.save(update_fields=["due_date", "warning_on", "sla_level"])


def close_unanswered_correction(application_id: int) -> Application:
    """Past the applicant's deadline for corrections: closed as withdrawn, and the applicant is told."""
    with transaction.atomic():
        application = lock(application_id)
        notice = application.corrections.filter(resolved_at__isnull=True).order_by("-requested_at", "-id").first()
        if application.state != State.CORRECTION_REQUESTED or not notice or not notice.respond_by \
                or notice.respond_by >= today():
            raise refusal(application, "withdraw")
        from_state = move(application, "withdraw", "withdraw")
        cancel_open_tasks(application)
        record_change(None, application, "withdrawn", from_state, reason=str(
            _("The corrections asked for on %(date)s were not made by %(due)s.")
            % {"date": timezone.localdate(notice.requested_at), "due": notice.respond_by}))
    return application


def withdraw(user: Any, application_id: int, reason: str = "") -> Application:
    """The applicant withdraws the application before a decision."""
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "withdraw")
        from_state = move(application, "withdraw", "withdraw")
        close_acceptance_task(application, Task.Status.CANCELLED, user, reason.strip() if reason else "")
        cancel_open_tasks(application)
        record_change(user, application, "withdrawn", from_state, reason=reason)
    return application


def deferred_material(application: Application, material_code: str) -> DeferredMaterial:
    """The application's deferred material with this code; a 400 naming `material` if there is none."""
    deferred = application.deferred.filter(material__code=material_code).select_related("material").first()
    if deferred is None:
        raise ValidationError({"material": _("This material was not deferred for this application.")})
    return deferred


def supply_deferred(user: Any, application_id: int, material_code: str, file: Any) -> DeferredMaterial:
    """The applicant supplies a deferred material; an official then checks it."""
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "supply")
        deferred = deferred_material(application, material_code)
        require_suppliable(deferred)
        kind = check_file(file, application, deferred.material)
        Document.objects.create(application=application, material=deferred.material, uploaded_by=user,
                                original_name=display_name(file.name) or f"{deferred.material.code}.{kind}",
                                file=file)
        deferred.supplied_at = timezone.now()
        deferred.save(update_fields=["supplied_at"])
        record_event(user, "application.deferred_supplied", application, data={"material": material_code})
        notify_officials(application.service.lead_department, application, f"supplied:{material_code}")
    return deferred
