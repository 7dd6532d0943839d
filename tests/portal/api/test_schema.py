"""The API's description: the committed OpenAPI schema, its examples, the docs, idempotency everywhere."""


import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from portal.api.auth import LogoutView, ObtainTokenView
from portal.core.api.idempotency import IdempotentMixin

pytestmark = pytest.mark.django_db


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
