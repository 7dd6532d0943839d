"""The authentication backend of the unified login: mozilla-django-oidc's code flow, stricter.

It signs in only from the unified login's callback (never a password form that happens to carry
`?code=`), verifies the ID token's signature with the provider's JWKS and also its issuer,
audience and lifetime, and leaves the choice of account to `identities.user_for`.
"""

import logging
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from portal.unified_login import identities, provider
from portal.unified_login.identities import Refusal, SignInRefused

log = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 60  # between the provider's clock and the portal's
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]
# What a broken, forged or unexpected answer of the provider raises on the way.
UNVERIFIABLE = (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError, TypeError, ValueError)


class UnifiedLoginBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(provider.setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds a backend for every request that loads a signed-in user: the provider's
        # endpoints are read only when a sign-in comes back (`authenticate`).
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, nonce: str | None = None,
                     code_verifier: str | None = None, **credentials: Any) -> Any:
        if request is None or credentials or not nonce or not provider.enabled():
            return None
        try:
            super().__init__()
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except SignInRefused as refused:
            identities.refuse(request, refused, provider.issuer())
        except provider.ProviderUnavailable:
            identities.refuse(request, SignInRefused(Refusal.UNAVAILABLE), provider.issuer())
        except UNVERIFIABLE as error:
            log.warning("A unified-login answer was refused: %r", error)
            identities.refuse(request, SignInRefused(Refusal.INVALID_ANSWER, detail=repr(error)[:200]),
                              provider.issuer())
        return None

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The ID token's claims, once its signature, issuer, audience and lifetime are right."""
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
        claims = jwt.decode(
            payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
            issuer=provider.issuer(), leeway=CLOCK_SKEW_SECONDS, options={"require": REQUIRED_CLAIMS},
        )
        # OpenID Connect Core §3.1.3.7: a token for several audiences names its authorised party.
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token was issued to another party.")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The account of the verified identity: the user-info claims must be the ID token's person."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            # (Not SuspiciousOperation here: mozilla-django-oidc would pass it over unrecorded.)
            raise SignInRefused(Refusal.INVALID_ANSWER, detail="user-info subject differs from the ID token's")
        user = identities.user_for(provider.issuer(), {**payload, **userinfo})
        user.sign_in_method = identities.SIGN_IN_METHOD
        return user
