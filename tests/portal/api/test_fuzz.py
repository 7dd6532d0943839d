"""Fuzzing the API with schemathesis against the live schema (/api/schema/): no 5xx, no schema violations.

Every operation of the schema is run with a bounded number of generated requests, once as a clerk
(a member of a verified enterprise that has a draft application, a submitted one and a talent) and
once as an official of a department that has an open task. Nothing is excluded: each operation gets
fresh data and a fresh token, so `POST /auth/logout/` or `DELETE /auth/tokens/{token_key}/` revoking
the token in use only turns that operation's later examples into documented 401s.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.applications import workflow
from services.models import Task
from tests.conftest import licence_file
from tests.helpers import token_of

application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The documented examples and `MAX_EXAMPLES` generated requests per operation. The coverage phase
# (every boundary value of every parameter, unbounded in number) is left out to keep the run short.
schema.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 15


@pytest.fixture
def fuzz_world(world, make_talent):
    """The clerk's world with something behind most ids: two applications, a task, a talent."""
    clerk, enterprise = world["clerk"], world["enterprise"]
    draft = workflow.create_application(clerk, enterprise, world["standard"], {"area": 120})
    submitted = workflow.create_application(clerk, enterprise, world["standard"])
    for material in world["standard"].materials.all():
        workflow.attach_document(clerk, draft.pk, material.code, licence_file(f"{material.code}.pdf"))
        workflow.attach_document(clerk, submitted.pk, material.code, licence_file(f"{material.code}.pdf"))
    workflow.submit(clerk, submitted.pk)
    workflow.accept(world["officials"]["zjw1"], submitted.pk)
    talent = make_talent(enterprise)
    return {
        **world,
        "ids": {
            "clerk": {"applications": draft.pk, "enterprises": enterprise.pk, "talents": talent.pk,
                      "services": "STD", "tasks": Task.objects.filter(application=submitted).first().pk},
            "zjw1": {"applications": submitted.pk, "enterprises": enterprise.pk, "talents": talent.pk,
                     "services": "STD", "tasks": Task.objects.filter(application=submitted).first().pk},
        },
    }


def aim_at_real_rows(case, ids: dict) -> None:
    """Point about half of the generated ids at the fixture's rows (random ids are nearly always 404).

    A resource without one here (webhooks, notifications, policies, tokens) keeps its generated id.
    """
    resource = case.path.split("/")[3]
    for name, value in (case.path_parameters or {}).items():
        if name in ("id", "code") and resource in ids and len(str(value)) % 2 == 0:
            case.path_parameters[name] = ids[resource]


@pytest.fixture
def auth_headers(fuzz_world, role) -> dict[str, str]:
    """A knox token of the role's user, obtained as an integrator would."""
    return {"Authorization": f"Token {token_of(role)}"}


# Committed transactions (the app runs as under a server); sequences restart so that the small ids
# the generator favours find the fixture's rows.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("role", ["clerk", "zjw1"])
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_fuzz(case, role, auth_headers, fuzz_world):
    aim_at_real_rows(case, fuzz_world["ids"][role])
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
