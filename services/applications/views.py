"""Portal pages of applications (办件) for company clerks: list, start, status page and actions.

The views stay thin: every rule is in services/applications/workflow/, and the page offers an
action exactly when `workflow.allowed_actions` says its function would accept it. An application
is reached only through the enterprises the signed-in user belongs to (`selectors.applications_of`);
anything else is a 404.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from portal.core.errors import IllegalTransition
from portal.core.files import download
from portal.core.messages import messages_of, reported
from services.applications import workflow
from services.applications.form_answers import FORM, answer_errors, fields_of, prefilled
from services.applications.form_page import answers_from_post, answers_shown, form_fields_shown, labels_of
from services.applications.progress import progress_of
from services.applications.selectors import applicant_timeline, applications_of, reusable_documents
from services.applications.wording import in_words
from services.applications.workflow import extensions
from services.catalogue.models import ApprovalMode
from services.models import Application, DeferredMaterial, Document, ServiceItem, Task
from services.ratings.selectors import rating_panel, with_ratings

# The fields a domain error can name, as the clerk reads them.
FIELD_LABELS = {
    "service": gettext_lazy("Service item"),
    "enterprise": gettext_lazy("Enterprise"),
    "form": gettext_lazy("Form"),
    "material": gettext_lazy("Material"),
    "materials": gettext_lazy("Materials"),
    "file": gettext_lazy("File"),
    "deferred_materials": gettext_lazy("Materials supplied later"),
    "commitment_accepted": gettext_lazy("Commitment"),
    "talent": gettext_lazy("Talent"),
    "document": gettext_lazy("Earlier material"),
}


def _own_application(request: HttpRequest, pk: int) -> Application:
    """An application of the user's enterprises, or 404: others are never revealed."""
    return get_object_or_404(applications_of(request.user).select_related("service", "enterprise"), pk=pk)


def _refused(request: HttpRequest, service: ServiceItem, error: ValidationError) -> None:
    """A refusal as messages, each naming its field or its answer of the form (a table's cell by row and column)."""
    names = error.message_dict if hasattr(error, "error_dict") else {}
    for text in messages_of(error, {**FIELD_LABELS, **labels_of(fields_of(service), names)}):
        messages.error(request, text)


def _act(request: HttpRequest, application: Application, action: Callable[[], Any], done: str) -> HttpResponse:
    """Run one workflow action; domain errors become messages naming their fields, and nothing changes."""
    with reported(request, FIELD_LABELS) as outcome:
        try:
            action()
        except ValidationError as error:
            _refused(request, application.service, error)
            outcome.ok = False
    if outcome.ok:
        messages.success(request, done)
    return redirect("application_detail", pk=application.pk)


# --- pages -----------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = applications_of(request.user).select_related("service", "enterprise").order_by("-created_at", "-id")
    return render(request, "services/applications/list.html", {"applications": applications})


class StartApplicationForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service item"), queryset=ServiceItem.objects.none(), to_field_name="code",
    )
    enterprise = forms.ModelChoiceField(
        label=gettext_lazy("Applying enterprise"), queryset=Enterprise.objects.none(),
        help_text=gettext_lazy("Only verified enterprises can apply."),
    )

    def __init__(self, user: Any, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ServiceItem.objects.filter(is_active=True).order_by("code")
        self.fields["enterprise"].queryset = (
            Enterprise.objects.of_member(user).filter(status=Enterprise.Status.VERIFIED).order_by("name")
        )


def _run(request: HttpRequest, service: ServiceItem, action: Callable[[], Any]) -> tuple[Any, dict[str, list[str]]]:
    """Run a workflow step that stores answers: (its result, None) or (None, the errors by answer).

    The errors about answers go next to their fields; the others become messages.
    """
    try:
        return action(), {}
    except PermissionError:
        raise Http404 from None
    except IllegalTransition as error:
        messages.error(request, str(error.message))
        return None, {}
    except ValidationError as error:
        by_answer = answer_errors(error)
        others = {name: texts for name, texts in error.message_dict.items() if not name.startswith(f"{FORM}.")}
        if others:
            _refused(request, service, ValidationError(others))
        if by_answer:
            messages.error(request, _("Some answers of the form need correcting: see the messages beside them."))
        return None, by_answer


def _chosen_service(request: HttpRequest) -> ServiceItem | None:
    code = request.POST.get("service") if request.method == "POST" else request.GET.get("service")
    return ServiceItem.objects.filter(code=code or "", is_active=True).prefetch_related("form_fields").first()


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    """Choose the item and the enterprise; the item's form shows, prefilled from the enterprise's registered data."""
    form = StartApplicationForm(
        request.user, request.POST or None, initial={"service": request.GET.get("service", "")}
    )
    service = _chosen_service(request)
    fields = fields_of(service) if service else []
    enterprises = form.fields["enterprise"].queryset
    chosen = request.POST.get("enterprise") if request.method == "POST" else request.GET.get("enterprise")
    enterprise = enterprises.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    enterprise = enterprise or enterprises.first()
    if enterprise is not None:
        form.initial.setdefault("enterprise", enterprise.pk)  # the one whose registered data fills the form
    answers, errors = prefilled(fields, enterprise), {}
    # The fields posted are those of the item the page showed; another item chosen shows its own form first.
    shown_for = request.POST.get("form_of", "")
    if request.method == "POST" and shown_for == getattr(service, "code", None):
        answers = answers_from_post(fields, request.POST)
    elif request.method == "POST" and fields:
        messages.info(request, _("Fill in the form of this service item, then create the draft."))
    if request.method == "POST" and form.is_valid() and "more_rows" not in request.POST and (
            not fields or shown_for == service.code):
        application, errors = _run(request, service, lambda: workflow.create_application(
            request.user, form.cleaned_data["enterprise"], form.cleaned_data["service"], answers))
        if application is not None:
            messages.success(
                request, _("Draft %(reference)s created. Attach the materials, then submit.")
                % {"reference": application.reference},
            )
            return redirect("application_detail", pk=application.pk)
    return render(request, "services/applications/new.html", {
        "form": form, "has_enterprise": enterprises.exists(), "service": service, "prefilled_from": enterprise,
        "fields": form_fields_shown(fields, answers, errors, request.POST.get("more_rows", "")),
    })


@login_required
def application_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's form (or that of an application under correction): fill in, save, come back later."""
    application = _own_application(request, pk)
    if "edit_form" not in workflow.allowed_actions(request.user, application):
        messages.error(request, _("The form can be changed only in a draft or an application under correction."))
        return redirect("application_detail", pk=application.pk)
    saved, shown = save_form_from_post(request, application)
    if saved:
        messages.success(request, _("The form was saved."))
        return redirect("application_detail", pk=application.pk)
    return render(request, "services/applications/form.html", {
        "application": application, "service": application.service, "fields": shown,
    })


def save_form_from_post(request: HttpRequest, application: Application) -> tuple[bool, list]:
    """The form page's work, for the form page and the guided filing's details step: on a POST (not
    one asking for more table rows) store the answers through the workflow; returns whether they were
    saved, and the fields as the page shows them (with the errors by field when they were not).
    Fields still unanswered show the enterprise's registered data."""
    fields = fields_of(application.service)
    answers = {**prefilled(fields, application.enterprise), **(application.form or {})}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = answers_from_post(fields, request.POST)
        if "more_rows" not in request.POST:
            saved, errors = _run(request, application.service,
                                 lambda: workflow.save_form(request.user, application.pk, answers))
            if saved is not None:
                return True, []
    return False, form_fields_shown(fields, answers, errors, request.POST.get("more_rows", ""))


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        with_ratings(applications_of(request.user))
        .select_related("service", "service__lead_department", "enterprise", "commitment__signer")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.select_related("department", "claimed_by")),
            Prefetch("deferred", queryset=DeferredMaterial.objects.select_related("material")),
            Prefetch("documents", queryset=Document.objects.select_related(
                "material", "uploaded_by", "reused_from__application")),
            "corrections",
            "service__materials",
            "service__form_fields",
        ),
        pk=pk,
    )
    service = application.service
    materials = list(service.materials.all())
    deferred_mode = service.approval_mode == ApprovalMode.DEFERRED
    commitment_mode = service.approval_mode == ApprovalMode.COMMITMENT
    try:
        commitment = application.commitment
    except Application.commitment.RelatedObjectDoesNotExist:
        commitment = None
    events = in_words(list(applicant_timeline(application)))
    allowed = workflow.allowed_actions(request.user, application)
    context = {
        "application": application,
        "service": service,
        "materials": materials,
        "documents": list(application.documents.all()),
        "tasks": application.review_tasks(),
        "deferred": list(application.deferred.all()),
        "corrections": list(application.corrections.all()),
        "notices": list(application.notices.all()),
        "commitment": commitment,
        "events": events,
        "progress": progress_of(application, events),
        "allowed": allowed,
        "deferrable": [m for m in materials if m.deferrable] if deferred_mode else [],
        "commitment_mode": commitment_mode,
        "show_commitment": commitment_mode or (deferred_mode and any(m.deferrable for m in materials)),
        "commitment_text": service.signing_text,
        "item_panels": extensions.applicant_panels(application, request.user),
        "rating": rating_panel(request.user, application),
        "answers": answers_shown(fields_of(service), application.form),
        "reusable": list(reusable_documents(request.user, application)) if "attach" in allowed else [],
    }
    return render(request, "services/applications/detail.html", context)


@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    application = _own_application(request, pk)
    document = get_object_or_404(application.documents, pk=doc_pk)
    return download(document.file, document.original_name)


# --- actions: each a POST that returns to the status page --------------------------------------


def applicant_action(done: str) -> Callable:
    """A POST on the clerk's own application: one workflow step, then back to its status page.

    The step gets the request and the application; `done` is the message shown when it succeeded.
    """

    def wrap(step: Callable[[HttpRequest, Application], Any]) -> Callable[[HttpRequest, int], HttpResponse]:
        @login_required
        @require_POST
        @functools.wraps(step)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            application = _own_application(request, pk)
            return _act(request, application, lambda: step(request, application), str(done))

        return view

    return wrap


@applicant_action(gettext_lazy("The file was attached."))
def application_upload(request: HttpRequest, application: Application) -> Any:
    material = request.POST.get("material", "")
    return workflow.attach_document(request.user, application.pk, material, request.FILES.get("file"))


@applicant_action(gettext_lazy("The application was submitted."))
def application_submit(request: HttpRequest, application: Application) -> Any:
    deferred = request.POST.getlist("deferred_materials")
    accepted = request.POST.get("commitment_accepted") in ("on", "true", "1", "yes")
    return workflow.submit(request.user, application.pk, deferred_materials=deferred, commitment_accepted=accepted)


@applicant_action(gettext_lazy("The corrected application was submitted again."))
def application_resubmit(request: HttpRequest, application: Application) -> Any:
    return workflow.resubmit(request.user, application.pk)


@applicant_action(gettext_lazy("The application was withdrawn."))
def application_withdraw(request: HttpRequest, application: Application) -> Any:
    return workflow.withdraw(request.user, application.pk, request.POST.get("reason", "").strip())


@applicant_action(gettext_lazy("The deferred material was supplied; the department will check it."))
def application_supply(request: HttpRequest, application: Application) -> Any:
    material = request.POST.get("material", "")
    return workflow.supply_deferred(request.user, application.pk, material, request.FILES.get("file"))


@applicant_action(gettext_lazy("The material supplied before was attached again, without a new upload."))
def application_reuse(request: HttpRequest, application: Application) -> Any:
    return workflow.reuse_document(request.user, application.pk, request.POST.get("document"),
                                   request.POST.get("material") or None)
