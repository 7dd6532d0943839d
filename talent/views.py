"""The clerk's talent pages: the talent of their enterprises, each with every policy and its verdict.

The views stay thin: profiles are saved by `talent.profiles`, verdicts come from
`talent.eligibility`, applications are made by `talent.applications`. A talent is reached
only through the enterprises the signed-in user belongs to; anything else is a 404.
"""

from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.applications.workflow.core import today
from talent.applications import apply_for_policy, usage, with_usage
from talent.eligibility import describe_rules, evaluate
from talent.forms import TalentForm, employers_of
from talent.models import Talent, TalentApplication, TalentPolicy
from talent.profiles import add_talent, update_talent
from talent.selectors import live_applications_of


def _own_talent(request: HttpRequest, pk: int) -> Talent:
    """A talent of the user's enterprises, or 404: others are never revealed."""
    return get_object_or_404(Talent.objects.of_member(request.user).select_related("enterprise"), pk=pk)


@login_required
def talent_list(request: HttpRequest) -> HttpResponse:
    """The talent of every enterprise of the clerk, in one list."""
    talent = Talent.objects.of_member(request.user).select_related("enterprise").order_by("enterprise__name", "name", "id")
    return render(request, "talent/list.html", {"talent_list": talent})


@login_required
def talent_new(request: HttpRequest) -> HttpResponse:
    """Add a talent to one of the clerk's verified enterprises; `add_talent` judges the profile."""
    employers = employers_of(request.user)
    form = TalentForm(request.POST or None, employers=employers)
    if request.method == "POST" and form.is_valid():
        employer = form.cleaned_data.get("employer") or employers.first()
        if employer is None:
            raise Http404
        try:
            talent = add_talent(request.user, employer, form.profile_data())
        except ValidationError as error:
            form.add_domain_errors(error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("%(name)s was added to the talent of %(employer)s.")
                             % {"name": talent.name, "employer": employer.name})
            return redirect("talent_detail", pk=talent.pk)
    return render(request, "talent/form.html", {"form": form, "talent": None, "has_employer": employers.exists()})


@login_required
def talent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a profile; the stored ID number is never sent back to the page."""
    talent = _own_talent(request, pk)
    form = TalentForm(request.POST or None, instance=talent)
    if request.method == "POST" and form.is_valid():
        try:
            # A refused change must not show up in the page's heading.
            update_talent(request.user, copy(talent), form.profile_data())
        except ValidationError as error:
            form.add_domain_errors(error)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("The profile of %(name)s was saved.") % {"name": form.cleaned_data["name"]})
            return redirect("talent_detail", pk=talent.pk)
    return render(request, "talent/form.html", {"form": form, "talent": talent, "has_employer": True})


@login_required
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile, then every policy with its verdict and reasons, then the applications made."""
    talent = _own_talent(request, pk)
    year = today().year
    claims = list(
        TalentApplication.objects.filter(talent=talent)
        .select_related("application", "policy__service")
        .order_by("-application__created_at", "-id")
    )
    live = live_applications_of(talent)
    rows = []
    for policy in with_usage(TalentPolicy.objects.select_related("service"), year).order_by("service__code"):
        used = usage(policy, year)
        rows.append({
            "policy": policy,
            "quota_remaining": used.quota_remaining(policy),
            "budget_remaining": used.budget_remaining(policy),
            "conditions": describe_rules(policy),
            "verdict": evaluate(policy, talent),
            "live_application": live.get(policy.pk),
        })
    return render(request, "talent/detail.html", {
        "talent": talent,
        "age": talent.age(),
        "policies": rows,
        "claims": claims,
        "year": year,
    })


@login_required
@require_POST
def talent_apply(request: HttpRequest, pk: int, policy_id: int) -> HttpResponse:
    """Start a draft for one policy; a refusal returns to the talent's page with every reason."""
    talent = _own_talent(request, pk)
    policy = get_object_or_404(TalentPolicy.objects.select_related("service"), pk=policy_id)
    try:
        application = apply_for_policy(request.user, talent, policy)
    except ValidationError as error:
        for reason in error.messages:
            messages.error(request, _("Cannot apply for %(policy)s: %(reason)s") % {"policy": policy, "reason": reason})
        return redirect("talent_detail", pk=talent.pk)
    except PermissionError:
        raise Http404 from None
    messages.success(request, _(
        "Draft %(reference)s for %(policy)s was created for %(name)s. Attach the materials, then submit it."
    ) % {"reference": application.reference, "policy": policy, "name": talent.name})
    return redirect("application_detail", pk=application.pk)
