"""The inbox and webhooks API as a clerk's integrating system uses it (DESIGN §5).

Celery runs eagerly in the tests: delivery happens when the transaction's on-commit callbacks
run, so the tests that send run inside `django_capture_on_commit_callbacks(execute=True)`, to a
small HTTP server on 127.0.0.1 that records what it receives.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from notifications.outbox import notify, publish
from notifications.webhooks import register_webhook, sign, verify_signature
from tests.conftest import VALID_USCCS
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db

SECRET = "s3cret-s3cret-s3cret"
EVENT = "application.status_changed"


class Receiver:
    """A local webhook receiver: records each POST and answers with the next planned status (else 200)."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver() as running:
        yield running


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def tell(user, key: str, reference: str = "FT-1") -> Notification:
    return notify(user, "application.changed", key=key,
                  context={"reference": reference, "state": "submitted", "service": "事项", "reason": ""})


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_only_the_callers_messages_newest_first_and_filters_unread(alice, bob):
    first, second = tell(alice, "1", "FT-1"), tell(alice, "2", "FT-2")
    tell(bob, "3", "FT-3")

    page = client_of(alice).get("/api/v1/notifications/").json()
    assert len(page["results"]) == 2 and page["next"] is None
    assert [n["id"] for n in page["results"]] == [second.pk, first.pk]
    assert page["results"][0]["subject"].startswith("FT-2") and page["results"][0]["unread"] is True
    assert "recipient" not in page["results"][0]

    response = client_of(alice).post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200, response.content
    assert response.json()["unread"] is False and response.json()["read_at"]
    read_at = response.json()["read_at"]
    assert client_of(alice).post(f"/api/v1/notifications/{first.pk}/read/").json()["read_at"] == read_at

    unread = client_of(alice).get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in unread["results"]] == [second.pk]
    read = client_of(alice).get("/api/v1/notifications/", {"unread": "false"}).json()
    assert [n["id"] for n in read["results"]] == [first.pk]


def test_another_persons_message_is_not_found(alice, charlie):
    message = tell(alice, "1")
    charlie_api = client_of(charlie)
    assert charlie_api.get(f"/api/v1/notifications/{message.pk}/").status_code == 404
    response = charlie_api.post(f"/api/v1/notifications/{message.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert charlie_api.get("/api/v1/notifications/").json()["results"] == []
    message.refresh_from_db()
    assert message.read_at is None
    # Nor are the e-mail copies reachable as inbox messages, even by their recipient.
    email = Notification.objects.get(recipient=alice, channel="email")
    assert client_of(alice).get(f"/api/v1/notifications/{email.pk}/").status_code == 404


def test_the_inbox_is_paginated_by_50_up_to_200(alice):
    for n in range(60):
        tell(alice, str(n), f"FT-{n}")
    api = client_of(alice)
    first = api.get("/api/v1/notifications/").json()
    assert len(first["results"]) == 50 and first["next"]
    assert len(api.get(first["next"]).json()["results"]) == 10
    too_many = api.get("/api/v1/notifications/", {"page_size": 1000})
    assert too_many.status_code == 400 and too_many.json()["field"] == "page_size"
    assert len(api.get("/api/v1/notifications/", {"page_size": 200}).json()["results"]) == 60
    assert len(api.get("/api/v1/notifications/", {"page_size": 5}).json()["results"]) == 5


def test_the_inbox_needs_a_signed_in_caller():
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)


# --- registering webhooks ----------------------------------------------------------------------


def test_a_member_registers_a_webhook_and_the_secret_never_comes_back(alice, bob, alices_enterprise, receiver):
    response = client_of(bob).post("/api/v1/webhooks/", {
        "enterprise": alices_enterprise.pk, "url": receiver.url, "events": [EVENT, "policy.matched"],
        "secret": SECRET,
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "secret" not in body and SECRET not in response.content.decode()
    assert body["enterprise"] == alices_enterprise.pk and body["url"] == receiver.url
    assert body["events"] == sorted([EVENT, "policy.matched"]) and body["is_active"] is True
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == SECRET

    listing = client_of(alice).get("/api/v1/webhooks/").json()
    assert [w["id"] for w in listing] == [body["id"]] and "secret" not in listing[0]
    assert client_of(alice).get(f"/api/v1/webhooks/{body['id']}/").json()["url"] == receiver.url


@pytest.mark.parametrize(("change", "field"), [
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": ""}, "url"),
    ({"url": "https://example.com/" + "x" * 500}, "url"),
    ({"events": ["application.deleted"]}, "events"),
    ({"events": []}, "events"),
    ({"events": EVENT}, "events"),
    ({"secret": "short"}, "secret"),
    ({"secret": ""}, "secret"),
    ({"enterprise": 999999}, "enterprise"),
    ({"enterprise": "abc"}, "enterprise"),
])
def test_every_refusal_names_its_field(alice, alices_enterprise, settings, change, field):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    payload = {"enterprise": alices_enterprise.pk, "url": "http://127.0.0.1:9/hook", "events": [EVENT],
               "secret": SECRET, **change}
    response = client_of(alice).post("/api/v1/webhooks/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["code"] == "invalid"
    assert response.json()["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "https://10.1.2.3/", "http://localhost/hook",
                                 "http://[::1]/hook", "http://169.254.169.254/latest/meta-data/"])
def test_private_addresses_are_refused_with_the_production_setting(alice, alices_enterprise, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False  # the default
    response = client_of(alice).post("/api/v1/webhooks/", {
        "enterprise": alices_enterprise.pk, "url": url, "events": [EVENT], "secret": SECRET}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "url" and response.json()["errors"]["url"]
    assert not WebhookEndpoint.objects.exists()
    # The same URL is accepted where private addresses are allowed (tests, local demos).
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    response = client_of(alice).post("/api/v1/webhooks/", {
        "enterprise": alices_enterprise.pk, "url": url, "events": [EVENT], "secret": SECRET}, format="json")
    assert response.status_code == 201, response.content


def test_an_outsider_cannot_register_for_another_enterprise(charlie, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    response = client_of(charlie).post("/api/v1/webhooks/", {
        "enterprise": alices_enterprise.pk, "url": "http://127.0.0.1:9/", "events": [EVENT], "secret": SECRET,
    }, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "enterprise"
    # The message is the same as for an enterprise that does not exist at all.
    missing = client_of(charlie).post("/api/v1/webhooks/", {
        "enterprise": 999999, "url": "http://127.0.0.1:9/", "events": [EVENT], "secret": SECRET,
    }, format="json")
    assert missing.json()["message"] == response.json()["message"]
    assert not WebhookEndpoint.objects.exists()


# --- deliveries, the log, re-sending, and who may see them -------------------------------------


def registered(user, enterprise, url: str, events=(EVENT,)) -> WebhookEndpoint:
    return register_webhook(user, enterprise, url, list(events), SECRET)


def test_an_event_is_posted_signed_and_logged_with_its_attempt(alice, alices_enterprise, receiver,
                                                              django_capture_on_commit_callbacks):
    endpoint = registered(alice, alices_enterprise, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = publish(alices_enterprise, EVENT, {"reference": "FT-9", "status": "accepted"}, key="k1")

    [(headers, body)] = receiver.received
    assert verify_signature(SECRET, headers["X-Signature"], body)
    assert headers["X-Event-Id"] == f"evt_{notification.pk}"
    assert json.loads(body)["data"] == {"reference": "FT-9", "status": "accepted"}

    log = client_of(alice).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert len(log["results"]) == 1
    [delivery] = log["results"]
    assert delivery["id"] == notification.pk and delivery["event_id"] == f"evt_{notification.pk}"
    assert delivery["event"] == EVENT and delivery["status"] == "delivered"
    assert delivery["attempts"] == 1 and delivery["last_error"] == ""
    [attempt] = delivery["delivery_attempts"]
    assert attempt["number"] == 1 and attempt["status_code"] == 200 and attempt["outcome"] == "delivered"
    assert attempt["latency_ms"] >= 0 and attempt["attempted_at"] and attempt["error"] == ""


def test_a_refused_event_is_resent_and_delivered_with_a_new_attempt(alice, alices_enterprise, receiver,
                                                                   django_capture_on_commit_callbacks):
    receiver.statuses = [400]  # the receiver refuses once: a permanent failure, no retry
    endpoint = registered(alice, alices_enterprise, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = publish(alices_enterprise, EVENT, {"reference": "FT-9"}, key="k1")
    notification.refresh_from_db()
    assert notification.status == "permanent-failure" and notification.attempts == 1
    assert "400" in notification.last_error

    api = client_of(alice)
    [failed] = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert failed["status"] == "permanent-failure" and failed["delivery_attempts"][0]["status_code"] == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{notification.pk}/resend/")
    assert response.status_code == 202, response.content
    assert response.json()["event_id"] == f"evt_{notification.pk}"

    notification.refresh_from_db()
    assert notification.status == "delivered" and notification.attempts == 2 and notification.last_error == ""
    assert list(DeliveryAttempt.objects.filter(notification=notification).values_list("number", "status_code")) \
        == [(1, 400), (2, 200)]
    # The receiver saw the same event twice, byte for byte.
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]
    assert {h["X-Event-Id"] for h, _ in receiver.received} == {f"evt_{notification.pk}"}


def test_resend_queues_the_event_again(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = registered(alice, alices_enterprise, "http://127.0.0.1:9/")
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    Notification.objects.filter(pk=notification.pk).update(status="permanent-failure", last_error="gone")
    response = client_of(alice).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{notification.pk}/resend/")
    assert response.status_code == 202
    assert response.json()["status"] == "created" and response.json()["last_error"] == ""

    Notification.objects.filter(pk=notification.pk).update(status="sending")
    busy = client_of(alice).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{notification.pk}/resend/")
    assert busy.status_code == 409


def test_no_resend_to_a_deactivated_endpoint(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = registered(alice, alices_enterprise, "http://127.0.0.1:9/")
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    Notification.objects.filter(pk=notification.pk).update(status="permanent-failure")
    api = client_of(alice)
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{notification.pk}/resend/")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    notification.refresh_from_db()
    assert notification.status == "permanent-failure"


@pytest.mark.parametrize("url", ["https://example.com:99999/hook", "http://example.com:abc/", "http://[::1/"])
def test_a_malformed_url_is_a_400_naming_the_url(alice, alices_enterprise, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = client_of(alice).post("/api/v1/webhooks/", {
        "enterprise": alices_enterprise.pk, "url": url, "events": [EVENT],
        "secret": SECRET}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "url"


def test_deleting_deactivates_and_no_more_events_are_written(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = registered(alice, alices_enterprise, "http://127.0.0.1:9/")
    assert len(publish(alices_enterprise, EVENT, {}, key="before")) == 1

    api = client_of(alice)
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()["is_active"] is False
    assert api.get("/api/v1/webhooks/", {"is_active": "true"}).json() == []
    assert publish(alices_enterprise, EVENT, {}, key="after") == []
    # The log of what was sent stays.
    assert len(api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]) == 1
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204


def test_an_outsider_sees_nothing_of_another_enterprises_webhooks(alice, charlie, alices_enterprise,
                                                                   make_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = registered(alice, alices_enterprise, "http://127.0.0.1:9/")
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    own = make_enterprise(charlie, uscc=VALID_USCCS[2])
    charlies = registered(charlie, own, "http://127.0.0.1:9/charlie")

    api = client_of(charlie)
    assert [w["id"] for w in api.get("/api/v1/webhooks/").json()] == [charlies.pk]
    assert api.get("/api/v1/webhooks/", {"enterprise": alices_enterprise.pk}).json() == []
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code == 404
    assert api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{notification.pk}/resend/").status_code == 404
    # Nor through an endpoint of his own.
    assert api.post(f"/api/v1/webhooks/{charlies.pk}/deliveries/{notification.pk}/resend/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404

    endpoint.refresh_from_db()
    notification.refresh_from_db()
    assert endpoint.is_active is True and notification.status == "created"
    assert not DeliveryAttempt.objects.exists()


def test_the_readme_s_receiver_code_accepts_the_portal_s_signature_and_nothing_else():
    """The check an integrator copies from the README's Webhooks section verifies what the portal signs."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(
        "\n### Webhooks\n", 1)[1].split("\n### ", 1)[0]
    [snippet] = re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - the README's own example
    genuine = namespace["genuine"]

    body = json.dumps({"id": "evt_1", "event": "application.status_changed", "data": {"status": "approved"}}).encode()
    secret = "the-enterprise-s-shared-secret"
    assert genuine(secret, sign(secret, body), body)
    assert not genuine("another-secret-of-sixteen", sign(secret, body), body)
    assert not genuine(secret, sign(secret, body), body.replace(b"approved", b"rejected"))
    assert not genuine(secret, sign(secret, body, timestamp=int(time.time()) - 301), body)
