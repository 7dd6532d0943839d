"""The 服务包 page: one enterprise's package, composed of what three apps know.

It lives in the portal, the layer that composes apps, so that neither the enterprises nor the
services app has to import the talent app.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.core.access import member_enterprise
from portal.core.masking import mask_phone
from services.applications.models import OPEN_STATES
from services.models import Application
from talent.applications import LIVE_STATES
from talent.matching import matches_of
from talent.models import TalentApplication
from talent.offers.models import Offer, OfferStatus


@login_required
def service_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The 服务包: who looks after the enterprise, the policies that found its talent, what is under way."""
    enterprise = member_enterprise(request.user, pk)
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
        group = policies.setdefault(match.policy_id, {"policy": match.policy, "matches": []})
        group["matches"].append({"match": match, "application": applied.get((match.policy_id, match.talent_id))})
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
        "policies": list(policies.values()),
        "open_applications": open_applications,
        "offers_total": offers.count(),
        "offers_waiting": offers.filter(status=OfferStatus.OFFERED).count(),
    })
