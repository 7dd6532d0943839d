"""Rate limits answer 429 with Retry-After, per anonymous IP, per user, and per scope."""

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from services.applications import workflow
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings, monkeypatch):
    """Set limits for this test only, counted in a cache of its own (no other test shares it)."""
    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache(f"throttle-{uuid.uuid4()}", {}))

    def set_rates(**limits: str) -> None:
        current = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**current, **limits}}

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "throttled" and body["message"] and body["field"] is None


def test_token_creation_is_limited_per_ip(alice, rates):
    rates(token="3/min")
    client = APIClient(REMOTE_ADDR="127.0.0.21")
    credentials = {"username": "alice", "password": "pw-Secret-123"}
    for _ in range(3):
        assert client.post("/api/v1/auth/token/", credentials, format="json").status_code == 200
    assert_throttled(client.post("/api/v1/auth/token/", credentials, format="json"))
    # Wrong passwords count as well: guessing is what the limit is for.
    elsewhere = APIClient(REMOTE_ADDR="127.0.0.22")
    assert elsewhere.post("/api/v1/auth/token/", {**credentials, "password": "x"}, format="json").status_code == 400
    assert elsewhere.post("/api/v1/auth/token/", credentials, format="json").status_code == 200


def test_anonymous_callers_are_limited_per_ip(db, rates):
    rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="127.0.0.31")
    assert client.get("/api/v1/services/").status_code == 200
    assert client.get("/api/v1/services/").status_code == 200
    assert_throttled(client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en"))
    # A forged X-Forwarded-For does not give a new allowance.
    assert_throttled(client.get("/api/v1/services/", HTTP_X_FORWARDED_FOR="203.0.113.9"))
    assert APIClient(REMOTE_ADDR="127.0.0.32").get("/api/v1/services/").status_code == 200


def test_users_are_limited_per_user(world, rates):
    client = token_client("clerk")
    rates(user="3/min")
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    assert_throttled(client.get("/api/v1/applications/"))
    assert token_client("zjw1").get("/api/v1/me/").status_code == 200


def test_submissions_have_their_own_stricter_limit(world, draft, rates):
    client = token_client("clerk")
    rates(submissions="2/hour")
    applications = [draft("standard") for _ in range(3)]
    for application in applications[:2]:
        assert client.post(f"/api/v1/applications/{application.pk}/submit/", {}, format="json").status_code == 200
    assert_throttled(client.post(f"/api/v1/applications/{applications[2].pk}/submit/", {}, format="json"))
    # Other calls are not counted against it.
    assert client.get(f"/api/v1/applications/{applications[2].pk}/").status_code == 200
    assert workflow.submit(world["clerk"], applications[2].pk).state == "submitted"


def test_with_the_cache_down_the_limits_lapse_and_requests_still_succeed(world, draft, settings, monkeypatch,
                                                                        caplog):
    """Redis unreachable: a clerk still gets a token and submits; the log says the limits lapsed."""
    monkeypatch.setattr(SimpleRateThrottle, "cache", RedisCache("redis://127.0.0.1:1/0", {
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}))
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "1/min", "submissions": "1/hour"}}
    anonymous = APIClient(REMOTE_ADDR="127.0.0.51")
    credentials = {"username": "clerk", "password": "pw-Secret-123"}
    for _ in range(2):
        assert anonymous.post("/api/v1/auth/token/", credentials, format="json").status_code == 200

    client = token_client("clerk")
    for application in [draft("standard"), draft("standard")]:
        response = client.post(f"/api/v1/applications/{application.pk}/submit/", {}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert "the cache is unreachable" in caplog.text
