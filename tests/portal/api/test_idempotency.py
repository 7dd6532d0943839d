"""Idempotency-Key on the API's POSTs: one effect per key, the first answer replayed."""

import datetime
import logging
import threading

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from rest_framework.test import APIClient

from portal.core.api.idempotency import purge_expired
from portal.models import AuditEvent, IdempotencyKey
from services.applications import workflow
from services.models import Application, Document
from tests.helpers import in_threads, pdf_bytes, token_client

pytestmark = pytest.mark.django_db



def create(client: APIClient, world, key: str | None, **form) -> object:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                 "form": form}, format="json", **headers)


def test_the_same_post_twice_creates_one_application_and_answers_the_same(world, clerk_api):
    first = create(clerk_api, world, "order-1", area=120)
    second = create(clerk_api, world, "order-1", area=120)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.created").count() == 1

    # Without a key, or with another key, each POST is a new request.
    assert create(clerk_api, world, None, area=120).status_code == 201
    assert create(clerk_api, world, "order-2", area=120).status_code == 201
    assert Application.objects.count() == 3


def test_the_same_key_for_another_body_or_path_is_422(world, clerk_api, draft):
    assert create(clerk_api, world, "k1", area=120).status_code == 201
    reused = create(clerk_api, world, "k1", area=999)
    assert reused.status_code == 422
    body = reused.json()
    assert body["code"] == "idempotency_key_reused" and body["message"] and body["field"] is None

    application = draft("standard")
    other_path = clerk_api.post(f"/api/v1/applications/{application.pk}/submit/", {}, format="json",
                                HTTP_IDEMPOTENCY_KEY="k1")
    assert other_path.status_code == 422
    assert Application.objects.get(pk=application.pk).state == "draft"
    assert Application.objects.count() == 2


def test_keys_belong_to_their_caller(world, clerk_api, make_user, make_enterprise):
    from enterprises.models import Membership

    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, enterprise=world["enterprise"], role=Membership.Role.CLERK)
    other = token_client("colleague")
    assert create(clerk_api, world, "shared", area=1).status_code == 201
    assert create(other, world, "shared", area=1).status_code == 201
    assert Application.objects.count() == 2


def test_a_replayed_transition_is_not_a_409(world, clerk_api, draft):
    application = draft("standard")
    url = f"/api/v1/applications/{application.pk}/submit/"
    first = clerk_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-42")
    again = clerk_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-42")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.json()["status"] == "submitted"
    assert AuditEvent.objects.filter(action="application.submitted", target_id=application.pk).count() == 1
    # A new key is a new request: now an illegal transition.
    assert clerk_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-43").status_code == 409


def test_client_errors_are_stored_and_replayed(world, clerk_api):
    bad = {"service": "NOPE", "enterprise": world["enterprise"].pk}
    first = clerk_api.post("/api/v1/applications/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad-1")
    again = clerk_api.post("/api/v1/applications/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad-1")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_a_server_error_is_json_logged_and_not_stored(world, clerk_api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(workflow, "create_application", broken)
    with caplog.at_level(logging.ERROR, logger="portal.api"):
        failed = create(clerk_api, world, "retry-me", area=1)
    assert failed.status_code == 500
    assert failed.json()["code"] == "server_error" and failed.json()["field"] is None
    assert any("disk on fire" in (record.exc_text or "") or record.exc_info for record in caplog.records)
    assert not IdempotencyKey.objects.exists()

    monkeypatch.undo()
    retried = create(clerk_api, world, "retry-me", area=1)
    assert retried.status_code == 201 and not retried.has_header("Idempotent-Replayed")
    assert Application.objects.count() == 1


def test_uploads_are_idempotent_by_their_content(world, clerk_api, draft):
    application = draft("standard", skip=("lease",))
    url = f"/api/v1/applications/{application.pk}/documents/"

    def upload(content: bytes, key: str):
        file = SimpleUploadedFile("lease.pdf", content, content_type="application/pdf")
        return clerk_api.post(url, {"material": "lease", "file": file}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)

    first = upload(pdf_bytes("1"), "up-1")
    again = upload(pdf_bytes("1"), "up-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Document.objects.filter(application=application, material__code="lease").count() == 1
    assert upload(pdf_bytes("2"), "up-1").status_code == 422


@pytest.mark.parametrize("key", ["x" * 201, " "])
def test_a_key_too_long_or_empty_is_400_naming_the_header(world, clerk_api, key):
    response = create(clerk_api, world, key, area=1)
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key" and response.json()["code"] == "invalid"
    assert not Application.objects.exists()
    assert create(clerk_api, world, "x" * 200, area=1).status_code == 201


def test_keys_expire_after_24_hours_and_are_purged(world, clerk_api):
    start = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert create(clerk_api, world, "daily", area=1).status_code == 201
    with time_machine.travel(start + datetime.timedelta(hours=23, minutes=59), tick=False):
        assert create(clerk_api, world, "daily", area=2).status_code == 422
        assert purge_expired() == 0
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        # Expired: ignored, so the key is free for a new request.
        reused = create(clerk_api, world, "daily", area=2)
        assert reused.status_code == 201 and not reused.has_header("Idempotent-Replayed")
        assert create(clerk_api, world, "other", area=3).status_code == 201
    assert Application.objects.count() == 3
    with time_machine.travel(start + datetime.timedelta(hours=49), tick=False):
        call_command("purge_idempotency_keys")
    assert not IdempotencyKey.objects.exists()


def test_the_purge_task_is_scheduled(settings):
    from portal.tasks import purge_idempotency_keys

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert purge_idempotency_keys.name in schedule


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_exactly_one_application(world):
    clients = [token_client("clerk") for _ in range(6)]
    responses = in_threads(len(clients), lambda i: create(clients[i], world, "burst", area=7))
    assert all(not isinstance(response, Exception) for response in responses), responses
    assert [response.status_code for response in responses] == [201] * len(clients)
    assert len({response.content for response in responses}) == 1
    assert sum(response.has_header("Idempotent-Replayed") for response in responses) == len(clients) - 1
    assert Application.objects.count() == 1
    assert IdempotencyKey.objects.get().status == 201


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_waits_a_bounded_time_then_gets_409(world, settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.3
    client = token_client("clerk")
    holding, release = threading.Event(), threading.Event()

    def first_request_still_running() -> None:
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(owner=f"user:{world['clerk'].pk}", key="slow", method="POST",
                                              path="/api/v1/applications/", body_hash="x")
                holding.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)  # the first request failed: the key is free again
        finally:
            connection.close()

    thread = threading.Thread(target=first_request_still_running)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        waiting = create(client, world, "slow", area=1)
        assert waiting.status_code == 409
        assert waiting.json()["code"] == "idempotency_key_in_progress"
    finally:
        release.set()
        thread.join(timeout=30)
    assert create(client, world, "slow", area=1).status_code == 201
    assert Application.objects.count() == 1
