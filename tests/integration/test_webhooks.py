"""Webhooks as an integrating system receives them: signed, retried only when it helps, never inward."""

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from django.core.exceptions import ValidationError
from django.db import transaction

from notifications import webhooks
from notifications.delivery import deliver, sweep
from notifications.models import Notification, WebhookEndpoint
from notifications.outbox import publish
from notifications.webhooks import register_webhook, sign, verify_signature
from tests.integration.support import HANG, HANG_SECONDS, TIMINGS

Status = Notification.Status
SECRET = "shared-secret-of-the-integrating-system"
EVENT = "application.status_changed"


def an_event(enterprise, key: str = "1") -> Notification:
    """An application of the enterprise changed status: the event is written, then queued after commit."""
    with transaction.atomic():
        [event] = publish(enterprise, EVENT, {"reference": "FT-2026-000001", "status": "accepted"}, key=key)
    return event


def attempts(event: Notification) -> list[tuple]:
    return list(event.delivery_attempts.values_list("number", "outcome", "status_code"))


def settled(event: Notification, *statuses: str):
    def check() -> bool:
        event.refresh_from_db()
        return event.status in statuses

    return check


@pytest.mark.django_db(transaction=True)
def test_the_receiver_verifies_the_signature_with_the_shared_secret(live, receiver, alice, alices_enterprise):
    """Only the holder of the secret can make the signature; the body is the stored event, byte for byte."""
    system = receiver()
    register_webhook(alice, alices_enterprise, system.url, [EVENT], SECRET)
    event = an_event(alices_enterprise)
    live.wait_until(settled(event, Status.DELIVERED), what="the event to be delivered")

    [post] = system.posts
    assert post.body == event.body.encode()
    assert post.headers["x-event"] == EVENT and post.headers["x-event-id"] == f"evt_{event.pk}"
    assert json.loads(post.body)["data"] == {"reference": "FT-2026-000001", "status": "accepted"}
    signature = post.headers["x-signature"]
    assert verify_signature(SECRET, signature, post.body)
    assert not verify_signature("somebody-else's-secret-value", signature, post.body)
    assert not verify_signature(SECRET, signature, post.body.replace(b"accepted", b"approved"))
    # The same with HMAC-SM3, for receivers held to the commercial-cryptography rules.
    sm3_signature = post.headers["x-signature-sm3"]
    assert sm3_signature != signature
    assert verify_signature(SECRET, sm3_signature, post.body, algorithm="sm3")
    assert not verify_signature(SECRET, sm3_signature, post.body, algorithm="sha256")
    assert not verify_signature(SECRET, sm3_signature, post.body.replace(b"accepted", b"approved"), algorithm="sm3")
    assert attempts(event) == [(1, Status.DELIVERED, 200)]


@pytest.mark.django_db(transaction=True)
def test_a_500_then_a_200_gives_two_attempts_and_one_success(live, receiver, alice, alices_enterprise):
    """A server error is worth another try; the retry carries the same event id and body."""
    system = receiver(500)
    register_webhook(alice, alices_enterprise, system.url, [EVENT], SECRET)
    event = an_event(alices_enterprise)
    live.wait_until(settled(event, Status.DELIVERED), what="the retried event to be delivered")
    live.wait_until(live.idle, what="the worker to finish")

    assert attempts(event) == [(1, Status.TEMPORARY_FAILURE, 500), (2, Status.DELIVERED, 200)]
    assert [p.headers["x-event-id"] for p in system.posts] == [f"evt_{event.pk}"] * 2
    assert system.posts[0].body == system.posts[1].body
    assert all(verify_signature(SECRET, p.headers["x-signature"], p.body) for p in system.posts)
    assert event.last_error == "" and event.next_attempt_at is None


@pytest.mark.django_db(transaction=True)
def test_a_400_stops_at_once(live, receiver, alice, alices_enterprise):
    """The receiver refused the event itself: sending it again cannot help, so nothing is retried."""
    system = receiver(400)
    register_webhook(alice, alices_enterprise, system.url, [EVENT], SECRET)
    event = an_event(alices_enterprise)
    live.wait_until(settled(event, Status.PERMANENT_FAILURE), what="the refusal to be recorded")

    assert sweep() == 0
    live.wait_until(live.idle, what="the worker to finish")
    assert len(system.posts) == 1
    assert attempts(event) == [(1, Status.PERMANENT_FAILURE, 400)]
    assert event.next_attempt_at is None and "400" in event.last_error


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_hangs_is_cut_at_the_timeout_and_tried_again_later(live, receiver, alice, alices_enterprise):
    """A silent receiver holds a worker only for WEBHOOK_READ_TIMEOUT; the event is retried, not lost."""
    system = receiver(HANG)
    register_webhook(alice, alices_enterprise, system.url, [EVENT], SECRET)
    event = an_event(alices_enterprise)
    live.wait_until(settled(event, Status.DELIVERED), what="the retry to be delivered")

    first, second = event.delivery_attempts.all()
    timeout_ms = TIMINGS["WEBHOOK_READ_TIMEOUT"] * 1000
    assert (first.outcome, first.status_code) == (Status.TEMPORARY_FAILURE, None)
    assert "in time" in first.error
    assert timeout_ms <= first.latency_ms < HANG_SECONDS * 1000 / 2
    assert (second.outcome, second.status_code) == (Status.DELIVERED, 200)
    assert len(system.posts) == 2
    waited = system.posts[1].at - system.posts[0].at
    assert waited >= TIMINGS["WEBHOOK_READ_TIMEOUT"] + TIMINGS["NOTIFICATION_RETRY_BASE"]  # cut, then backed off


# --- no worker needed: the portal must not be turned against its own network -----------------------

PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://10.0.0.1/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://2130706433/hook",  # 127.0.0.1 written as one number
    "http://0.0.0.0/hook",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_a_private_address_is_refused_in_production(settings, alice, alices_enterprise, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as refused:
        register_webhook(alice, alices_enterprise, url, [EVENT], SECRET)
    assert "url" in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://93.184.216.34/hook", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https_urls_are_accepted(settings, alice, alices_enterprise, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as refused:
        register_webhook(alice, alices_enterprise, url, [EVENT], SECRET)
    assert "url" in refused.value.message_dict


@pytest.mark.django_db
def test_a_public_address_is_accepted_in_production(settings, alice, alices_enterprise):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    endpoint = register_webhook(alice, alices_enterprise, "https://93.184.216.34/hooks", [EVENT], SECRET)
    assert endpoint.events == [EVENT]


@pytest.mark.django_db
def test_an_endpoint_already_stored_with_a_private_address_is_refused_at_send_time(settings, alice, alices_enterprise):
    """The check runs again before each POST: nothing reaches 127.0.0.1 once production settings apply."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    WebhookEndpoint.objects.create(enterprise=alices_enterprise, url="http://127.0.0.1:9/hook", events=[EVENT],
                                   secret=SECRET, created_by=alice)
    event = an_event(alices_enterprise)

    assert deliver(event.pk) == Status.PERMANENT_FAILURE
    event.refresh_from_db()
    # The reason is kept in the portal's language, like every message an official reads.
    assert ("loopback" in event.last_error or "回环" in event.last_error) and event.next_attempt_at is None


@pytest.mark.django_db
def test_the_post_goes_to_the_address_that_was_checked_whatever_dns_answers_next(
        settings, monkeypatch, receiver, alice, alices_enterprise):
    """DNS rebinding: the name resolves to an allowed address for the check, then inward for the POST.

    Here 127.0.0.1 (where the receiver listens) plays the allowed public address and 127.0.0.2 the
    inside one; the POST must reach the first.
    """
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    system = receiver()
    port = system.server.server_port
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_dns(host, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    monkeypatch.setattr(webhooks, "_is_public", lambda address: address == "127.0.0.1")
    WebhookEndpoint.objects.create(enterprise=alices_enterprise, url=f"http://hooks.example.com:{port}/hooks",
                                   events=[EVENT], secret=SECRET, created_by=alice)
    event = an_event(alices_enterprise)

    assert deliver(event.pk) == Status.DELIVERED
    [post] = system.posts
    assert post.headers["host"] == f"hooks.example.com:{port}"
    assert verify_signature(SECRET, post.headers["x-signature"], post.body)


class HTTPSReceiver:
    """A webhook receiver on 127.0.0.1 that speaks TLS with a certificate for `hostname` only."""

    def __init__(self, hostname: str, authority: trustme.CA):
        self.bodies: list[bytes] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                receiver.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
                pass

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(hostname).configure_cert(context)
        context.sni_callback = lambda _socket, name, _context: receiver.server_names.append(name)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.port = self.server.server_port

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.mark.django_db
def test_an_https_post_to_the_checked_address_still_checks_the_certificate_of_the_host(
        settings, monkeypatch, tmp_path, alice, alices_enterprise):
    """Pinned to the address, the TLS handshake still names the URL's host (SNI) and verifies its
    certificate: the right one is accepted, one for another name is refused."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    real_getaddrinfo = socket.getaddrinfo

    def dns(host, *args, **kwargs):
        if host in ("hooks.example.com", "other.example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    monkeypatch.setattr(webhooks, "_is_public", lambda address: address == "127.0.0.1")
    system = HTTPSReceiver("hooks.example.com", authority)
    try:
        for number, host in enumerate(["hooks.example.com", "other.example.com"]):
            WebhookEndpoint.objects.update(is_active=False)
            WebhookEndpoint.objects.create(enterprise=alices_enterprise, url=f"https://{host}:{system.port}/hooks",
                                           events=[EVENT], secret=SECRET, created_by=alice)
            event = an_event(alices_enterprise, key=str(number))
            deliver(event.pk)
            event.refresh_from_db()
            if host == "hooks.example.com":
                assert event.status == Status.DELIVERED and system.bodies == [event.body.encode()]
            else:  # the receiver's certificate is not for this name
                assert event.status == Status.TEMPORARY_FAILURE and "SSLError" in event.last_error
                assert len(system.bodies) == 1
        assert system.server_names[:2] == ["hooks.example.com", "other.example.com"]
    finally:
        system.close()


def test_an_old_signature_is_refused_so_a_captured_request_cannot_be_replayed():
    body = b'{"event": "application.status_changed"}'
    assert verify_signature(SECRET, sign(SECRET, body), body)
    assert not verify_signature(SECRET, sign(SECRET, body, timestamp=1_700_000_000), body)
    assert not verify_signature(SECRET, "v1=deadbeef", body)
