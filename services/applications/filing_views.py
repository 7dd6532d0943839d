"""The guided filing (在线办理): from the service guide's button to the confirmation page.

Start (or resume the draft of the item for the enterprise) → the task list → details (the form) →
materials (`materials_views.py`) → check your answers, with the rehearsal (办前预演) → submit →
confirmation. Every step is stored as it is taken (the form by `save_form`, the files by
`attach_document`), so the task list shows where the clerk stands whenever they come back. The
rules are the workflow's; these views only lay them out.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.applications.filing_steps import FILING_STATES, next_step, steps_of
from services.applications.form_answers import fields_of
from services.applications.form_page import answers_shown
from services.applications.selectors import applications_of
from services.applications.views import FIELD_LABELS, _own_application, _refused, save_form_from_post
from services.applications.workflow.rehearsal import FIELD, MATERIAL, OTHER, post_check_rule
from services.models import Application, ApprovalMode, ServiceItem, State


def _filing(request: HttpRequest, pk: int) -> Application | None:
    """The clerk's application if it can be filed now (a draft, or under correction), else None."""
    application = _own_application(request, pk)
    return application if application.state in FILING_STATES else None


def _closed(request: HttpRequest, application_pk: int) -> HttpResponse:
    messages.info(request, _("This application is no longer a draft or under correction: here is where it stands."))
    return redirect("application_detail", pk=application_pk)


@login_required
def filing_start(request: HttpRequest, code: str) -> HttpResponse:
    """The guide's "在线办理": resume the enterprise's draft of this item, or start one.

    With one verified enterprise that has a draft, straight back to it; otherwise the clerk chooses
    the enterprise (several) or confirms (one) and the POST resumes or creates the draft.
    """
    service = get_object_or_404(ServiceItem, code=code, is_active=True)
    enterprises = list(Enterprise.objects.of_member(request.user).filter(status=Enterprise.Status.VERIFIED)
                       .order_by("name"))
    drafts = {a.enterprise_id: a for a in applications_of(request.user).filter(service=service, state=State.DRAFT)
              .order_by("created_at", "id")}
    if request.method == "POST":
        chosen = next((e for e in enterprises if str(e.pk) == request.POST.get("enterprise", "")), None)
        if chosen is None:
            messages.error(request, _("Choose the enterprise that applies."))
        elif chosen.pk in drafts:
            return redirect("filing_tasks", pk=drafts[chosen.pk].pk)
        else:
            try:
                application = workflow.create_application(request.user, chosen, service)
            except ValidationError as error:
                # An item that needs answers to start (a talent policy names its talent) starts on its form.
                _refused(request, service, error)
                return redirect(f"{reverse('application_new')}?service={service.code}&enterprise={chosen.pk}")
            messages.success(request, _("Draft %(reference)s created. It is saved at each step: you can come back "
                                        "to it at any time.") % {"reference": application.reference})
            return redirect("filing_tasks", pk=application.pk)
    elif len(enterprises) == 1 and enterprises[0].pk in drafts:
        return redirect("filing_tasks", pk=drafts[enterprises[0].pk].pk)
    return render(request, "services/applications/filing/start.html", {
        "service": service, "choices": [(e, drafts.get(e.pk)) for e in enterprises],
    })


def _facts(application: Application) -> tuple[Any, list]:
    rehearsal = workflow.rehearse_submission(application)
    return rehearsal, steps_of(application, rehearsal)


@login_required
def filing_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """The task list: each step with its state, and where to pick up."""
    application = _filing(request, pk)
    if application is None:
        return _closed(request, pk)
    rehearsal, steps = _facts(application)
    return render(request, "services/applications/filing/tasks.html", {
        "application": application, "service": application.service, "steps": steps, "next": next_step(steps),
        "corrections": list(application.corrections.filter(resolved_at__isnull=True)),
    })


@login_required
def filing_details(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1, the form: saved on every button, whether to go on or to come back later."""
    application = _filing(request, pk)
    if application is None:
        return _closed(request, pk)
    saved, shown = save_form_from_post(request, application)
    if saved:
        messages.success(request, _("The details were saved."))
        return redirect("filing_tasks" if "later" in request.POST else "filing_materials", pk=application.pk)
    return render(request, "services/applications/filing/details.html", {
        "application": application, "service": application.service, "fields": shown,
    })


def missing_links(application: Application, missing: list) -> list[dict]:
    """Each missing item with the words and the link that fixes it."""
    links = []
    for item in missing:
        if item.kind == FIELD:
            href = reverse("filing_details", args=[application.pk]) + f"#field-{item.key.split('[')[0]}"
        elif item.kind == MATERIAL:
            href = reverse("filing_materials", args=[application.pk]) + f"#material-{item.key}"
        else:
            href = reverse("application_detail", args=[application.pk])
        label = str(FIELD_LABELS.get(item.key, item.label)) if item.kind == OTHER else item.label
        links.append({"kind": item.kind, "label": label, "message": item.message, "href": href})
    return links


def _submit(request: HttpRequest, application: Application, rehearsal: Any) -> bool:
    """Submit (a draft) or submit again (under correction); the refusals become messages."""
    try:
        if application.state == State.CORRECTION_REQUESTED:
            workflow.resubmit(request.user, application.pk)
        else:
            workflow.submit(request.user, application.pk, deferred_materials=[d.code for d in rehearsal.deferred],
                            commitment_accepted=request.POST.get("commitment_accepted") == "on")
    except PermissionError:
        raise Http404 from None
    except IllegalTransition as error:
        messages.error(request, str(error.message))
        return False
    except ValidationError as error:
        _refused(request, application.service, error)
        return False
    return True


@login_required
def filing_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers: every answer and material, exactly what is missing, the rehearsal, and submit."""
    application = _filing(request, pk)
    if application is None:
        return _closed(request, pk)
    rehearsal, steps = _facts(application)
    if request.method == "POST" and _submit(request, application, rehearsal):
        return redirect("filing_done", pk=application.pk)
    service = application.service
    documents = list(application.documents.select_related("material", "reused_from__application"))
    materials = [{"material": m, "documents": [d for d in documents if d.material_id == m.pk]}
                 for m in service.materials.all()]
    return render(request, "services/applications/filing/review.html", {
        "application": application, "service": service, "steps": steps, "rehearsal": rehearsal,
        "answers": answers_shown(fields_of(service), application.form), "materials": materials,
        "missing": missing_links(application, rehearsal.missing),
        "commitment_text": service.signing_text, "resubmission": application.state == State.CORRECTION_REQUESTED,
        "commitment_ticked": request.POST.get("commitment_accepted") == "on",
    })


@login_required
def filing_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: the reference, what happens next and by when (the dates the workflow recorded)."""
    application = _own_application(request, pk)
    if application.state == State.DRAFT:
        return redirect("filing_tasks", pk=application.pk)
    service = application.service
    return render(request, "services/applications/filing/done.html", {
        "application": application, "service": service,
        "deferred": list(application.deferred.select_related("material")),
        "commitment_mode": service.approval_mode == ApprovalMode.COMMITMENT,
        "post_check_rule": post_check_rule(service) if service.approval_mode == ApprovalMode.COMMITMENT else "",
        "notices": list(application.notices.all()),
    })
