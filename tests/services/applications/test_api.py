"""The applications and tasks API, as an integrating client and an official use it (DESIGN §5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application
from tests.conftest import VALID_USCCS, licence_file
from tests.helpers import token_client

pytestmark = pytest.mark.django_db




def test_design_walk_through_token_draft_upload_submit_status_events(world, clerk_api):
    response = clerk_api.post(
        "/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk, "form": {"area": 120}},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["reference"].startswith("FT-")
    pk = created["id"]
    assert created["form"] == {"area": 120} and created["service"] == "STD"

    for code in ("form", "lease"):
        response = clerk_api.post(
            f"/api/v1/applications/{pk}/documents/", {"material": code, "file": licence_file(f"{code}.pdf")},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["material"] == code

    response = clerk_api.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"

    status = clerk_api.get(f"/api/v1/applications/{pk}/").json()
    application = Application.objects.get(pk=pk)
    assert status["status"] == "submitted" and status["reference"] == created["reference"]
    assert status["due_date"] == application.acceptance_due.isoformat()
    assert status["tasks"] == [] and status["deferred"] == []
    assert status["dates_provisional"] is False

    events = clerk_api.get(f"/api/v1/applications/{pk}/events/").json()["results"]
    assert [e["action"] for e in events] == [
        "application.created", "application.document_attached", "application.document_attached",
        "application.submitted",
    ]
    assert events[-1]["from_state"] == "draft" and events[-1]["to_state"] == "submitted"
    assert events[-1]["actor"] == "clerk"

    listing = clerk_api.get("/api/v1/applications/", {"status": "submitted", "service": "STD"}).json()
    assert [a["id"] for a in listing["results"]] == [pk] and listing["next"] is None
    assert clerk_api.get("/api/v1/applications/", {"status": "draft"}).json()["results"] == []
    by_reference = clerk_api.get("/api/v1/applications/", {"reference": created["reference"]}).json()
    assert [a["id"] for a in by_reference["results"]] == [pk]


def test_deferred_submission_and_supply_over_the_api(world, draft, clerk_api):
    application = draft("deferred", skip=("lease",))
    response = clerk_api.post(
        f"/api/v1/applications/{application.pk}/submit/",
        {"deferred_materials": ["lease"], "commitment_accepted": True}, format="json",
    )
    assert response.status_code == 200, response.content
    deferred = response.json()["deferred"]
    assert len(deferred) == 1 and deferred[0]["material"] == "lease" and deferred[0]["supplied"] is False

    response = clerk_api.post(
        f"/api/v1/applications/{application.pk}/supply/", {"material": "lease", "file": licence_file("lease.pdf")},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["deferred"][0]["supplied"] is True


def test_the_lead_departments_official_accepts_and_checks_a_deferred_material_over_the_api(world, draft, clerk_api):
    """Before the intake, acceptance (受理) and the check of a supplied material were not in the API."""
    application = draft("deferred", skip=("lease",))
    clerk_api.post(f"/api/v1/applications/{application.pk}/submit/",
                   {"deferred_materials": ["lease"], "commitment_accepted": True}, format="json")
    window, fire = token_client("zjw1"), token_client("xfj1")
    url = f"/api/v1/intake/{application.pk}"

    assert [row["id"] for row in window.get("/api/v1/intake/", {"status": "submitted"}).json()["results"]] == [
        application.pk]
    # Another department's official, and the clerk, do not see it; drafts never show.
    assert fire.get("/api/v1/intake/").json()["results"] == []
    assert clerk_api.get("/api/v1/intake/").json()["results"] == []
    assert fire.post(f"{url}/accept/").status_code == 404
    assert clerk_api.post(f"{url}/accept/").status_code == 404
    draft("standard")
    assert len(window.get("/api/v1/intake/").json()["results"]) == 1

    # A material that is not supplied yet cannot be checked.
    assert window.post(f"{url}/check/", {"material": "lease"}, format="json").status_code == 409
    accepted = window.post(f"{url}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["tasks"][0]["status"] == "open"
    assert window.post(f"{url}/accept/").status_code == 409

    [task] = window.get("/api/v1/tasks/").json()["results"]
    decided = window.post(f"/api/v1/tasks/{task['id']}/decide/", {"decision": "approve"}, format="json")
    assert decided.json()["status"] == "approved_pending_documents"
    clerk_api.post(f"/api/v1/applications/{application.pk}/supply/",
                   {"material": "lease", "file": licence_file("lease.pdf")}, format="multipart")

    unknown = window.post(f"{url}/check/", {"material": "form"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "material"
    assert window.post(f"{url}/check/", {}, format="json").json()["field"] == "material"
    checked = window.post(f"{url}/check/", {"material": "lease"}, format="json")
    assert checked.status_code == 200, checked.content
    assert checked.json()["status"] == "approved" and checked.json()["deferred"][0]["checked_at"]
    assert window.post(f"{url}/check/", {"material": "lease"}, format="json").status_code == 409
    assert list(AuditEvent.objects.filter(target_id=application.pk, action__in=[
        "application.accepted", "application.documents_complete"]).values_list("actor__username", flat=True)) == [
        "zjw1", "zjw1"]


def test_officials_decide_a_standard_application_through_their_task_queue(world, draft, clerk_api):
    zjw1 = world["officials"]["zjw1"]
    application = draft("standard")
    assert clerk_api.post(f"/api/v1/applications/{application.pk}/submit/").status_code == 200
    workflow.accept(zjw1, application.pk)

    window, fire = token_client("zjw1"), token_client("xfj1")
    queue = window.get("/api/v1/tasks/").json()["results"]
    assert [(t["reference"], t["name"]) for t in queue] == [(application.reference, "初审")]
    assert fire.get("/api/v1/tasks/").json()["results"] == []  # the fire step waits for the first
    assert clerk_api.get("/api/v1/tasks/").json()["results"] == []  # a clerk has no queue
    first = queue[0]["id"]

    # Another department's task is not there for this official, and a clerk has no tasks at all.
    assert fire.post(f"/api/v1/tasks/{first}/decide/", {"decision": "approve"}, format="json").status_code == 404
    assert clerk_api.post(f"/api/v1/tasks/{first}/decide/", {"decision": "approve"}, format="json").status_code == 404

    response = window.post(f"/api/v1/tasks/{first}/decide/", {"decision": "approve", "comment": "材料齐全"},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    # Deciding the same task again is an illegal transition, not a 404.
    again = window.post(f"/api/v1/tasks/{first}/decide/", {"decision": "approve"}, format="json")
    assert again.status_code == 409

    second = fire.get("/api/v1/tasks/").json()["results"]
    assert [t["name"] for t in second] == ["消防审查"]
    bad = fire.post(f"/api/v1/tasks/{second[0]['id']}/decide/", {"decision": "reject"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "comment"
    assert fire.post(f"/api/v1/tasks/{second[0]['id']}/decide/", {"decision": "maybe"},
                     format="json").json()["field"] == "decision"
    response = fire.post(f"/api/v1/tasks/{second[0]['id']}/decide/", {"decision": "approve"}, format="json")
    assert response.json()["status"] == "approved"

    status = clerk_api.get(f"/api/v1/applications/{application.pk}/").json()
    assert status["status"] == "approved"
    assert [(t["name"], t["status"]) for t in status["tasks"]] == [("初审", "approved"), ("消防审查", "approved")]
    assert status["tasks"][0]["department"]["code"] == "ZJW"


def test_an_illegal_transition_is_409_and_changes_nothing(world, draft, clerk_api):
    application = draft("standard")
    assert clerk_api.post(f"/api/v1/applications/{application.pk}/submit/").status_code == 200
    events = AuditEvent.objects.filter(target_id=application.pk, target_type="services.application").count()

    for action in ("submit", "resubmit"):
        response = clerk_api.post(f"/api/v1/applications/{application.pk}/{action}/", {}, format="json")
        assert response.status_code == 409, action
        assert response.json()["code"] == "illegal_transition" and response.json()["state"] == "submitted"
    response = clerk_api.post(
        f"/api/v1/applications/{application.pk}/documents/", {"material": "form", "file": licence_file()},
        format="multipart",
    )
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == "submitted" and application.documents.count() == 2
    assert AuditEvent.objects.filter(target_id=application.pk, target_type="services.application").count() == events


def test_bad_input_is_400_naming_the_field(world, draft, clerk_api, make_user, make_enterprise):
    application = draft("standard", skip=("lease",))
    response = clerk_api.post(
        f"/api/v1/applications/{application.pk}/documents/", {"material": "nope", "file": licence_file()},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["field"] == "material"
    response = clerk_api.post(
        f"/api/v1/applications/{application.pk}/documents/", {"material": "lease", "file": licence_file("a.exe")},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["field"] == "file"

    response = clerk_api.post(f"/api/v1/applications/{application.pk}/submit/", {}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "materials"
    assert "租赁合同" in response.json()["message"]
    response = clerk_api.post(f"/api/v1/applications/{application.pk}/submit/",
                              {"deferred_materials": ["lease"], "commitment_accepted": True}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "deferred_materials"
    assert Application.objects.get(pk=application.pk).state == "draft"

    response = clerk_api.post("/api/v1/applications/", {"service": "NOPE", "enterprise": world["enterprise"].pk},
                              format="json")
    assert response.status_code == 400 and response.json()["field"] == "service"

    # Another enterprise reads exactly like one that does not exist.
    stranger = make_user("stranger")
    theirs = make_enterprise(stranger, uscc=VALID_USCCS[0])
    foreign = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": theirs.pk}, format="json")
    missing = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": 999999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json() and foreign.json()["field"] == "enterprise"
    assert not Application.objects.filter(enterprise=theirs).exists()


def test_another_tenants_application_is_404_on_every_url(world, draft, make_user, make_enterprise):
    application = draft("deferred", skip=("lease",))
    workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    outsider = make_user("outsider")
    make_enterprise(outsider, uscc=VALID_USCCS[0])
    client = token_client("outsider")

    base = f"/api/v1/applications/{application.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/events/").status_code == 404
    for action, data, fmt in [
        ("documents", {"material": "form", "file": licence_file()}, "multipart"),
        ("submit", {"commitment_accepted": True}, "json"),
        ("resubmit", {}, "json"),
        ("withdraw", {"reason": "x"}, "json"),
        ("supply", {"material": "lease", "file": licence_file()}, "multipart"),
    ]:
        response = client.post(f"{base}/{action}/", data, format=fmt)
        assert response.status_code == 404, action
        assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/applications/").json()["results"] == []
    assert client.get("/api/v1/applications/", {"reference": application.reference}).json()["results"] == []
    application.refresh_from_db()
    assert application.state == "submitted" and application.deferred.get().supplied_at is None


def test_the_list_runs_the_same_number_of_queries_for_1_and_5_applications(world, draft, clerk_api):
    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = clerk_api.get("/api/v1/applications/")
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    first = draft("standard")
    workflow.submit(world["clerk"], first.pk)
    workflow.accept(world["officials"]["zjw1"], first.pk)
    one, listed = count_queries()
    assert listed == 1
    for mode in ("deferred", "parallel", "commitment", "standard"):
        application = draft(mode, skip=("lease",) if mode == "deferred" else ())
        workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"] if mode == "deferred" else [],
                        commitment_accepted=mode in ("deferred", "commitment"))
    workflow.accept(world["officials"]["zjw1"], Application.objects.get(service__code="PAR").pk)
    five, listed = count_queries()
    assert listed == 5
    assert five == one


def test_the_openapi_schema_describes_the_custom_actions(world, clerk_api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    submit = schema["paths"]["/api/v1/applications/{id}/submit/"]["post"]
    assert "#/components/schemas/SubmitRequest'" in str(submit["requestBody"])
    assert "#/components/schemas/Application'" in str(submit["responses"]["200"])
    assert set(schema["components"]["schemas"]["SubmitRequest"]["properties"]) == {"deferred_materials",
                                                                                   "commitment_accepted"}
    decide = schema["paths"]["/api/v1/tasks/{id}/decide/"]["post"]
    assert "#/components/schemas/DecideRequest'" in str(decide["requestBody"])
    upload = schema["paths"]["/api/v1/applications/{id}/documents/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data", "application/x-www-form-urlencoded"]
    assert schema["components"]["schemas"]["Application"]["properties"]["due_date"]["format"] == "date"


def test_a_form_that_is_not_an_object_is_400_naming_the_field(world, clerk_api):
    response = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                        "form": ["a"]}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "form"
    assert not Application.objects.exists()
