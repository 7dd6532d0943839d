"""免提交: a material the enterprise already supplied in an earlier application is used again, not uploaded again."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent
from services.applications import workflow
from services.models import Document
from tests.conftest import PDF, VALID_USCCS, licence_file
from tests.helpers import at, messages_of

pytestmark = pytest.mark.django_db


def taken_in(clerk, enterprise, service, official) -> object:
    """An application of `enterprise` with both materials, submitted and accepted by the department."""
    application = workflow.create_application(clerk, enterprise, service)
    for code in ("form", "lease"):
        workflow.attach_document(clerk, application.pk, code, licence_file(f"{code}-{enterprise.pk}.pdf"))
    workflow.submit(clerk, application.pk)
    return workflow.accept(official, application.pk)


@pytest.fixture
def earlier(world):
    """In March the clerk's enterprise filed the standard item; 区住建委 took it in."""
    with at(2026, 3, 2):
        return taken_in(world["clerk"], world["enterprise"], world["standard"], world["officials"]["zjw1"])


@pytest.fixture
def draft_now(world, earlier):
    with at(2026, 11, 30):
        return workflow.create_application(world["clerk"], world["enterprise"], world["deferred"])


def stored_files(private_media) -> list:
    return sorted(path for path in private_media.rglob("*") if path.is_file())


def test_the_api_offers_the_earlier_lease_and_reuses_it_without_a_second_upload(
        world, earlier, draft_now, clerk_api, private_media):
    lease = earlier.documents.get(material__code="lease")
    offered = clerk_api.get(f"/api/v1/applications/{draft_now.pk}/documents/reusable/").json()
    assert {(row["id"], row["material"], row["application"]) for row in offered} == {
        (lease.pk, "lease", earlier.reference), (earlier.documents.get(material__code="form").pk, "form", earlier.reference)}
    files = stored_files(private_media)

    response = clerk_api.post(f"/api/v1/applications/{draft_now.pk}/documents/reuse/", {"document": lease.pk},
                              format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["material"] == "lease" and body["reused_from"] == lease.pk
    assert body["supplied_at"].startswith("2026-03-02")
    reused = Document.objects.get(pk=body["id"])
    assert reused.application == draft_now and reused.file.name == lease.file.name
    assert reused.file.read() == lease.file.read()
    assert stored_files(private_media) == files  # nothing uploaded or copied
    event = AuditEvent.objects.get(action="application.document_reused")
    assert event.target_id == draft_now.pk and event.actor == world["clerk"]
    assert event.data["document"] == lease.pk and event.data["from"] == earlier.reference

    detail = clerk_api.get(f"/api/v1/applications/{draft_now.pk}/").json()
    assert [(d["material"], d["reused_from"]) for d in detail["documents"]] == [("lease", lease.pk)]


def test_a_reused_material_counts_for_the_submission(world, earlier, draft_now):
    for document in earlier.documents.all():
        workflow.reuse_document(world["clerk"], draft_now.pk, document.pk)
    assert workflow.submit(world["clerk"], draft_now.pk).state == "submitted"


def test_reusing_a_reused_document_points_to_the_first_supply(world, earlier, draft_now):
    lease = earlier.documents.get(material__code="lease")
    workflow.reuse_document(world["clerk"], draft_now.pk, lease.pk)
    workflow.reuse_document(world["clerk"], draft_now.pk, earlier.documents.get(material__code="form").pk)
    workflow.submit(world["clerk"], draft_now.pk)
    workflow.accept(world["officials"]["zjw1"], draft_now.pk)
    third = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    again = draft_now.documents.get(material__code="lease")
    assert workflow.reuse_document(world["clerk"], third.pk, again.pk).reused_from == lease


def test_another_enterprises_document_is_refused_with_a_400_and_nothing_changes(
        world, draft_now, clerk_api, make_user, make_enterprise):
    stranger = make_user("stranger")
    firm = make_enterprise(stranger, uscc=VALID_USCCS[0])
    theirs = taken_in(stranger, firm, world["standard"], world["officials"]["zjw1"])
    events = AuditEvent.objects.count()

    response = clerk_api.post(f"/api/v1/applications/{draft_now.pk}/documents/reuse/",
                              {"document": theirs.documents.first().pk}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "document"
    assert not draft_now.documents.exists() and AuditEvent.objects.count() == events
    offered = clerk_api.get(f"/api/v1/applications/{draft_now.pk}/documents/reusable/").json()
    assert theirs.reference not in str(offered)


def test_the_materials_of_an_application_not_taken_in_are_not_offered(world, draft_now, clerk_api):
    unsent = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    workflow.attach_document(world["clerk"], unsent.pk, "lease", licence_file("lease-draft.pdf"))
    refused = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], refused.pk, code, licence_file(f"{code}-refused.pdf"))
    workflow.submit(world["clerk"], refused.pk)
    workflow.refuse(world["officials"]["zjw1"], refused.pk, "不属于本部门职权范围")

    offered = {row["application"] for row in clerk_api.get(
        f"/api/v1/applications/{draft_now.pk}/documents/reusable/").json()}
    assert unsent.reference not in offered and refused.reference not in offered
    for document in (unsent.documents.get(), refused.documents.first()):
        response = clerk_api.post(f"/api/v1/applications/{draft_now.pk}/documents/reuse/",
                                  {"document": document.pk}, format="json")
        assert response.status_code == 400 and response.json()["field"] == "document"
    assert not draft_now.documents.exists()


def test_a_material_the_item_does_not_have_is_refused(world, earlier, draft_now, clerk_api):
    lease = earlier.documents.get(material__code="lease")
    response = clerk_api.post(f"/api/v1/applications/{draft_now.pk}/documents/reuse/",
                              {"document": lease.pk, "material": "floor-plan"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "material"
    assert not draft_now.documents.exists()


def test_nothing_is_reused_into_a_submitted_application(world, earlier, clerk_api):
    submitted = taken_in(world["clerk"], world["enterprise"], world["parallel"], world["officials"]["zjw1"])
    response = clerk_api.post(f"/api/v1/applications/{submitted.pk}/documents/reuse/",
                              {"document": earlier.documents.first().pk}, format="json")
    assert response.status_code == 409
    assert clerk_api.get(f"/api/v1/applications/{submitted.pk}/documents/reusable/").json() == []


def test_the_page_offers_the_earlier_material_with_its_date_and_reuses_it(world, earlier, draft_now):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    lease = earlier.documents.get(material__code="lease")
    page = client.get(f"/applications/{draft_now.pk}/").content.decode()
    offer = page.split('id="reusable"')[1].split("</table>")[0]
    assert earlier.reference in offer and "2026-03-02" in offer and f'value="{lease.pk}"' in offer

    response = client.post(reverse("application_reuse", args=[draft_now.pk]),
                           {"document": lease.pk, "material": "lease"}, follow=True)
    assert messages_of(response) == ["The material supplied before was attached again, without a new upload."]
    reused = draft_now.documents.get()
    assert reused.reused_from == lease
    assert f"supplied in {earlier.reference} on" in response.content.decode()
    download = client.get(f"/applications/{draft_now.pk}/documents/{reused.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_page_refuses_another_enterprises_document_naming_the_field(world, draft_now, make_user, make_enterprise):
    stranger = make_user("stranger")
    firm = make_enterprise(stranger, uscc=VALID_USCCS[0])
    theirs = taken_in(stranger, firm, world["standard"], world["officials"]["zjw1"])
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    response = client.post(reverse("application_reuse", args=[draft_now.pk]),
                           {"document": theirs.documents.first().pk}, follow=True)
    assert [text for text in messages_of(response) if text.startswith("Earlier material: No material")]
    assert not draft_now.documents.exists()
