"""The API's infrastructure contract: pagination, /me/, tokens, the error shape, the schema."""

import datetime
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from portal.api.auth import LogoutView, ObtainTokenView
from portal.core.api.idempotency import IdempotentMixin
from services.applications import workflow
from services.models import Application, Task
from tests.helpers import token_client

pytestmark = pytest.mark.django_db



def walk(client: APIClient, url: str, params: dict | None = None) -> tuple[list[int], int]:
    """Follow `next` to the end: the ids seen, in order, and the number of pages."""
    seen: list[int] = []
    pages = 0
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        pages += 1
        if body["next"] is None:
            return seen, pages
        response = client.get(body["next"])


def walk_back(client: APIClient, url: str) -> list[int]:
    """From the last page back to the first through `previous`."""
    body = client.get(url).json()
    while body["next"]:
        body = client.get(body["next"]).json()
    seen = [row["id"] for row in body["results"]]
    while body["previous"]:
        body = client.get(body["previous"]).json()
        seen = [row["id"] for row in body["results"]] + seen
    return seen


# --- cursor pagination and ordering ------------------------------------------------------------


def test_cursor_pagination_walks_every_application_once(world, clerk_api):
    created = [workflow.create_application(world["clerk"], world["enterprise"], world["standard"]).pk
               for _ in range(7)]
    # Ties on the ordering field are broken by the id.
    Application.objects.filter(pk__in=created[2:5]).update(created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    expected = list(Application.objects.order_by("-created_at", "-id").values_list("id", flat=True))

    seen, pages = walk(clerk_api, "/api/v1/applications/", {"page_size": 3})
    assert seen == expected and pages == 3
    assert walk_back(clerk_api, "/api/v1/applications/?page_size=3") == expected
    assert walk(clerk_api, "/api/v1/applications/")[0] == expected  # 50 by default: one page


def test_ordering_by_a_nullable_date_keeps_every_row(world, clerk_api):
    ids = [workflow.create_application(world["clerk"], world["enterprise"], world["standard"]).pk
           for _ in range(6)]
    for pk, due in zip(ids, [datetime.date(2026, 12, 3), None, datetime.date(2026, 12, 1), None,
                             datetime.date(2026, 12, 3), datetime.date(2026, 12, 2)], strict=True):
        Application.objects.filter(pk=pk).update(decision_due=due)

    ascending, _ = walk(clerk_api, "/api/v1/applications/", {"ordering": "decision_due", "page_size": 2})
    dues = dict(Application.objects.values_list("id", "decision_due"))
    assert sorted(ascending) == sorted(ids) and len(ascending) == len(set(ascending))
    assert [dues[pk] for pk in ascending] == [datetime.date(2026, 12, 1), datetime.date(2026, 12, 2),
                                              datetime.date(2026, 12, 3), datetime.date(2026, 12, 3), None, None]
    descending, _ = walk(clerk_api, "/api/v1/applications/", {"ordering": "-decision_due", "page_size": 2})
    assert [dues[pk] for pk in descending][:4] == [datetime.date(2026, 12, 3), datetime.date(2026, 12, 3),
                                                   datetime.date(2026, 12, 2), datetime.date(2026, 12, 1)]
    assert sorted(descending) == sorted(ids)
    assert walk_back(clerk_api, "/api/v1/applications/?ordering=decision_due&page_size=4") == ascending


@pytest.mark.parametrize(("params", "field"), [
    ({"ordering": "password"}, "ordering"),
    ({"ordering": "--created_at"}, "ordering"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "201"}, "page_size"),
    ({"page_size": "lots"}, "page_size"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "eyJvIjoiLWNyZWF0ZWRfYXQiLCJiIjowLCJ2IjpbIm5vdCBhIGRhdGUiLDFdfQ"}, "cursor"),
    ({"created_after": "yesterday"}, "created"),
])
def test_bad_list_parameters_are_400_naming_them(world, clerk_api, params, field):
    workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    response = clerk_api.get("/api/v1/applications/", params)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["code"] == "invalid"


def test_a_cursor_of_another_ordering_is_refused(world, clerk_api):
    for _ in range(3):
        workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    following = clerk_api.get("/api/v1/applications/", {"page_size": 1}).json()["next"]
    cursor = following.split("cursor=")[1].split("&")[0]
    response = clerk_api.get("/api/v1/applications/", {"cursor": cursor, "ordering": "reference"})
    assert response.status_code == 400 and response.json()["field"] == "cursor"


def test_application_filters_by_mode_and_dates(world, clerk_api, draft):
    standard = draft("standard")
    commitment = draft("commitment")
    Application.objects.filter(pk=standard.pk).update(created_at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))

    def ids(**params) -> set[int]:
        return {row["id"] for row in clerk_api.get("/api/v1/applications/", params).json()["results"]}

    assert ids(mode="commitment") == {commitment.pk}
    assert ids(created_before="2026-03-31") == {standard.pk}
    assert ids(created_after="2026-04-01") == {commitment.pk}
    assert ids(enterprise=world["enterprise"].pk) == {standard.pk, commitment.pk}
    workflow.submit(world["clerk"], commitment.pk, commitment_accepted=True)
    decided_on = Application.objects.get(pk=commitment.pk).decided_on.isoformat()
    assert ids(decided_after=decided_on, decided_before=decided_on) == {commitment.pk}


def test_the_timeline_is_paginated_oldest_first(world, clerk_api, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    url = f"/api/v1/applications/{application.pk}/events/"
    first = clerk_api.get(url, {"page_size": 2}).json()
    assert [event["action"] for event in first["results"]] == ["application.created",
                                                                "application.document_attached"]
    second = clerk_api.get(first["next"]).json()
    assert [event["action"] for event in second["results"]] == ["application.document_attached",
                                                                 "application.submitted"]
    assert second["next"] is None and second["previous"]


def test_an_officials_task_list_filters_by_status_and_orders(world, draft):
    zjw1 = world["officials"]["zjw1"]
    standard, parallel = draft("standard"), draft("parallel")
    for application in (standard, parallel):
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(zjw1, application.pk)
    window = token_client("zjw1")
    queue = window.get("/api/v1/tasks/").json()["results"]
    assert {task["reference"] for task in queue} == {standard.reference, parallel.reference}
    assert all(task["status"] == "open" for task in queue)

    decided = Task.objects.get(application=standard, status="open")
    workflow.decide(zjw1, decided.pk, "approve")
    assert [t["id"] for t in window.get("/api/v1/tasks/", {"status": "approved"}).json()["results"]] == [decided.pk]
    assert decided.pk not in [t["id"] for t in window.get("/api/v1/tasks/").json()["results"]]
    everything = window.get("/api/v1/tasks/", {"status": "any"}).json()["results"]
    assert decided.pk in [t["id"] for t in everything]
    assert {t["reference"] for t in window.get("/api/v1/tasks/", {"mode": "parallel"}).json()["results"]} == {
        parallel.reference}
    by_reference = window.get("/api/v1/tasks/", {"status": "any", "ordering": "-reference"}).json()["results"]
    references = [t["reference"] for t in by_reference]
    assert references == sorted(references, reverse=True)


def test_officials_tokens_act_within_their_departments_only(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    task = Task.objects.get(application=application, status="open")
    market = token_client("scj1")  # an official of another department

    assert market.get("/api/v1/tasks/", {"status": "any"}).json()["results"] == []
    assert market.get("/api/v1/tasks/", {"reference": application.reference}).json()["results"] == []
    refused = market.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    # An official is not a member of the enterprise: its applications are not theirs to read.
    assert market.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    task.refresh_from_db()
    assert task.status == "open"

    window = token_client("zjw1")
    assert window.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json").status_code == 200


# --- /me/ and tokens ---------------------------------------------------------------------------


def test_me_describes_a_clerk_and_an_official(world, clerk_api):
    world["clerk"].first_name, world["clerk"].phone = "三", "13800000000"
    world["clerk"].save()
    me = clerk_api.get("/api/v1/me/").json()
    assert me["username"] == "clerk" and me["name"] == "三" and me["phone"] == "13800000000"
    assert me["is_official"] is False and me["departments"] == []
    assert me["enterprises"] == [{"id": world["enterprise"].pk, "name": world["enterprise"].name,
                                  "uscc": world["enterprise"].uscc, "status": "verified", "role": "admin"}]

    official = token_client("zjw1").get("/api/v1/me/").json()
    assert official["is_official"] is True and official["enterprises"] == []
    assert [d["code"] for d in official["departments"]] == ["ZJW"]

    assert APIClient().get("/api/v1/me/").status_code == 401


def test_tokens_are_listed_without_the_secret_and_revocable(world):
    first, second = APIClient(), APIClient()
    tokens = []
    for client in (first, second):
        response = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw-Secret-123"}, format="json")
        tokens.append(response.json()["token"])
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[-1]}")

    listing = first.get("/api/v1/auth/tokens/").json()
    assert len(listing) == 2
    assert all(set(row) == {"token_key", "created", "expiry", "current"} for row in listing)
    assert {row["token_key"] for row in listing} == {token[:15] for token in tokens}
    assert not any(token in str(listing) for token in tokens)
    assert [row["current"] for row in listing if row["token_key"] == tokens[0][:15]] == [True]

    assert first.delete(f"/api/v1/auth/tokens/{tokens[1][:15]}/").status_code == 204
    revoked = second.get("/api/v1/me/")
    assert revoked.status_code == 401 and revoked.json()["code"] == "authentication_failed"
    assert first.delete(f"/api/v1/auth/tokens/{tokens[1][:15]}/").status_code == 404

    # Another user's token is not found, and stays valid.
    outsider = token_client("zjw1")
    outsider_key = outsider.get("/api/v1/auth/tokens/").json()[0]["token_key"]
    assert first.delete(f"/api/v1/auth/tokens/{outsider_key}/").status_code == 404
    assert outsider.get("/api/v1/me/").status_code == 200

    assert first.post("/api/v1/auth/logout/").status_code == 204
    assert first.get("/api/v1/me/").status_code == 401


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


# --- the schema --------------------------------------------------------------------------------


def test_the_committed_schema_is_the_codes():
    call_command("check_api_schema")


def test_the_schema_and_the_docs_are_served_with_local_assets(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/me/", "/api/v1/auth/tokens/", "/api/v1/auth/tokens/{token_key}/", "/api/v1/auth/logout/"} <= set(paths)
    submit = paths["/api/v1/applications/{id}/submit/"]["post"]
    assert {"400", "401", "404", "409", "422", "429"} <= set(submit["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in submit["parameters"]]
    assert submit["requestBody"]["content"]["application/json"]["examples"]

    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page and "cdn" not in page.lower()


def _api_views(patterns, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_every_post_under_the_api_honours_idempotency_keys():
    """Generated from the URL conf, so a new endpoint cannot escape it."""
    exempt = {ObtainTokenView, LogoutView}  # a stored token would be a secret at rest; logout is idempotent
    posts = []
    for route, callback in _api_views(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if not route.startswith("api/v1/") or view is None:
            continue
        actions = getattr(callback, "actions", None)
        accepts_post = "post" in actions if actions is not None else hasattr(view, "post")
        if accepts_post and view not in exempt:
            posts.append(route)
            assert issubclass(view, IdempotentMixin), f"{route}: {view.__name__} lacks IdempotentMixin"
    assert len(posts) >= 8


def test_an_oversized_licence_is_413_naming_it(alice, settings):
    from tests.conftest import enterprise_data

    settings.MAX_UPLOAD_MB = 1
    client = token_client("alice")
    big = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = client.post("/api/v1/enterprises/", {**enterprise_data(), "licence": big}, format="multipart")
    assert assert_shape(response, 413, "too_large")["field"] == "licence"


def _operations_missing_examples(schema: dict) -> list[str]:
    """Each operation under /api/v1/ without an example of its request body (if it has one: in JSON,
    or multipart where JSON is not accepted) or of its success response (if that has a body)."""
    missing = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            name = f"{method.upper()} {path}"
            request = operation.get("requestBody", {}).get("content", {})
            if request:
                media_type = next((kind for kind in ("application/json", "multipart/form-data") if kind in request),
                                  next(iter(request)))
                if not request[media_type].get("examples"):
                    missing.append(f"{name}: request {media_type}")
            success = min(code for code in operation["responses"] if code.startswith("2"))
            for media_type, content in operation["responses"][success].get("content", {}).items():
                if not content.get("examples"):
                    missing.append(f"{name}: response {success} {media_type}")
    return missing


def test_every_operation_has_request_and_response_examples():
    """Walks the generated schema, so a new endpoint without examples fails here."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert len([path for path in schema["paths"] if path.startswith("/api/v1/")]) >= 25
    missing = _operations_missing_examples(schema)
    assert not missing, "operations without examples (add OpenApiExample to their @extend_schema):\n" + "\n".join(missing)


def test_the_example_check_sees_a_missing_example():
    schema = {"paths": {"/api/v1/things/": {"post": {
        "requestBody": {"content": {"application/json": {"schema": {}}}},
        "responses": {"201": {"content": {"application/json": {"examples": {"A": {}}}}}, "400": {}},
    }, "delete": {"responses": {"204": {"description": "gone"}}}}}}
    assert _operations_missing_examples(schema) == ["POST /api/v1/things/: request application/json"]
