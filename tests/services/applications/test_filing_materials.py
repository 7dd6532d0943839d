"""The clerk attaches several files at once, and removes or replaces a wrong one while it may still change.

A refused file is named with its reason and stores nothing; the good ones are kept. A removed or
replaced file leaves the list but stays in the timeline and the audit trail, with its digest.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.core.audit import events_of
from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.models import Document
from tests.conftest import licence_file
from tests.helpers import messages_of, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


def fake_pdf(name: str = "virus.pdf") -> SimpleUploadedFile:
    """An executable named like a PDF: the content check refuses it."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def stored_files(settings) -> list[str]:
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(path.name for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_several_files_in_one_go_the_bad_one_refused_and_named_the_good_ones_kept(world, clerk_page, settings):
    application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    before = stored_files(settings)
    response = clerk_page.post(reverse("filing_materials", args=[application.pk]), {
        "material": "lease",
        "files": [SimpleUploadedFile("page-1.pdf", pdf_bytes("1")), fake_pdf(),
                  SimpleUploadedFile("page-2.pdf", pdf_bytes("2"))],
    }, follow=True)
    assert sorted(d.original_name for d in application.documents.all()) == ["page-1.pdf", "page-2.pdf"]
    told = messages_of(response)
    assert "2 files were attached." in told
    assert any(text.startswith("“virus.pdf” was not attached:") for text in told)
    # Nothing of the refused file was stored: two new files on the disk, both of the kept documents.
    assert len(stored_files(settings)) == len(before) + 2
    assert response.redirect_chain[-1][0].endswith("#material-lease")


def test_the_script_gets_each_file_s_outcome_as_json(world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    url = reverse("filing_materials", args=[application.pk])
    kept = clerk_page.post(url, {"material": "form", "files": [licence_file("form.pdf")]},
                           headers={"x-requested-with": "XMLHttpRequest"})
    assert kept.status_code == 200 and kept.json()["accepted"][0]["name"] == "form.pdf"
    refused = clerk_page.post(url, {"material": "form", "files": [fake_pdf()]},
                              headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert refused["accepted"] == [] and refused["refused"][0]["name"] == "virus.pdf"
    assert refused["refused"][0]["reasons"]


def test_the_materials_page_works_without_script_and_marks_progress_for_screen_readers(world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    html = clerk_page.get(reverse("filing_materials", args=[application.pk])).content.decode()
    assert 'type="file" name="files" multiple' in html and 'enctype="multipart/form-data"' in html
    assert 'aria-live="polite"' in html and "portal/upload.js" in html
    assert "<script>" not in html and "onclick" not in html


def test_a_wrong_file_is_replaced_in_a_draft_and_the_old_one_stays_in_the_timeline(world, clerk_page, draft):
    application = draft("standard")
    lease = application.documents.get(material__code="lease")
    response = clerk_page.post(reverse("filing_document_replace", args=[application.pk, lease.pk]),
                               {"file": licence_file("lease-signed.pdf")}, follow=True)
    assert "The file was replaced by “lease-signed.pdf”." in messages_of(response)
    assert [d.original_name for d in application.documents.filter(material__code="lease")] == ["lease-signed.pdf"]
    old = Document.all_objects.get(pk=lease.pk)
    assert old.removed_at is not None and old.file  # kept for the record, out of the list
    event = events_of(application).get(action="application.document_replaced")
    assert event.data["name"] == "lease.pdf" and event.data["new_name"] == "lease-signed.pdf"
    assert len(event.data["sm3"]) == 64
    timeline = clerk_page.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "Material replaced by a new file" in timeline


def test_a_file_is_removed_in_a_draft(world, clerk_page, draft):
    application = draft("standard")
    form = application.documents.get(material__code="form")
    response = clerk_page.post(reverse("filing_document_remove", args=[application.pk, form.pk]), follow=True)
    assert "“form.pdf” was removed." in messages_of(response)
    assert not application.documents.filter(material__code="form").exists()
    assert events_of(application).filter(action="application.document_removed", data__document=form.pk).exists()
    # Gone from the list, the material is missing again.
    review = clerk_page.get(reverse("filing_review", args=[application.pk]))
    assert [item["label"] for item in review.context["missing"]] == ["申请表"]


def test_a_file_is_replaced_under_correction(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.request_correction(world["officials"]["zjw1"], application.pk, ["申请表未盖章"])
    form = application.documents.get(material__code="form")
    new = workflow.replace_document(world["clerk"], application.pk, form.pk, licence_file("stamped.pdf"))
    assert [d.pk for d in application.documents.filter(material__code="form")] == [new.pk]
    removed = workflow.remove_document(world["clerk"], application.pk, new.pk)
    assert removed.pk == new.pk and not application.documents.filter(material__code="form").exists()


def test_after_submission_a_file_can_no_longer_be_removed_or_replaced(world, clerk_page, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    lease = application.documents.get(material__code="lease")
    with pytest.raises(IllegalTransition, match="only in a draft or an application under correction"):
        workflow.remove_document(world["clerk"], application.pk, lease.pk)
    response = clerk_page.post(reverse("filing_document_replace", args=[application.pk, lease.pk]),
                               {"file": licence_file("other.pdf")}, follow=True)
    assert any("can be removed or replaced only in a draft" in text for text in messages_of(response))
    assert [d.pk for d in application.documents.filter(material__code="lease")] == [lease.pk]
    assert not events_of(application).filter(action__in=["application.document_removed",
                                                         "application.document_replaced"]).exists()


def test_a_refused_replacement_changes_nothing(world, draft):
    application = draft("standard")
    lease = application.documents.get(material__code="lease")
    with pytest.raises(ValidationError):
        workflow.replace_document(world["clerk"], application.pk, lease.pk, fake_pdf())
    assert application.documents.get(material__code="lease").pk == lease.pk


def test_another_enterprise_cannot_remove_a_file(world, draft, make_user):
    application = draft("standard")
    lease = application.documents.get(material__code="lease")
    stranger = Client()
    stranger.force_login(make_user("stranger"))
    assert stranger.post(reverse("filing_document_remove", args=[application.pk, lease.pk])).status_code == 404
    assert application.documents.filter(pk=lease.pk).exists()


# --- the API --------------------------------------------------------------------------------


def test_the_api_removes_and_replaces_a_file(world, draft, api):
    application = draft("standard")
    api.force_authenticate(world["clerk"])
    lease = application.documents.get(material__code="lease")
    base = f"/api/v1/applications/{application.pk}/documents/"
    replaced = api.post(f"{base}{lease.pk}/replace/", {"file": licence_file("lease-2.pdf")}, format="multipart")
    assert replaced.status_code == 201 and replaced.json()["original_name"] == "lease-2.pdf"
    assert api.delete(f"{base}{replaced.json()['id']}/").status_code == 204
    assert not application.documents.filter(material__code="lease").exists()
    unknown = api.delete(f"{base}{lease.pk}/")  # already replaced: no longer in the list
    assert unknown.status_code == 400 and unknown.json()["field"] == "document"


def test_the_api_refuses_removal_after_submission_with_409(world, draft, api):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    api.force_authenticate(world["clerk"])
    lease = application.documents.get(material__code="lease")
    response = api.delete(f"/api/v1/applications/{application.pk}/documents/{lease.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
