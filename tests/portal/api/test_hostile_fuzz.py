"""Every operation of the API schema, sent the inputs the generated fuzzing rarely finds.

For each operation and each of its query parameters and body fields: a NUL byte, a lone
surrogate, and a body nested thousands of levels deep. None may end in a 5xx; a refusal of
unstorable text names the field it was in. Run as the clerk and as an official, with real rows
behind the ids, so the requests reach the views rather than stopping at a 404.
"""

import json

import pytest
import yaml
from rest_framework.test import APIClient

from services.applications import workflow
from tests.conftest import licence_file
from tests.helpers import ROOT, token_client

SCHEMA = yaml.safe_load((ROOT / "portal" / "api" / "schema.yaml").read_text())
OPERATIONS = [
    (method, path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in ("get", "post", "put", "patch", "delete")
]
HOSTILE = {"nul": "a\x00b", "surrogate": "a\ud800b"}
DEEP = "[" * 3000 + "]" * 3000


def body_fields(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json") or next(iter(content.values()), {})
    reference = body.get("schema", {}).get("$ref", "")
    component = SCHEMA["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
    return list(component.get("properties", {}))


@pytest.fixture
def ids(world):
    clerk, enterprise = world["clerk"], world["enterprise"]
    submitted = workflow.create_application(clerk, enterprise, world["standard"])
    for material in world["standard"].materials.all():
        workflow.attach_document(clerk, submitted.pk, material.code, licence_file(f"{material.code}.pdf"))
    workflow.submit(clerk, submitted.pk)
    task = submitted.tasks.first()
    return {"id": submitted.pk, "code": "STD", "token_key": "abcdefgh", "notification_id": 1,
            "task": task.pk if task else submitted.pk}


def fill(path: str, ids: dict) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def send(client: APIClient, method: str, url: str, body: str | None):
    call = getattr(client, method)
    if body is None:
        return call(url)
    return call(url, body, content_type="application/json")


@pytest.mark.parametrize("username", ["clerk", "zjw1"])
def test_no_operation_fails_on_nul_surrogate_or_depth(world, ids, username, settings):
    settings.DEBUG = False
    client = token_client(username)
    client.raise_request_exception = False
    failures, unnamed = [], []
    for method, path, operation in OPERATIONS:
        url = fill(path, ids)
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        fields = body_fields(operation) if method in ("post", "put", "patch") else []
        tries: list[tuple[str, str | None, str]] = []
        for kind, text in HOSTILE.items():
            for name in queries:
                escaped = text.encode("utf-8", "surrogatepass").decode("latin-1")
                tries.append((f"{url}?{name}={escaped}", None, name if kind == "nul" else ""))
            for name in fields:
                tries.append((url, json.dumps({name: text}), name))
        if fields:
            tries.append((url, DEEP, ""))
        for target, body, field in tries:
            response = send(client, method, target, body)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {target[:80]} {str(body)[:60]}: {response.status_code}")
            elif field and response.status_code == 400 and response.json().get("field") != field:
                unnamed.append(f"{method.upper()} {target[:80]} {str(body)[:60]}: {response.json()}")
        # An operation that revoked the token in use (logout) gets a fresh one for the next.
        client = token_client(username)
        client.raise_request_exception = False
    assert not failures, "\n".join(failures)
    assert not unnamed, "\n".join(unnamed)
