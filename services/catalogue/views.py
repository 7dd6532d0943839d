"""Public pages of the service catalogue: the list of items and each item's guide (办事指南)."""

import mimetypes
from pathlib import PurePath

import django_filters
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from services.catalogue.api import ServiceItemFilterSet, catalogue_queryset
from services.catalogue.models import ApprovalMode, ServiceCategory
from services.models import Department, MaterialRequirement, ServiceItem


class ServiceListFilter(ServiceItemFilterSet):
    """The API's filters, with the department offered as a list of names instead of a code."""

    department = django_filters.ModelChoiceFilter(
        field_name="departments",
        queryset=Department.objects.all(),
        to_field_name="code",
        distinct=True,
        label=gettext_lazy("department"),
        empty_label=gettext_lazy("All departments"),
    )


def _days(count: int) -> str:
    return ngettext("%(count)d working day", "%(count)d working days", count) % {"count": count}


def explain_mode(item: ServiceItem) -> str:
    """The approval mode in plain words, with this item's own numbers."""
    if item.approval_mode == ApprovalMode.DEFERRED:
        return _(
            "If all essential materials are there, the department takes your application in even "
            "when materials marked “can be deferred” are still missing. You sign a commitment to "
            "supply them within %(deferral)s. The review goes on meanwhile and the approval is "
            "granted pending those documents; it becomes final when they arrive. If they are late, "
            "the approval is suspended, and after a further %(grace)s it is revoked and the "
            "enterprise gets a credit record."
        ) % {"deferral": _days(item.deferral_days), "grace": _days(item.deferral_grace_days)}
    if item.approval_mode == ApprovalMode.PARALLEL:
        return _(
            "You apply once, at the window of the lead department (%(lead)s). When the application "
            "is taken in, every department listed below reviews it at the same time. The decision "
            "is due when the slowest department's promise runs out, not after the sum of them all. "
            "If all departments approve, the application is approved; one refusal is enough to "
            "refuse it."
        ) % {"lead": item.lead_department}
    if item.approval_mode == ApprovalMode.COMMITMENT:
        if item.post_check_ratio >= 1:
            sample = _("Every approval of this item is checked afterwards")
        else:
            sample = _("About %(percent)s%% of approvals are chosen at random and checked afterwards") % {
                "percent": round(item.post_check_ratio * 100)
            }
        return _(
            "Read the conditions and the commitment below. If your enterprise meets them and you sign "
            "the commitment, the approval is granted on the spot. %(sample)s, within %(window)s, by "
            "an official chosen at random. A commitment found untrue revokes the approval and puts "
            "the enterprise on the credit list for %(bar)s days, during which it cannot use this "
            "mode."
        ) % {
            "sample": sample,
            "window": _days(item.post_check_window_days),
            "bar": item.credit_bar_days,
        }
    return _(
        "The department takes your application in within 5 working days, or tells you at once "
        "everything that needs correcting; if it does nothing in that time, the application counts "
        "as taken in. The review steps below then run one after the other, and the decision is due "
        "within the promised limit."
    )


@require_safe
def service_list(request: HttpRequest) -> HttpResponse:
    """All open service items, grouped by domain; filter by mode, domain, department, name."""
    queryset = ServiceItem.objects.filter(is_active=True).select_related("lead_department").order_by("code")
    filterset = ServiceListFilter(request.GET or None, queryset=queryset)
    items = list(filterset.qs)
    groups = []
    for value, label in ServiceCategory.choices:
        members = [item for item in items if item.category == value]
        if members:
            groups.append({"category": value, "label": label, "items": members})
    return render(
        request,
        "services/catalogue/list.html",
        {"filter": filterset, "groups": groups, "count": len(items), "filtered": filterset.is_bound},
    )


@require_safe
def service_guide(request: HttpRequest, code: str) -> HttpResponse:
    """The guide (办事指南) of one item: everything a clerk needs before applying. Printable."""
    item = get_object_or_404(catalogue_queryset(), code=code)
    steps = list(item.review_steps.all())
    return render(
        request,
        "services/catalogue/guide.html",
        {
            "item": item,
            "departments": list(item.departments.all()),
            "materials": list(item.materials.all()),
            "steps": steps,
            "mode_explained": explain_mode(item),
            "is_parallel": item.approval_mode == ApprovalMode.PARALLEL,
            "shows_commitment": item.approval_mode in (ApprovalMode.COMMITMENT, ApprovalMode.DEFERRED),
            "statutory": _days(item.statutory_days),
            "promised": _days(item.promised_days),
        },
    )


@require_safe
def material_template(request: HttpRequest, code: str, material_code: str) -> FileResponse:
    """The fill-in template of a material, for anyone; only of open items."""
    item = get_object_or_404(ServiceItem, code=code, is_active=True)
    return template_download(get_object_or_404(MaterialRequirement, service=item, code=material_code))


def template_download(material: MaterialRequirement) -> FileResponse:
    """A material's template as a download named after the material; 404 when there is none."""
    if not material.template:
        raise Http404
    try:
        handle = material.template.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    suffix = PurePath(material.template.name).suffix
    filename = f"{material.name}{suffix}".replace("/", "-").replace("\\", "-")
    content_type, _encoding = mimetypes.guess_type(material.template.name)
    if content_type and content_type.startswith("text/"):
        content_type = f"{content_type}; charset=utf-8"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"  # a template is a download, never a page of the portal
    return response
