"""Turning one policy's messages off, and on again, from the 服务包 and the offers pages.

The setting is the signed-in person's own (`talent.offers.opt_outs`): it silences the policy in the
messages the nightly run writes to them, not to the enterprise's other members. The pages are the
enterprise's, so only its members reach the form (404 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from portal.core.access import member_enterprise
from portal.offers_page import offers_page_of
from portal.package import package_page
from talent.offers import opt_outs

TELL = ("off", "on")


@login_required
@require_POST
def policy_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """`level`, `policy` (its code), `tell` (off | on) and `back` (package | offers, the page to return to)."""
    enterprise = member_enterprise(request.user, pk)
    back = "offers" if request.POST.get("back") == "offers" else "package"
    try:
        policy = opt_outs.policy_of(request.POST.get("level"), request.POST.get("policy"))
        if request.POST.get("tell") not in TELL:
            raise ValidationError({"tell": [_("Say whether to tell you about the policy: off or on.")]})
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            for text in texts:
                messages.error(request, f"{field}: {text}")
        return _page(request, enterprise, back, status=400)
    if request.POST["tell"] == "off":
        opt_outs.turn_off(request.user, policy)
        messages.success(request, _("You will no longer be told about %(policy)s. The enterprise's other members "
                                    "still are.") % {"policy": policy})
    else:
        opt_outs.turn_on(request.user, policy)
        messages.success(request, _("You will be told about %(policy)s again.") % {"policy": policy})
    anchor = f"#policy-{policy.code}" if back == "package" else ""
    return redirect(reverse(f"enterprise_{back}", args=[enterprise.pk]) + anchor)


def _page(request: HttpRequest, enterprise: Enterprise, back: str, status: int) -> HttpResponse:
    page = offers_page_of if back == "offers" else package_page
    return page(request, enterprise, status=status)
