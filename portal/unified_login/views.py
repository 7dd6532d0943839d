"""The unified login's two addresses: the start (to the provider) and the callback (back here).

Both answer 404 while the unified login is not configured. Every refusal comes back to the
portal's sign-in page with a message in the person's language.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.unified_login import identities, provider
from portal.unified_login.identities import Refusal, SignInRefused

log = logging.getLogger(__name__)


def back_to_sign_in(request: HttpRequest, refusal: Refusal, next_url: str | None = None) -> HttpResponse:
    """The portal's sign-in page, telling why the unified login did not sign the person in."""
    messages.error(request, identities.message(refusal))
    url = resolve_url(settings.LOGIN_URL)
    return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


class StartView(OIDCAuthenticationRequestView):
    """Sends the person to the provider with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(provider.setting)

    def __init__(self, **kwargs) -> None:
        View.__init__(self, **kwargs)  # the endpoints are read per request, in `get`

    def get(self, request: HttpRequest) -> HttpResponse:
        if not provider.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except provider.ProviderUnavailable:
            return back_to_sign_in(request, Refusal.UNAVAILABLE)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back with a code; the backend does the rest."""

    get_settings = staticmethod(provider.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not provider.enabled():
            raise Http404
        if request.GET.get("error"):
            log.info("The unified login answered %r", request.GET.get("error")[:100])
            request.unified_login_refusal = Refusal.DECLINED
        elif "code" in request.GET and "state" in request.GET:
            states = request.session.get("oidc_states")
            if not isinstance(states, dict) or request.GET["state"] not in states:
                # Not a sign-in this browser started (a forged or replayed answer): no code is exchanged.
                identities.refuse(request, SignInRefused(Refusal.INVALID_ANSWER, detail="unknown state"),
                                  provider.issuer())
                return self.login_failure()
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, "unified_login_refusal", Refusal.INVALID_ANSWER)
        return back_to_sign_in(self.request, refusal, self.request.session.get("oidc_login_next"))
