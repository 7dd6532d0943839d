from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.forms import EnterpriseRegistrationForm, InviteMemberForm
from enterprises.models import Enterprise, Membership
from enterprises.registration import invite_member, is_enterprise_admin, register_enterprise
from portal.core.access import member_enterprise, reviews_registrations


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
    return FileResponse(enterprise.licence.open("rb"), as_attachment=False,
                        filename=enterprise.licence.name.rsplit("/", 1)[-1])
