"""The obligations calendar's page (the clerk's), its secret feed address, and the feed itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from enterprises.obligations import ical
from enterprises.obligations.calendar import (
    feed_of_token,
    kind_label,
    obligations_of,
    regenerate_feed,
    revoke_feed,
)
from enterprises.obligations.models import CalendarFeed
from portal.core.access import member_enterprise


def _page(request: HttpRequest, enterprise, new_token: str = "") -> HttpResponse:
    today = timezone.localdate()
    items = [{"obligation": item, "kind": kind_label(item.kind), "days": (item.on - today).days,
              "ago": (today - item.on).days}
             for item in obligations_of(enterprise)]
    feed_url = request.build_absolute_uri(reverse("obligations_feed", args=[new_token])) if new_token else ""
    return render(request, "enterprises/obligations.html", {
        "enterprise": enterprise, "items": items, "today": today, "feed_url": feed_url,
        "feed": CalendarFeed.objects.filter(enterprise=enterprise).first(),
    })


@login_required
def obligations_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every date the enterprise's approvals and grants bind it to, soonest first."""
    return _page(request, member_enterprise(request.user, pk))


@login_required
@require_POST
@never_cache
def feed_address(request: HttpRequest, pk: int) -> HttpResponse:
    """Create or replace (`regenerate`) the feed's secret address, shown this once; or `revoke` it."""
    enterprise = member_enterprise(request.user, pk)
    if request.POST.get("action") == "revoke":
        revoke_feed(request.user, enterprise)
        messages.success(request, _("The calendar address was revoked: calendars subscribed to it get nothing more."))
        return redirect("enterprise_obligations", pk=enterprise.pk)
    token = regenerate_feed(request.user, enterprise)
    # Shown in the answer to the POST, never stored whole: copy it now.
    return _page(request, enterprise, new_token=token)


@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of the secret address; an old, revoked or made-up one is "not found"."""
    found = feed_of_token(token)
    if found is None:
        raise Http404
    body = ical.feed(found.enterprise, obligations_of(found.enterprise))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="obligations.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
