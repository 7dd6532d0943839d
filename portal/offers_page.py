"""The enterprise's page of offers (免申即享): what each rests on, its state, grant and payment,
and the one-step confirmation (意愿确认).

It lives in the portal, the layer that composes apps: the page is an enterprise's, its content the
talent app's. The confirmation calls the same domain function as the API
(`talent.offers.workflow.confirm`), so the rules, the quota's lock and the idempotence are the same.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from portal.core.access import member_enterprise
from portal.core.errors import IllegalTransition
from talent.models import Talent
from talent.offers import selectors, workflow
from talent.offers.matching import TALENT_BASIS
from talent.offers.models import Offer, OfferStatus
from talent.offers.opt_outs import turned_off


def _field(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JSON carries a whole amount as 3200.0
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def basis_rows(offer: Offer) -> list[tuple[str, str]]:
    """The data the offer rests on, as (label, value) in the user's language, in a stable order."""
    rows = []
    for key, value in sorted((offer.basis or {}).items()):
        if offer.talent_policy_id:
            path = TALENT_BASIS.get(key, key)
            model, name = (Enterprise, path.split("__", 1)[1]) if path.startswith("enterprise__") else (Talent, path)
        else:
            model, name = Enterprise, key
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else key
        if model is Enterprise and offer.talent_policy_id:
            label = _("employer: %(field)s") % {"field": label}
        rows.append((label[:1].upper() + label[1:], _shown(field, value)))
    return rows


def _entries(enterprise: Enterprise, user: Any) -> list[dict[str, Any]]:
    offers = selectors.offers_for_clerk(user).filter(enterprise=enterprise)
    off = turned_off(user)  # the policies whose messages this person turned off: each offer's form says so
    return [{"offer": offer, "basis": basis_rows(offer), "place": selectors.place_from_annotation(offer),
             "messages_off": offer.policy in off,
             "state": OfferStatus(offer.status).label, "payment": getattr(offer, "disbursement", None),
             "consent": workflow.CONSENT_TEXT % {"name": offer.talent.name} if offer.personal else ""}
            for offer in offers]


def offers_page_of(request: HttpRequest, enterprise: Enterprise, *, errors: dict | None = None, failed: int | None = None,
          status: int = 200) -> HttpResponse:
    return render(request, "enterprises/offers.html", {
        "enterprise": enterprise, "entries": _entries(enterprise, request.user),
        "commitment": workflow.COMMITMENT_TEXT, "errors": errors or {}, "failed": failed,
    }, status=status)


@login_required
def offers_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every offer of the enterprise, open ones waiting for the clerk's confirmation with its form, each with
    the form turning its policy's messages off (or on) for the signed-in member."""
    return offers_page_of(request, member_enterprise(request.user, pk))


@login_required
@require_POST
def confirm_offer(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    """意愿确认 from the page: the same function as the API; a second post changes nothing and says so."""
    enterprise = member_enterprise(request.user, pk)
    if not Offer.objects.filter(pk=offer_pk, enterprise=enterprise).exists():
        raise Http404
    started = timezone.now()
    try:
        offer = workflow.confirm(request.user, offer_pk,
                                 commitment_accepted=request.POST.get("commitment_accepted") == "on",
                                 consent_recorded=request.POST.get("consent_recorded") == "on")
    except ValidationError as error:
        return offers_page_of(request, enterprise, errors=error.message_dict, failed=offer_pk, status=400)
    except IllegalTransition as error:
        return offers_page_of(request, enterprise, errors={"offer": [str(error.message)]}, failed=offer_pk, status=409)
    if offer.confirmed_at < started:
        messages.info(request, _("This offer was already confirmed on %(when)s: nothing was changed.") % {
            "when": timezone.localtime(offer.confirmed_at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.success(request, _("Confirmed. The offer is now: %(state)s.") % {
            "state": OfferStatus(offer.status).label})
    return redirect(reverse("enterprise_offers", args=[enterprise.pk]) + f"#offer-{offer.pk}")
