"""English content: a reader in English gets the catalogue's texts in English where they are entered,
the Chinese with a visible “中文” mark where they are not; a reader in Chinese never sees the mark.
The admin edits both versions; the catalogue's API gives both, as it gives `name` and `name_en`."""

import re

import pytest
from django.utils import translation

from portal.core.bilingual import localised, marked, shown
from services.applications import workflow
from services.catalogue.demo import seed_catalogue
from services.models import Application, MaterialRequirement, ReviewStep, ServiceItem
from tests.services.catalogue.test_catalogue import admin_form

MARK = "Not yet translated"


def english(client, url: str) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def chinese(client, url: str) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def untranslated_spans(html: str) -> list[str]:
    """The Chinese texts an English page shows marked, as the page writes them."""
    return re.findall(r'<span lang="zh-Hans">(.*?)</span>', html)


# --- the one helper ----------------------------------------------------------------------------


def test_the_helper_chooses_the_english_and_marks_only_a_fallback_for_an_english_reader():
    with translation.override("zh-hans"):
        assert shown("申请表", "Application form") == "申请表"
        assert not shown("申请表", "").untranslated
        assert "中文" not in marked(shown("申请表", ""))
    with translation.override("en"):
        assert shown("申请表", "Application form") == "Application form"
        assert not shown("申请表", "Application form").untranslated
        fallback = shown("申请表", "  ")
        assert fallback == "申请表" and fallback.untranslated
        html = marked(fallback)
        assert '<span lang="zh-Hans">申请表</span>' in html
        assert 'role="img"' in html and f'aria-label="{MARK}"' in html and ">中文</span>" in html
        assert not shown("", "").untranslated and marked(shown("", "")) == ""
        assert marked(shown("<b>", "")).count("&lt;b&gt;") == 1  # escaped, whichever language
        assert str(marked(shown("一\n\n二", ""), "paragraphs")).endswith(
            '<div lang="zh-Hans"><p>一</p>\n\n<p>二</p></div></div>')
        assert marked(shown("一\n二", "one\ntwo"), "lines") == "one<br>two"


# --- the guide ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(all_departments) -> list[ServiceItem]:
    return seed_catalogue()


def test_an_english_reader_reads_the_guide_in_english(client, catalogue):
    item = ServiceItem.objects.get(code="FT-RC-0002")  # deferred: it has a commitment
    html = english(client, f"/services/{item.code}/")
    assert "Rental subsidy for talent housing" in html
    assert "A monthly rental subsidy for recognised talent" in html and "[Demonstration data]" in html
    assert "Neither the applicant nor their spouse or minor children own housing in Beijing" in html
    assert "Proof that the applicant and their spouse own no housing in Beijing" in html
    assert "Check of the housing situation" in html
    assert "Our organisation and the applicant solemnly undertake" in html
    for chinese_text in (item.description, item.conditions.splitlines()[0], item.commitment_text[:20],
                         "申请人及配偶在京无房证明", "住房情况核查"):
        assert chinese_text not in html
    assert MARK not in html


def test_the_guide_shows_the_chinese_marked_where_no_english_is_entered(client, catalogue):
    item = ServiceItem.objects.get(code="FT-RC-0002")
    ServiceItem.objects.filter(pk=item.pk).update(description_en="", conditions_en="", commitment_text_en="")
    MaterialRequirement.objects.filter(service=item, code="no-housing").update(name_en="")
    ReviewStep.objects.filter(service=item, name="住房情况核查").update(name_en="")

    html = english(client, f"/services/{item.code}/")
    assert html.count(f'aria-label="{MARK}"') == 5
    description = re.search(r'<div id="description">(.*?)</div>\s*<h2', html, re.S).group(1)
    assert '<div lang="zh-Hans"><p>【示例数据】' in description and MARK in description
    assert "&lt;" not in html
    conditions = re.search(r'<div id="conditions">(.*?)</div>\s*<h2', html, re.S).group(1)
    assert '<div lang="zh-Hans">' in conditions and "在本区租赁住房" in conditions
    commitment = re.search(r'<blockquote id="commitment"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    assert '<span lang="zh-Hans">本单位及申请人郑重承诺' in commitment and MARK in commitment
    assert "申请人及配偶在京无房证明" in untranslated_spans(html) and "住房情况核查" in untranslated_spans(html)
    # What has its English still reads in English, unmarked.
    assert "Proof of rent paid, or invoices" in html and "Acceptance and eligibility check" in html

    html = chinese(client, f"/services/{item.code}/")
    assert "申请人及配偶在京无房证明" in html and "本单位及申请人郑重承诺" in html
    assert MARK not in html and "untranslated" not in html


def test_the_catalogue_list_marks_a_name_without_english(client, catalogue):
    ServiceItem.objects.filter(code="FT-RC-0001").update(name_en="")
    html = english(client, "/services/")
    assert '<span lang="zh-Hans">人才引进落户</span>' in html and MARK in html
    assert "Rental subsidy for talent housing" in html
    assert MARK not in chinese(client, "/services/")


# --- the application page ----------------------------------------------------------------------


@pytest.fixture
def english_world(world):
    """The world's items with English texts, but the lease contract and the fire review left untranslated."""
    for mode in ("standard", "deferred", "commitment"):
        ServiceItem.objects.filter(pk=world[mode].pk).update(
            commitment_text_en="We undertake that the information given is true and valid.")
    MaterialRequirement.objects.filter(code="form").update(name_en="Application form")
    ReviewStep.objects.filter(name="初审").update(name_en="First review")
    return world


def test_an_english_reader_reads_materials_steps_and_commitment_on_the_application_page(
    client, english_world, draft,
):
    world = english_world
    application = draft("standard")
    client.force_login(world["clerk"])
    url = f"/applications/{application.pk}/"
    html = english(client, url)
    assert "Application form" in html and "申请表" not in html
    assert "租赁合同" in untranslated_spans(html)
    assert MARK in html
    assert MARK not in chinese(client, url)

    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    html = english(client, url)
    assert "First review" in html and "初审" not in html
    assert "消防审查" in untranslated_spans(html)
    html = chinese(client, url)
    assert "初审" in html and "消防审查" in html and MARK not in html


def test_the_commitment_is_read_and_signed_in_the_readers_language(client, english_world, draft):
    world = english_world
    application = draft("commitment")
    client.force_login(world["clerk"])
    url = f"/applications/{application.pk}/"
    html = english(client, url)
    signing = re.search(r'<blockquote id="commitment-text"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    assert signing == "We undertake that the information given is true and valid."
    assert "本单位承诺所填信息真实有效" in chinese(client, url)

    response = client.post(f"/applications/{application.pk}/submit/", {"commitment_accepted": "on"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "approved"
    # What the applicant read is what is stored and what the digest covers.
    assert application.commitment.text == "We undertake that the information given is true and valid."


def test_a_commitment_without_english_is_shown_marked_and_signed_as_shown(client, world, draft):
    application = draft("commitment")
    client.force_login(world["clerk"])
    html = english(client, f"/applications/{application.pk}/")
    signing = re.search(r'<blockquote id="commitment-text"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    assert '<span lang="zh-Hans">本单位承诺所填信息真实有效。</span>' in signing and MARK in signing
    with translation.override("en"):
        assert localised(world["commitment"], "commitment_text").untranslated


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_edits_the_chinese_and_the_english_side_by_side(client, superuser, all_departments):
    client.force_login(superuser)
    data = admin_form(all_departments, **{
        "description": "说明", "description_en": "What it is",
        "conditions": "1. 条件", "conditions_en": "1. A condition",
        "approval_mode": "commitment", "commitment_text": "本单位承诺。", "commitment_text_en": "We commit.",
        "materials-TOTAL_FORMS": "1", "materials-0-code": "licence", "materials-0-name": "营业执照",
        "materials-0-name_en": "Business licence", "materials-0-required": "on", "materials-0-essential": "on",
        "review_steps-TOTAL_FORMS": "1", "review_steps-0-order": "1", "review_steps-0-name": "审查",
        "review_steps-0-name_en": "Review", "review_steps-0-department": all_departments["KXJ"].pk,
    })
    response = client.post("/admin/services/serviceitem/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = ServiceItem.objects.get(code="FT-TEST-0001")
    assert (item.description_en, item.conditions_en, item.commitment_text_en) == (
        "What it is", "1. A condition", "We commit.")
    assert item.materials.get().name_en == "Business licence" and item.review_steps.get().name_en == "Review"

    html = client.get(f"/admin/services/serviceitem/{item.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("description", "conditions", "commitment_text"):
        # One row of the fieldset holds the Chinese and its English.
        row = re.search(rf'<div class="form-row[^"]*field-{name}[^"]*field-{name}_en', html)
        assert row, name
    assert 'name="materials-0-name_en"' in html and 'name="review_steps-0-name_en"' in html


# --- the API -----------------------------------------------------------------------------------


def test_the_catalogue_api_gives_each_text_in_both_languages(api, catalogue):
    row = api.get("/api/v1/services/FT-RC-0002/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["conditions"].startswith("1. 申请人经认定") and row["conditions_en"].startswith("1. The applicant")
    assert row["commitment_text_en"].startswith("Our organisation and the applicant")
    material = next(m for m in row["materials"] if m["code"] == "no-housing")
    assert material["name"] == "申请人及配偶在京无房证明"
    assert material["name_en"] == "Proof that the applicant and their spouse own no housing in Beijing"
    assert [step["name_en"] for step in row["review_steps"]] == [
        "Acceptance and eligibility check", "Check of the housing situation"]


# --- the demo data -----------------------------------------------------------------------------


def test_every_text_of_the_demo_catalogue_has_its_english(catalogue):
    for item in catalogue:
        assert item.name_en and item.description_en.startswith("[Demonstration data]"), item.code
        assert item.conditions_en.count("\n") == item.conditions.count("\n"), item.code
        assert bool(item.commitment_text) == bool(item.commitment_text_en), item.code
        assert item.legal_basis_en, item.code
        assert not item.materials.filter(name_en="").exists(), item.code
        assert not item.review_steps.filter(name_en="").exists(), item.code
        assert not item.form_fields.filter(label_en="").exists(), item.code
    assert not Application.objects.exists()


def test_a_submission_refused_for_a_missing_material_names_it_in_the_readers_language(english_world, draft):
    from django.core.exceptions import ValidationError

    from services.models import Document

    world = english_world
    application = draft("standard")
    Document.objects.filter(application=application, material__code="form").delete()
    for language, name in (("en", "Application form"), ("zh-hans", "申请表")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            workflow.submit(world["clerk"], application.pk)
        assert name in refused.value.message_dict["materials"][0]
    assert Application.objects.get(pk=application.pk).state == "draft"
