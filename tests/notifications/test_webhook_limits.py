"""What a webhook receiver cannot do to the portal: be reached on an address that is not public,
fill the worker's memory with its answer, or hold a delivery past WEBHOOK_DELIVERY_SECONDS.

The receivers are small HTTP servers on 127.0.0.1 (so these tests allow private addresses);
the address checks use a resolver that answers what each case needs.
"""

import socket
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from notifications.delivery import deliver, deliver_batch
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from notifications.outbox import publish
from notifications.webhooks import register_webhook

pytestmark = pytest.mark.django_db

Status = Notification.Status
SECRET = "s3cret-s3cret-s3cret"
EVENT = "application.status_changed"
HOST = "hooks.example.com"
REFUSED = "Webhooks cannot be sent to loopback, private or reserved addresses."
BIG = 50 * 1024 * 1024
DRIP_EVERY = 0.25  # seconds between the bytes of a dripping receiver
DRIP_FOR = 10.0  # a dripping receiver gives up by itself after this, so no test can hang on it


@pytest.fixture
def dns(monkeypatch):
    """Resolve HOST to the address a test sets; other names as usual."""
    answer = {"address": "93.184.216.34"}
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == HOST:
            address = answer["address"]
            if ":" in address:
                return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return answer


NOT_GLOBAL = ["100.64.0.1", "100.100.100.200", "169.254.169.254", "10.1.2.3", "127.0.0.1", "::1", "fc00::1",
              "::ffff:127.0.0.1", "::ffff:100.64.0.1", "0.0.0.0", "224.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1"]


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_an_address_that_is_not_globally_routable_is_refused_at_registration(
        settings, dns, alice, alices_enterprise, address):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    dns["address"] = address
    with override("en"), pytest.raises(ValidationError) as refused:
        register_webhook(alice, alices_enterprise, f"https://{HOST}/hooks", [EVENT], SECRET)
    with override("en"):
        assert refused.value.message_dict["url"] == [REFUSED]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_a_name_that_turns_to_such_an_address_is_refused_at_delivery(settings, dns, alice, alices_enterprise, address):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    register_webhook(alice, alices_enterprise, f"https://{HOST}/hooks", [EVENT], SECRET)
    [event] = publish(alices_enterprise, EVENT, {}, key="k1")
    dns["address"] = address

    with override("en"):
        assert deliver(event.pk) == Status.PERMANENT_FAILURE
    event.refresh_from_db()
    assert event.last_error == REFUSED and event.next_attempt_at is None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])
def test_a_public_address_is_accepted(settings, dns, alice, alices_enterprise, address):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    dns["address"] = address
    endpoint = register_webhook(alice, alices_enterprise, f"https://{HOST}/hooks", [EVENT], SECRET)
    assert endpoint.url == f"https://{HOST}/hooks"


# --- receivers that answer too much or too slowly ---------------------------------------------


class Receiver:
    """A receiver on 127.0.0.1; `answer(handler)` writes the raw HTTP answer to each POST."""

    def __init__(self, answer) -> None:
        self.stop = threading.Event()
        self.posts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts += 1
                try:
                    answer(self, receiver.stop)
                except OSError:  # the portal hung up: what these receivers are for
                    pass

            def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def fifty_megabytes(handler, stop) -> None:
    handler.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: {BIG}\r\n\r\n".encode())
    block = b"x" * (1024 * 1024)
    for _ in range(BIG // len(block)):
        if stop.is_set():
            return
        handler.wfile.write(block)


def drip(handler, stop, data: bytes) -> None:
    started = time.monotonic()
    for byte in data:
        if stop.wait(DRIP_EVERY) or time.monotonic() - started > DRIP_FOR:
            return
        handler.wfile.write(bytes([byte]))


def dripping_body(handler, stop) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    drip(handler, stop, b"y" * 1000)


def dripping_headers(handler, stop) -> None:
    drip(handler, stop, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 1000 + b"\r\n\r\n")


def fast(handler, stop) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def endpoint_at(alice, enterprise, url: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(enterprise=enterprise, url=url, events=[EVENT], secret=SECRET,
                                          created_by=alice)


def test_only_the_first_64_kb_of_an_answer_are_read_and_kept(settings, alice, alices_enterprise):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver(fifty_megabytes) as receiver:
        endpoint_at(alice, alices_enterprise, receiver.url)
        [event] = publish(alices_enterprise, EVENT, {}, key="k1")
        tracemalloc.start()
        try:
            started = time.monotonic()
            status = deliver(event.pk)
            elapsed = time.monotonic() - started
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert status == Status.DELIVERED
    [attempt] = DeliveryAttempt.objects.filter(notification=event)
    assert attempt.status_code == 200 and attempt.response == "x" * settings.WEBHOOK_MAX_RESPONSE_BYTES
    assert peak < 5 * 1024 * 1024, f"{peak} bytes at the peak"
    assert elapsed < settings.WEBHOOK_DELIVERY_SECONDS


def test_the_answer_kept_follows_the_setting(settings, alice, alices_enterprise):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_MAX_RESPONSE_BYTES = 1000
    with Receiver(fifty_megabytes) as receiver:
        endpoint_at(alice, alices_enterprise, receiver.url)
        [event] = publish(alices_enterprise, EVENT, {}, key="k1")
        assert deliver(event.pk) == Status.DELIVERED
    assert DeliveryAttempt.objects.get(notification=event).response == "x" * 1000


@pytest.mark.parametrize("answer", [dripping_body, dripping_headers], ids=["body", "headers"])
def test_a_dripping_receiver_is_cut_off_at_the_deadline_and_tried_again_later(
        settings, alice, alices_enterprise, answer):
    """Each byte comes well inside the read timeout, so only the deadline ends the delivery."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_DELIVERY_SECONDS = 2
    with Receiver(answer) as receiver:
        endpoint_at(alice, alices_enterprise, receiver.url)
        [event] = publish(alices_enterprise, EVENT, {}, key="k1")
        started = time.monotonic()
        status = deliver(event.pk)
        elapsed = time.monotonic() - started

    assert status == Status.TEMPORARY_FAILURE
    assert 2 <= elapsed < 3, f"the delivery took {elapsed:.1f} s"
    event.refresh_from_db()
    assert event.last_error == "the receiver took longer than 2 s"
    assert event.next_attempt_at is not None  # the usual backoff
    assert receiver.posts == 1


def test_a_slow_endpoint_holds_its_own_event_only_to_the_deadline_and_the_batch_delivers_the_rest(
        settings, alice, alices_enterprise):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_DELIVERY_SECONDS = 2
    with Receiver(dripping_body) as slow, Receiver(fast) as quick:
        endpoint_at(alice, alices_enterprise, slow.url)  # created first, so its event is sent first
        endpoint_at(alice, alices_enterprise, quick.url)
        events = publish(alices_enterprise, EVENT, {}, key="k1")
        started = time.monotonic()
        results = deliver_batch([event.pk for event in events])
        elapsed = time.monotonic() - started

    by_endpoint = {event.endpoint.url: results[event.pk] for event in events}
    assert by_endpoint == {slow.url: Status.TEMPORARY_FAILURE, quick.url: Status.DELIVERED}
    assert elapsed < 3, f"the batch took {elapsed:.1f} s"
    assert DeliveryAttempt.objects.get(notification__endpoint__url=quick.url).response == "ok"
