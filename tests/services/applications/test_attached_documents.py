"""An integrating client reads which materials are attached, to know what is still missing."""

import pytest

from tests.conftest import PDF, licence_file

pytestmark = pytest.mark.django_db


def test_the_application_lists_its_documents_so_a_client_knows_what_is_missing(world, clerk_api):
    pk = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                  "form": {}}, format="json").json()["id"]
    assert clerk_api.get(f"/api/v1/applications/{pk}/").json()["documents"] == []

    clerk_api.post(f"/api/v1/applications/{pk}/documents/", {"material": "form", "file": licence_file("申请表.pdf")},
                   format="multipart")
    detail = clerk_api.get(f"/api/v1/applications/{pk}/").json()

    assert [(d["material"], d["name"], d["size"]) for d in detail["documents"]] == [("form", "申请表.pdf", len(PDF))]
    assert detail["documents"][0]["uploaded_at"]
    required = {m["code"] for m in clerk_api.get("/api/v1/services/STD/").json()["materials"] if m["required"]}
    assert required - {d["material"] for d in detail["documents"]} == {"lease"}


def test_another_enterprises_clerk_sees_no_documents(world, clerk_api, make_user, api):
    pk = clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                  "form": {}}, format="json").json()["id"]
    api.force_authenticate(make_user("stranger"))
    assert api.get(f"/api/v1/applications/{pk}/").status_code == 404
