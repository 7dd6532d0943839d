"""The city's unified login as configured: whether it is on, and its endpoints.

Endpoints not set one by one come from the provider's discovery document, read when a sign-in
starts or comes back (not at start-up, so the portal starts while the provider is down) and kept
in the process for an hour.
"""

import hashlib
import logging
import time
from typing import Any

import requests
from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
# The settings mozilla-django-oidc reads, and the discovery document's names for them.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovered: dict[str, tuple[float, dict[str, str]]] = {}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or does not describe the issuer."""


def enabled() -> bool:
    """Whether the unified login is configured (client, secret, issuer) and its backend installed."""
    return bool(
        settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET and settings.OIDC_OP_ISSUER
        and settings.UNIFIED_LOGIN_BACKEND in settings.AUTHENTICATION_BACKENDS
    )


def issuer() -> str:
    return settings.OIDC_OP_ISSUER


def setting(name: str, *default: Any) -> Any:
    """A setting as mozilla-django-oidc asks for it, its endpoints discovered when not configured."""
    if name in ENDPOINTS:
        return getattr(settings, name, "") or discovery()[ENDPOINTS[name]]
    return import_from_settings(name, *default)


def discovery() -> dict[str, str]:
    """The provider's endpoints from `<issuer>/.well-known/openid-configuration`."""
    key = hashlib.sha256(issuer().encode()).hexdigest()
    cached = _discovered.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = issuer().rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        log.warning("The unified login's discovery document %s could not be read: %s", url, error)
        raise ProviderUnavailable(url) from error
    # OpenID Connect Discovery §4.3: the document must name exactly the issuer it was read from.
    if not isinstance(document, dict) or document.get("issuer") != issuer() or not all(
        isinstance(document.get(field), str) and document[field] for field in ENDPOINTS.values()
    ):
        log.warning("The discovery document %s does not describe the issuer %s", url, issuer())
        raise ProviderUnavailable(url)
    endpoints = {field: document[field] for field in ENDPOINTS.values()}
    _discovered[key] = (time.monotonic() + DISCOVERY_SECONDS, endpoints)
    return endpoints
