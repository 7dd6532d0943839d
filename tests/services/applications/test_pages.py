"""The clerk's application pages, as user stories: start, attach, submit, follow, defer, commit."""

import pytest
from django.contrib.messages import constants
from django.test import Client

from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application, DeferredMaterial, Document
from tests.conftest import VALID_USCCS, licence_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(world):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


def errors_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == constants.ERROR]


def events_count(application) -> int:
    return AuditEvent.objects.filter(target_type="services.application", target_id=application.pk).count()


def test_clerk_creates_a_draft_attaches_both_materials_submits_and_follows_the_timeline(world, clerk_client):
    page = clerk_client.get("/applications/new/?service=STD")
    assert page.status_code == 200
    assert 'for="id_enterprise"' in page.content.decode()

    response = clerk_client.post("/applications/new/", {"service": "STD", "enterprise": world["enterprise"].pk})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    assert application.state == "draft" and application.reference.startswith("FT-")

    for code in ("form", "lease"):
        response = clerk_client.post(
            f"/applications/{application.pk}/documents/", {"material": code, "file": licence_file(f"{code}.pdf")},
            follow=True,
        )
        assert errors_of(response) == []
    assert sorted(application.documents.values_list("material__code", flat=True)) == ["form", "lease"]

    response = clerk_client.post(f"/applications/{application.pk}/submit/", follow=True)
    assert errors_of(response) == []
    application.refresh_from_db()
    assert application.state == "submitted"
    html = response.content.decode()
    assert '<span class="status" id="application-status">Submitted</span>' in html
    assert str(application.acceptance_due) in html or application.acceptance_due.strftime("%b") in html
    timeline = html.split('id="timeline"')[1]
    assert "Draft created" in timeline and "Material uploaded" in timeline
    assert "Draft → Submitted" in timeline

    listing = clerk_client.get("/applications/").content.decode()
    assert application.reference in listing and "Submitted" in listing

    document = application.documents.first()
    download = clerk_client.get(f"/applications/{application.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_deferred_mode_submit_without_the_lease_on_commitment_then_supply_it(world, draft, clerk_client):
    application = draft("deferred", skip=("lease",))
    page = clerk_client.get(f"/applications/{application.pk}/").content.decode()
    assert 'name="deferred_materials" value="lease"' in page
    assert 'for="defer-lease"' in page and 'for="commitment-accepted"' in page

    # Deferring without signing is refused, naming the commitment.
    response = clerk_client.post(
        f"/applications/{application.pk}/submit/", {"deferred_materials": ["lease"]}, follow=True
    )
    assert any(message.startswith("Commitment:") for message in errors_of(response))
    assert Application.objects.get(pk=application.pk).state == "draft"

    response = clerk_client.post(
        f"/applications/{application.pk}/submit/",
        {"deferred_materials": ["lease"], "commitment_accepted": "on"}, follow=True,
    )
    assert errors_of(response) == []
    application.refresh_from_db()
    assert application.state == "submitted"
    deferred = DeferredMaterial.objects.get(application=application)
    assert deferred.material.code == "lease" and deferred.supplied_at is None
    html = response.content.decode()
    assert "Materials supplied later" in html and str(deferred.due_date.year) in html
    assert application.commitment.text == "本单位承诺所填信息真实有效。"

    response = clerk_client.post(
        f"/applications/{application.pk}/supply/", {"material": "lease", "file": licence_file("lease.pdf")},
        follow=True,
    )
    assert errors_of(response) == []
    deferred.refresh_from_db()
    assert deferred.supplied_at is not None
    assert Document.objects.filter(application=application, material__code="lease").exists()


def test_commitment_mode_shows_the_text_verbatim_and_approves_on_the_spot(world, draft, clerk_client):
    application = draft("commitment")
    page = clerk_client.get(f"/applications/{application.pk}/").content.decode()
    assert "本单位承诺所填信息真实有效。" in page
    assert 'id="commitment-accepted" name="commitment_accepted"' in page

    response = clerk_client.post(f"/applications/{application.pk}/submit/", {"commitment_accepted": "on"}, follow=True)
    assert errors_of(response) == []
    application.refresh_from_db()
    assert application.state == "approved"
    html = response.content.decode()
    assert "Signed commitment" in html and application.commitment.digest in html


def test_a_bad_action_shows_an_error_and_changes_nothing(world, draft, clerk_client):
    application = draft("standard")
    clerk_client.post(f"/applications/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.state == "submitted"
    before = events_count(application), application.acceptance_due

    response = clerk_client.post(f"/applications/{application.pk}/submit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/applications/{application.pk}/"
    errors = errors_of(response)
    assert len(errors) == 1 and "submit" in errors[0] and "Submitted" in errors[0]
    application.refresh_from_db()
    assert application.state == "submitted"
    assert (events_count(application), application.acceptance_due) == before

    # A material for a code the item does not have is refused, naming the field.
    other = draft("standard", skip=("lease",))
    response = clerk_client.post(
        f"/applications/{other.pk}/documents/", {"material": "nope", "file": licence_file()}, follow=True
    )
    assert any(message.startswith("Material:") for message in errors_of(response))
    # Submitting with a missing material names the materials.
    response = clerk_client.post(f"/applications/{other.pk}/submit/", follow=True)
    assert any(message.startswith("Materials:") and "租赁合同" in message for message in errors_of(response))
    assert Application.objects.get(pk=other.pk).state == "draft"


def test_an_outsider_gets_404_everywhere(world, draft, make_user, make_enterprise):
    application = draft("deferred", skip=("lease",))
    document = application.documents.first()
    outsider = make_user("outsider")
    make_enterprise(outsider, uscc=VALID_USCCS[0])
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/applications/{application.pk}/").status_code == 404
    assert client.get(f"/applications/{application.pk}/documents/{document.pk}/").status_code == 404
    for action, data in [
        ("documents", {"material": "form", "file": licence_file()}),
        ("submit", {"deferred_materials": ["lease"], "commitment_accepted": "on"}),
        ("resubmit", {}),
        ("withdraw", {"reason": "x"}),
        ("supply", {"material": "lease", "file": licence_file()}),
    ]:
        assert client.post(f"/applications/{application.pk}/{action}/", data).status_code == 404, action
    assert application.reference not in client.get("/applications/").content.decode()
    # Nor can the outsider file for someone else's enterprise.
    response = client.post("/applications/new/", {"service": "STD", "enterprise": world["enterprise"].pk})
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    application.refresh_from_db()
    assert application.state == "draft" and application.documents.count() == 1


def test_the_status_page_lists_correction_items_and_resubmission(world, draft, clerk_client):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.request_correction(world["officials"]["zjw1"], application.pk, ["申请表缺少盖章", "租赁合同页码不全"])
    html = clerk_client.get(f"/applications/{application.pk}/").content.decode()
    assert "<li>申请表缺少盖章</li>" in html and "<li>租赁合同页码不全</li>" in html
    assert f"/applications/{application.pk}/resubmit/" in html

    response = clerk_client.post(f"/applications/{application.pk}/resubmit/", follow=True)
    assert errors_of(response) == []
    assert Application.objects.get(pk=application.pk).state == "submitted"
