"""The 服务包 page: one enterprise's package, composed of what three apps know.

It lives in the portal, the layer that composes apps, so that neither the enterprises nor the
services app has to import the talent app. Besides the talent matches it lists the enterprise's own
enterprise-policy matches: an ordinary policy with an "apply" button (a draft prefilled from the
registered data, `talent.offers.enterprise_applications`) or its application under way, a policy
enjoyed without applying with a link to its offer.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from portal.core.access import member_enterprise
from portal.core.masking import mask_phone
from services.applications.models import OPEN_STATES
from services.models import Application
from talent.applications import LIVE_STATES
from talent.matching import matches_of
from talent.models import TalentApplication
from talent.offers.enterprise_applications import apply_for_enterprise_policy, live_applications_of
from talent.offers.models import (
    LIVE_OFFER_STATES,
    EnterprisePolicy,
    EnterprisePolicyMatch,
    Offer,
    OfferStatus,
)
from talent.offers.opt_outs import TurnedOff, turned_off


def _talent_policies(enterprise: Enterprise, off: TurnedOff) -> list[dict[str, Any]]:
    matches = matches_of(enterprise)
    # A match already applied for links to its application instead of offering a second one.
    applied = {
        (claim.policy_id, claim.talent_id): claim.application
        for claim in TalentApplication.objects.filter(
            application__enterprise=enterprise, application__state__in=LIVE_STATES,
            talent_id__in={match.talent_id for match in matches},
        ).select_related("application")
    }
    policies: dict[int, dict] = {}
    for match in matches:
        group = policies.setdefault(match.policy_id, {"policy": match.policy, "matches": [],
                                                      "messages_off": match.policy in off})
        group["matches"].append({"match": match, "application": applied.get((match.policy_id, match.talent_id))})
    return list(policies.values())


def _enterprise_policies(enterprise: Enterprise, off: TurnedOff) -> list[dict[str, Any]]:
    """The enterprise's current matches of enterprise policies, each with what the clerk can do next."""
    matches = (EnterprisePolicyMatch.objects.filter(enterprise=enterprise, lapsed_on__isnull=True)
               .select_related("policy__service").order_by("policy__service__code"))
    live = live_applications_of(enterprise)
    offers = {offer.enterprise_policy_id: offer for offer in Offer.objects.filter(
        enterprise=enterprise, enterprise_policy__isnull=False, status__in=LIVE_OFFER_STATES)}
    return [{"policy": match.policy, "match": match, "application": live.get(match.policy_id),
             "offer": offers.get(match.policy_id), "messages_off": match.policy in off} for match in matches]


def package_page(request: HttpRequest, enterprise: Enterprise, *, errors: dict | None = None,
                 failed: int | None = None, status: int = 200) -> HttpResponse:
    """The page; `errors` (by field) refused the application for enterprise policy `failed`."""
    off = turned_off(request.user)
    open_applications = (
        Application.objects.filter(enterprise=enterprise, state__in=OPEN_STATES)
        .select_related("service").order_by("-created_at", "-id")
    )
    # The benefits enjoyed without applying have their own page; the package says how many wait.
    offers = Offer.objects.filter(enterprise=enterprise)
    manager = enterprise.service_manager
    # The manager's mobile is personal data: the enterprise sees it masked (e-mail is the way to write).
    phone = "" if manager is None else manager.phone if manager.pk == request.user.pk else mask_phone(manager.phone)
    return render(request, "enterprises/package.html", {
        "enterprise": enterprise,
        "manager": manager,
        "manager_phone": phone,
        "policies": _talent_policies(enterprise, off),
        "enterprise_policies": _enterprise_policies(enterprise, off),
        "errors": errors or {},
        "failed": failed,
        "open_applications": open_applications,
        "offers_total": offers.count(),
        "offers_waiting": offers.filter(status=OfferStatus.OFFERED).count(),
    }, status=status)


@login_required
def service_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The 服务包: who looks after the enterprise, the policies that found it and its talent, what is under way."""
    return package_page(request, member_enterprise(request.user, pk))


@login_required
@require_POST
def apply_enterprise_policy(request: HttpRequest, pk: int, policy_pk: int) -> HttpResponse:
    """Start a draft for an enterprise policy; a refusal shows the package again with every reason (400)."""
    enterprise = member_enterprise(request.user, pk)
    policy = get_object_or_404(EnterprisePolicy.objects.select_related("service"), pk=policy_pk)
    try:
        application = apply_for_enterprise_policy(request.user, enterprise, policy)
    except ValidationError as error:
        return package_page(request, enterprise, errors=error.message_dict, failed=policy.pk, status=400)
    except PermissionError:
        raise Http404 from None
    messages.success(request, _("Draft %(reference)s for %(policy)s was created. Attach the materials, then "
                                "submit it.") % {"reference": application.reference, "policy": policy})
    return redirect("application_detail", pk=application.pk)
