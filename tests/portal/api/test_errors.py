"""The API's errors: one JSON shape in the request's language, a 4xx for what the caller sent."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from services.applications import workflow
from services.models import Application
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


# --- errors: one shape, the request's language -------------------------------------------------


def assert_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "message", "field", "errors"} <= set(body)
    assert body["code"] == code and body["message"]
    return body


@pytest.mark.parametrize("key", [None, "parse-1"])
def test_malformed_json_is_400_parse_error(world, clerk_api, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = clerk_api.post("/api/v1/applications/", data='{"service": "STD",', content_type="application/json",
                              **headers)
    assert_shape(response, 400, "parse_error")
    response = clerk_api.post("/api/v1/applications/", data="[1, 2]", content_type="application/json", **headers)
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_unsupported_media_type_and_method_are_in_the_shape(world, clerk_api, draft):
    assert_shape(clerk_api.post("/api/v1/applications/", data="service=STD", content_type="text/plain"),
                 415, "unsupported_media_type")
    application = draft("standard")
    assert_shape(clerk_api.delete(f"/api/v1/applications/{application.pk}/"), 405, "method_not_allowed")
    assert_shape(clerk_api.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_an_accept_header_the_api_cannot_serve_is_406_in_json_and_changes_nothing(world, clerk_api):
    response = clerk_api.post("/api/v1/applications/", data={"service": "STD"}, format="json",
                              HTTP_ACCEPT="text/csv")
    assert_shape(response, 406, "not_acceptable")
    assert not Application.objects.exists()
    assert clerk_api.get("/api/v1/applications/", HTTP_ACCEPT="application/json, text/csv;q=0.5").status_code == 200


def test_an_oversized_file_is_413(world, clerk_api, draft, settings):
    settings.MAX_UPLOAD_MB = 1
    application = draft("standard", skip=("lease",))
    big = SimpleUploadedFile("lease.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = clerk_api.post(f"/api/v1/applications/{application.pk}/documents/",
                              {"material": "lease", "file": big}, format="multipart")
    body = assert_shape(response, 413, "too_large")
    assert body["field"] == "file"
    assert not application.documents.filter(material__code="lease").exists()


def test_an_oversized_body_is_413_before_it_is_read(world, clerk_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                        "form": {"notes": "x" * 2000}}, format="json")
    assert_shape(response, 413, "too_large")
    assert not Application.objects.exists()


def test_an_unexpected_exception_is_a_json_500_and_logged(world, clerk_api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(workflow, "create_application", broken)
    with caplog.at_level(logging.ERROR, logger="portal.api"):
        response = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk},
                                  format="json")
    assert_shape(response, 500, "server_error")
    assert "unexpected" not in response.json()["message"]
    assert [record for record in caplog.records if record.name == "portal.api" and record.exc_info]


def test_errors_speak_the_requests_language(world, draft):
    anonymous = APIClient()
    english = assert_shape(anonymous.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en"), 401, "not_authenticated")
    assert english["message"] == "Authentication credentials were not provided."
    chinese = assert_shape(anonymous.get("/api/v1/me/"), 401, "not_authenticated")
    assert chinese["message"] == "身份认证信息未提供。"

    clerk = token_client("clerk")
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    url = f"/api/v1/applications/{application.pk}/submit/"
    assert assert_shape(clerk.post(url, HTTP_ACCEPT_LANGUAGE="en"), 409, "illegal_transition")["state"] == "submitted"
    assert assert_shape(clerk.get("/api/v1/applications/999999/", HTTP_ACCEPT_LANGUAGE="en"),
                        404, "not_found")["message"] == "Not found."
    assert assert_shape(clerk.get("/api/v1/applications/999999/"), 404, "not_found")["message"] == "未找到。"


def test_an_oversized_licence_is_413_naming_it(alice, settings):
    from tests.conftest import enterprise_data

    settings.MAX_UPLOAD_MB = 1
    client = token_client("alice")
    big = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = client.post("/api/v1/enterprises/", {**enterprise_data(), "licence": big}, format="multipart")
    assert assert_shape(response, 413, "too_large")["field"] == "licence"
