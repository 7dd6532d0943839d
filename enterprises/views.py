from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.forms import EnterpriseRegistrationForm, InviteMemberForm, RegistrationCorrectionForm
from enterprises.models import Enterprise, Membership
from enterprises.registration import (
    REGISTRATION_FIELDS,
    invite_member,
    is_enterprise_admin,
    register_enterprise,
    resubmit_registration,
)
from portal.core.access import member_enterprise, reviews_registrations
from portal.core.errors import IllegalTransition
from portal.core.files import download


def _own_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    """An enterprise of the signed-in user, or 404: others are never revealed."""
    return member_enterprise(request.user, pk)


@login_required
def my_enterprises(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    return render(request, "enterprises/my_enterprises.html", {"memberships": memberships})


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = EnterpriseRegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields if field != "licence"}
        try:
            enterprise = register_enterprise(request.user, data, form.cleaned_data["licence"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered and waits for verification by the district.")
                % {"name": enterprise.name},
            )
            return redirect("enterprise_detail", pk=enterprise.pk)
    return render(request, "enterprises/register.html", {"form": form})


@login_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrator corrects a rejected registration and sends it back to the district."""
    enterprise = _own_enterprise(request, pk)
    if not is_enterprise_admin(request.user, enterprise) or enterprise.status != Enterprise.Status.REJECTED:
        return redirect("enterprise_detail", pk=enterprise.pk)
    form = RegistrationCorrectionForm(request.POST or None, request.FILES or None, instance=enterprise)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in REGISTRATION_FIELDS}
        new_licence = request.FILES.get("licence")
        try:
            resubmit_registration(request.user, enterprise.pk, data, new_licence)
        except ValidationError as error:
            form.add_error(None, error)
        except IllegalTransition as error:
            messages.error(request, str(error.message))
            return redirect("enterprise_detail", pk=enterprise.pk)
        else:
            messages.success(request, _("The corrected registration is sent to the district again."))
            return redirect("enterprise_detail", pk=enterprise.pk)
    enterprise.refresh_from_db()  # the form changed the instance; the page shows what is on file
    return render(request, "enterprises/register.html", {"form": form, "correcting": enterprise})


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _own_enterprise(request, pk)
    is_admin = is_enterprise_admin(request.user, enterprise)
    form = InviteMemberForm()
    memberships = enterprise.memberships.select_related("user").order_by("created_at")
    return render(
        request,
        "enterprises/detail.html",
        {"enterprise": enterprise, "is_admin": is_admin, "form": form, "memberships": memberships},
    )


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _own_enterprise(request, pk)
    if not is_enterprise_admin(request.user, enterprise):
        raise Http404
    form = InviteMemberForm(request.POST)
    if form.is_valid():
        try:
            membership = invite_member(request.user, enterprise, form.cleaned_data["identifier"])
        except ValidationError as error:
            for message in error.message_dict.get("identifier", error.messages):
                messages.error(request, message)
        else:
            messages.success(request, _("%(user)s was added as a clerk.") % {"user": membership.user})
    else:
        messages.error(request, _("Enter the user name or e-mail of the person to add."))
    return redirect("enterprise_detail", pk=enterprise.pk)


@login_required
def licence(request: HttpRequest, pk: int) -> FileResponse:
    """The business licence, for the enterprise's members and the registration officials."""
    if reviews_registrations(request.user):
        enterprise = get_object_or_404(Enterprise, pk=pk)
    else:
        enterprise = _own_enterprise(request, pk)
    if not enterprise.licence:
        raise Http404
    # Served as a download even to officials: a browser must never render an uploaded file in the portal.
    return download(enterprise.licence, f"{_('business licence')}-{enterprise.uscc}{PurePath(enterprise.licence.name).suffix}")
