"""Webhooks for integrating systems: registration, signing, and the POST of one event.

Each event is POSTed as JSON with
- `X-Event-Id` (the same on every re-send of the event, so receivers can ignore duplicates),
- `X-Event` (its name), and
- `X-Signature: t=<unix time>,v1=<hex>` where hex is HMAC-SHA256 with the endpoint's secret
  of `<t>.<body>`; receivers refuse signatures older than a few minutes to stop replays;
- `X-Signature-SM3: t=<unix time>,v1=<hex>`, the same with HMAC-SM3 (GB/T 32905), for receivers
  held to the commercial-cryptography rules (GB/T 39786-2021).

Only http(s) URLs are accepted. Unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is set (tests, local
demos), a URL whose host resolves to any address that is not globally routable (loopback,
private, link-local, carrier-grade NAT 100.64.0.0/10 where cloud metadata services live,
reserved, multicast) is refused, at registration and again before each POST, so the portal
cannot be turned against its own network. The POST then goes to the very address that was
checked: a second DNS answer (DNS rebinding) cannot send it elsewhere.

A receiver cannot hold a delivery worker: one delivery ends after WEBHOOK_DELIVERY_SECONDS in
all (connecting, sending, and reading the answer, however slowly it trickles in), and only the
first WEBHOOK_MAX_RESPONSE_BYTES of the answer are read.
"""

import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.poolmanager import PoolManager

from enterprises.models import Enterprise
from notifications.models import Notification, WebhookEndpoint
from notifications.outbox import WEBHOOK_EVENTS
from portal.core.audit import record_event
from portal.core.digest import sm3_hmac
from portal.core.errors import PermanentFailure, TemporaryFailure

SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept a signature for
MIN_SECRET_LENGTH = 16
# Addresses of the NAT64 well-known prefix reach the IPv4 address in their last 32 bits.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def sign(secret: str, body: bytes, timestamp: int | None = None, algorithm: str = "sha256") -> str:
    """The `X-Signature` header (`algorithm="sha256"`) or the `X-Signature-SM3` one (`"sm3"`)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    if algorithm == "sm3":
        digest = sm3_hmac(secret.encode(), signed)
    else:
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = SIGNATURE_TOLERANCE,
                     algorithm: str = "sha256") -> bool:
    """What a receiver does: the HMAC matches and the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp, algorithm), header)


def _is_public(address: str) -> bool:
    """Globally routable, and so is the IPv4 address an IPv6 one stands for (::ffff:10.0.0.1 is 10.0.0.1)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # e.g. a scoped link-local address: never a public receiver
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        else:
            embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None and not _is_public(str(embedded)):
            return False
    # `is_global` leaves out 100.64.0.0/10, which `is_private` does not cover; multicast counts as
    # global to `ipaddress` but is never a receiver.
    return ip.is_global and not ip.is_multicast


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
        # The message already has its translations; "reserved" here also covers 100.64.0.0/10.
        raise ValidationError({"url": _("Webhooks cannot be sent to loopback, private or reserved addresses.")})
    return addresses[0]


class _Deadline:
    """The moment one delivery must be over by; then its connections are cut, whatever state they are in.

    The read timeout alone starts again with every byte, so a receiver sending its status line,
    headers or body a byte at a time could hold the worker for hours.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def failure(self, status_code: int | None = None) -> TemporaryFailure:
        return TemporaryFailure(f"the receiver took longer than {self.seconds:g} s", status_code=status_code)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                _shut(sock)

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        if time.monotonic() >= self.ends:
            self.passed = True


def _shut(sock: socket.socket) -> None:
    # shutdown (not close) wakes a recv blocked in the worker's thread; the socket is closed there.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the other side or by us
        pass


class _WatchedConnection:
    """Hands its socket to the delivery's deadline as soon as it exists, before any TLS handshake."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.deadline.watch(sock)
        return sock


class _WatchedHTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _DeadlinePoolManager(PoolManager):
    """Every connection it opens is cut at the delivery's deadline."""

    def __init__(self, deadline: _Deadline, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(**kwargs)

    def _new_pool(self, scheme: str, host: str, port: int, request_context: dict[str, Any] | None = None) -> Any:
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.ConnectionCls = _WatchedHTTPSConnection if scheme == "https" else _WatchedHTTPConnection
        pool.conn_kw["deadline"] = self.deadline
        return pool


class _DeliveryAdapter(HTTPAdapter):
    """Connections under one delivery's deadline; with `hostname`, TLS to a pinned address under
    the URL's host name: SNI and the certificate check use the name."""

    def __init__(self, deadline: _Deadline, hostname: str | None = None) -> None:
        self.deadline = deadline
        self.hostname = hostname
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        if self.hostname:
            pool_kwargs.update(server_hostname=self.hostname, assert_hostname=self.hostname)
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _DeadlinePoolManager(self.deadline, num_pools=connections, maxsize=maxsize,
                                                block=block, **pool_kwargs)


@dataclass(frozen=True)
class Answer:
    """What a receiver answered: its status and the start of its body (WEBHOOK_MAX_RESPONSE_BYTES at most)."""

    status_code: int
    body: str


def _text(content: bytes) -> str:
    # The cut may fall inside a character; PostgreSQL text cannot hold NUL.
    return content.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _read_answer(response: requests.Response, deadline: _Deadline) -> Answer:
    """The status and at most WEBHOOK_MAX_RESPONSE_BYTES of the body, read within the deadline."""
    limit = settings.WEBHOOK_MAX_RESPONSE_BYTES
    kept = bytearray()
    for chunk in response.iter_content(chunk_size=min(limit, 16384) or 1):
        if time.monotonic() >= deadline.ends:
            raise deadline.failure(response.status_code)
        kept += chunk[:limit - len(kept)]
        if len(kept) >= limit:
            break  # the rest is not read: closing the response drops the connection
    if deadline.passed:  # the cut connection may look like the end of a body
        raise deadline.failure(response.status_code)
    return Answer(response.status_code, _text(bytes(kept)))


def _post(url: str, address: str | None, body: bytes, headers: dict[str, str]) -> Answer:
    """POST to `url`, connecting to `address` (the one `check_url` approved) when there is one."""
    session = requests.Session()
    deadline = _Deadline(settings.WEBHOOK_DELIVERY_SECONDS)
    hostname = None
    if address:
        parts = urlsplit(url)
        hostname = parts.hostname.encode("idna").decode("ascii")
        pinned = f"[{address}]" if ":" in address else address
        port = f":{parts.port}" if parts.port else ""
        headers = {**headers, "Host": f"{hostname}{port}"}
        url = urlunsplit(parts._replace(netloc=f"{pinned}{port}"))
    session.mount("http://", _DeliveryAdapter(deadline))
    session.mount("https://", _DeliveryAdapter(deadline, hostname))
    # Neither timeout may reach past the deadline; the deadline itself covers a receiver that
    # keeps each read just inside the read timeout.
    timeout = (min(settings.WEBHOOK_CONNECT_TIMEOUT, deadline.seconds),
               min(settings.WEBHOOK_READ_TIMEOUT, deadline.seconds))
    try:
        with deadline, session, session.post(url, data=body, headers=headers, allow_redirects=False,
                                             timeout=timeout, stream=True) as response:
            return _read_answer(response, deadline)
    except requests.RequestException:
        if deadline.passed:
            raise deadline.failure() from None
        raise


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


def post_event(notification: Notification) -> Answer:
    """POST one event to its endpoint; returns the receiver's answer or raises a delivery failure."""
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
        # The answer is only kept for the delivery log: no reason to have it compressed.
        "Accept-Encoding": "identity",
        "X-Event": notification.kind,
        "X-Event-Id": f"evt_{notification.pk}",
    }
    timestamp = int(time.time())
    headers["X-Signature"] = sign(endpoint.secret, body, timestamp)
    headers["X-Signature-SM3"] = sign(endpoint.secret, body, timestamp, "sm3")
    try:
        answer = _post(endpoint.url, address, body, headers)
    except requests.Timeout:
        raise TemporaryFailure("the receiver did not answer in time") from None
    except requests.RequestException as error:
        raise TemporaryFailure(f"network error: {type(error).__name__}") from None
    status = answer.status_code
    if status == 429 or status >= 500:
        raise TemporaryFailure(f"the receiver answered {status}", status_code=status, response=answer.body)
    if status >= 300:
        raise PermanentFailure(f"the receiver answered {status}", status_code=status, response=answer.body)
    return answer
