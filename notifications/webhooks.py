"""Webhooks for integrating systems: registration, signing, and the POST of one event.

Each event is POSTed as JSON with
- `X-Event-Id` (the same on every re-send of the event, so receivers can ignore duplicates),
- `X-Event` (its name), and
- `X-Signature: t=<unix time>,v1=<hex>` where hex is HMAC-SHA256 with the endpoint's secret
  of `<t>.<body>`; receivers refuse signatures older than a few minutes to stop replays.

Only http(s) URLs are accepted. Unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is set (tests, local
demos), a URL whose host resolves to a loopback, private, link-local or reserved address is
refused, at registration and again before each POST, so the portal cannot be turned against
its own network. The POST then goes to the very address that was checked: a second DNS answer
(DNS rebinding) cannot send it elsewhere.
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

from enterprises.models import Enterprise
from notifications.models import Notification, WebhookEndpoint
from notifications.outbox import WEBHOOK_EVENTS
from portal.core.audit import record_event
from portal.core.errors import PermanentFailure, TemporaryFailure

SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept a signature for
MIN_SECRET_LENGTH = 16


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = SIGNATURE_TOLERANCE) -> bool:
    """What a receiver does: the HMAC matches and the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


def check_url(url: str) -> str | None:
    """Refuse what is not http(s), and addresses inside the network unless allowed by settings.

    Returns the checked address to connect to, or None where every address is allowed.
    """
    try:
        parts = urlsplit(url or "")
        port = parts.port  # raises ValueError on a port that is not a number below 65536
    except ValueError:
        raise ValidationError({"url": _("Give an http:// or https:// URL.")}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Give an http:// or https:// URL.")})
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return None
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443)]
    except (socket.gaierror, UnicodeError):
        raise ValidationError({"url": _("The host of this URL cannot be found.")}) from None
    if not addresses or not all(_is_public(address) for address in addresses):
        raise ValidationError({"url": _("Webhooks cannot be sent to loopback, private or reserved addresses.")})
    return addresses[0]


class _PinnedTLS(HTTPAdapter):
    """TLS to a pinned address under the URL's host name: SNI and the certificate check use the name."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(server_hostname=self.hostname, assert_hostname=self.hostname)
        super().init_poolmanager(*args, **kwargs)


def _post(url: str, address: str | None, body: bytes, headers: dict[str, str]) -> requests.Response:
    """POST to `url`, connecting to `address` (the one `check_url` approved) when there is one."""
    session = requests.Session()
    if address:
        parts = urlsplit(url)
        hostname = parts.hostname.encode("idna").decode("ascii")
        pinned = f"[{address}]" if ":" in address else address
        port = f":{parts.port}" if parts.port else ""
        headers = {**headers, "Host": f"{hostname}{port}"}
        if parts.scheme == "https":
            session.mount("https://", _PinnedTLS(hostname))
        url = urlunsplit(parts._replace(netloc=f"{pinned}{port}"))
    with session:
        return session.post(url, data=body, headers=headers, allow_redirects=False,
                            timeout=(settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT))


def register_webhook(user: Any, enterprise: Enterprise, url: str, events: list[str], secret: str) -> WebhookEndpoint:
    """Register an endpoint for the enterprise's events; only its members may."""
    if not Enterprise.objects.of_member(user).filter(pk=enterprise.pk).exists():
        raise PermissionError("not a member of the enterprise")
    errors: dict[str, list] = {}
    try:
        check_url(url)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(events, list) or not events or any(e not in WEBHOOK_EVENTS for e in events):
        errors["events"] = [_("Choose one or more of: %(events)s.") % {"events": ", ".join(WEBHOOK_EVENTS)}]
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        errors["secret"] = [_("The secret needs at least %(n)s characters.") % {"n": MIN_SECRET_LENGTH}]
    if len(url or "") > 500:
        errors["url"] = [_("The URL is too long (500 characters at most).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            enterprise=enterprise, url=url, events=sorted(set(events)), secret=secret, created_by=user
        )
        record_event(user, "webhook.registered", endpoint, data={"url": url, "events": endpoint.events})
    return endpoint


def post_event(notification: Notification) -> int:
    """POST one event to its endpoint; returns the HTTP status or raises a delivery failure."""
    endpoint = notification.endpoint
    if not endpoint.is_active:
        raise PermanentFailure("the endpoint was deactivated")
    try:
        address = check_url(endpoint.url)
    except ValidationError as error:
        raise PermanentFailure("; ".join(error.messages)) from None
    body = notification.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Xianfenggang-Webhooks/1",
        "X-Event": notification.kind,
        "X-Event-Id": f"evt_{notification.pk}",
        "X-Signature": sign(endpoint.secret, body),
    }
    try:
        response = _post(endpoint.url, address, body, headers)
    except requests.Timeout:
        raise TemporaryFailure("the receiver did not answer in time") from None
    except requests.RequestException as error:
        raise TemporaryFailure(f"network error: {type(error).__name__}") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryFailure(f"the receiver answered {response.status_code}", status_code=response.status_code)
    if response.status_code >= 300:
        raise PermanentFailure(f"the receiver answered {response.status_code}", status_code=response.status_code)
    return response.status_code
