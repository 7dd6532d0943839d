"""The guided filing's materials step: several files in one go, and a file removed or replaced.

The page works as a plain multi-file form; `portal/static/portal/upload.js` sends the same form
one file at a time instead, to show each file's progress, and reads the JSON answer this view
gives a request marked `X-Requested-With: XMLHttpRequest`. Either way each file goes through
`workflow.attach_documents`: a refused file is named with its reasons and nothing of it is kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.core.messages import reported
from services.applications import workflow
from services.applications.filing_steps import FILING_STATES
from services.applications.filing_views import _closed, _filing
from services.applications.selectors import reusable_documents
from services.applications.views import FIELD_LABELS, _own_application
from services.applications.workflow import extensions
from services.models import Application


def _by_script(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _back(application: Application, material_code: str = "") -> HttpResponse:
    response = redirect("filing_materials", pk=application.pk)
    if material_code:
        response["Location"] += f"#material-{material_code}"
    return response


@login_required
def filing_materials(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: each material with its files (download, replace, remove) and a multi-file upload."""
    application = _filing(request, pk)
    if application is None:
        return _closed(request, pk)
    if request.method == "POST":
        return _upload(request, application)
    documents = list(application.documents.select_related("material", "reused_from__application"))
    reusable = list(reusable_documents(request.user, application))
    held = extensions.held_materials(application)  # e.g. what a policy's district records hold
    materials = [{"material": m, "types": sorted(m.upload_types()), "held": m.code in held,
                  "documents": [d for d in documents if d.material_id == m.pk],
                  "reusable": [d for d in reusable if d.material_id == m.pk]}
                 for m in application.service.materials.all()]
    return render(request, "services/applications/filing/materials.html", {
        "application": application, "service": application.service, "materials": materials,
    })


def _upload(request: HttpRequest, application: Application) -> HttpResponse:
    code = request.POST.get("material", "")
    files = request.FILES.getlist("files")
    batch = None
    with reported(request, FIELD_LABELS) as outcome:
        batch = workflow.attach_documents(request.user, application.pk, code, files)
    if _by_script(request):
        # The script shows the outcome itself: the messages stored for the page are not wanted twice.
        told = [str(message) for message in messages.get_messages(request)]
        if not outcome.ok or batch is None:
            return JsonResponse({"accepted": [], "refused": [{"name": f.name, "reasons": told} for f in files]},
                                status=400)
        return JsonResponse({
            "accepted": [{"id": d.pk, "name": d.original_name} for d in batch.accepted],
            "refused": [{"name": r.name, "reasons": r.reasons} for r in batch.refused],
        })
    if batch is not None:
        if batch.accepted:
            messages.success(request, ngettext("%(count)s file was attached.", "%(count)s files were attached.",
                                               len(batch.accepted)) % {"count": len(batch.accepted)})
        for refused in batch.refused:
            messages.error(request, _("“%(name)s” was not attached: %(reasons)s") % {
                "name": refused.name, "reasons": " ".join(refused.reasons)})
    return _back(application, code)


def _changed(request: HttpRequest, pk: int, doc_pk: int, change, done: str) -> HttpResponse:
    application = _own_application(request, pk)
    with reported(request, FIELD_LABELS) as outcome:
        document = change(application)
    if outcome.ok:
        messages.success(request, done % {"name": document.original_name})
    if application.state not in FILING_STATES:
        return redirect("application_detail", pk=application.pk)
    return _back(application)


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """Take a file out of the list (draft or under correction); the timeline keeps it."""
    return _changed(request, pk, doc_pk, lambda application: workflow.remove_document(
        request.user, application.pk, doc_pk), _("“%(name)s” was removed."))


@login_required
@require_POST
def document_replace(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """Put a new file in the place of one in the list; the timeline keeps the old one."""
    return _changed(request, pk, doc_pk, lambda application: workflow.replace_document(
        request.user, application.pk, doc_pk, request.FILES.get("file")),
        _("The file was replaced by “%(name)s”."))



@login_required
@require_POST
def document_reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Use a material supplied in an earlier application again (免提交), back on the materials step."""
    application = _own_application(request, pk)
    code = request.POST.get("material", "")
    with reported(request, FIELD_LABELS) as outcome:
        workflow.reuse_document(request.user, application.pk, request.POST.get("document"), code or None)
    if outcome.ok:
        messages.success(request, _("The material supplied before was attached again, without a new upload."))
    return _back(application, code)
