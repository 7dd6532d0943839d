"""The talent policies in English: their names, descriptions, conditions and benefits on the talent's
page, the policy's guide and the API, with the Chinese marked where no English is entered."""

import datetime
import re

import pytest
import time_machine

from portal.management.commands.seed_demo import DEPARTMENTS
from services.models import Department, MaterialRequirement, ServiceItem
from talent.demo import seed_talent_policies
from talent.models import TalentPolicy

MARK = "Not yet translated"


@pytest.fixture
def measures(db) -> list[TalentPolicy]:
    for code, name, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0), tick=False):
        return seed_talent_policies()


def row_of(html: str, code: str) -> str:
    return re.search(rf'<tr id="policy-{code}">(.*?)</tr>', html, re.S).group(1)


@pytest.fixture
def talent_page(client, alice, alices_enterprise, make_talent):
    client.force_login(alice)
    talent = make_talent(alices_enterprise)
    return lambda language: client.get(f"/talent/{talent.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_every_text_of_the_demo_measures_has_its_english(measures):
    assert len(measures) == 10
    for policy in measures:
        service = policy.service
        assert policy.benefit_description_en, service.code
        assert service.description_en.startswith("[Demonstration content]"), service.code
        assert service.conditions_en.count("\n") == service.conditions.count("\n"), service.code
        assert bool(service.commitment_text) == bool(service.commitment_text_en), service.code
        assert not service.materials.filter(name_en="").exists(), service.code
        assert not service.review_steps.filter(name_en="").exists(), service.code


def test_an_english_reader_reads_the_policies_in_english_on_the_talent_page(measures, talent_page):
    html = talent_page("en")
    row = row_of(html, "FC-02")
    assert "Housing subsidy for talent" in row
    assert "CNY 5,000 a month, granted once a year as CNY 60,000" in row
    assert "人才住房补贴" not in row and "每月5000元" not in row
    assert MARK not in html

    row = row_of(talent_page("zh-hans"), "FC-02")
    assert "人才住房补贴" in row and "每月5000元" in row and MARK not in row


def test_a_policy_without_english_shows_its_chinese_marked_to_an_english_reader_only(measures, talent_page):
    policy = TalentPolicy.objects.get(service__code="FC-03")
    TalentPolicy.objects.filter(pk=policy.pk).update(benefit_description_en="")
    ServiceItem.objects.filter(pk=policy.service_id).update(name_en="")

    row = row_of(talent_page("en"), "FC-03")
    assert '<span lang="zh-Hans">人才公寓</span>' in row
    assert '<span lang="zh-Hans">配租人才公寓一套' in row
    assert row.count(f'aria-label="{MARK}"') == 2
    assert MARK not in talent_page("zh-hans")


def test_the_policys_guide_gives_its_description_conditions_and_materials_in_english(client, measures):
    html = client.get("/services/FC-06/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Medical green channel for talent" in html
    assert "A green channel at the district&#x27;s hospitals for high-level talent" in html
    assert "1. The talent is recognised as tier A or B talent;" in html
    assert "Our organisation undertakes that the person declared is tier A or B talent" in html
    assert "Proof of the talent&#x27;s recognised tier" in html
    assert MARK not in html and "人才层次认定证明" not in html

    MaterialRequirement.objects.filter(service__code="FC-06", code="talent-certificate").update(name_en="")
    html = client.get("/services/FC-06/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span lang="zh-Hans">人才层次认定证明</span>' in html and MARK in html


def test_the_policies_api_answers_the_benefit_in_the_language_asked(api, measures):
    english = api.get("/api/v1/policies/FC-02/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["title"] == "Housing subsidy for talent"
    assert english["benefit"] == "CNY 5,000 a month, granted once a year as CNY 60,000 (demonstration amount)"
    chinese = api.get("/api/v1/policies/FC-02/").json()
    assert chinese["title"] == "人才住房补贴" and chinese["benefit"].startswith("每月5000元")

    TalentPolicy.objects.filter(service__code="FC-02").update(benefit_description_en="")
    assert api.get("/api/v1/policies/FC-02/", HTTP_ACCEPT_LANGUAGE="en").json()["benefit"].startswith("每月5000元")


def test_the_admin_edits_the_benefit_in_both_languages(client, superuser, measures):
    client.force_login(superuser)
    policy = TalentPolicy.objects.get(service__code="FC-03")
    url = f"/admin/talent/talentpolicy/{policy.pk}/change/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<div class="form-row[^"]*field-benefit_description[^"]*field-benefit_description_en', html)
    response = client.post(url, {
        "service": policy.service_id, "benefit_kind": policy.benefit_kind, "amount": "0",
        "benefit_description": "人才公寓一套", "benefit_description_en": "One talent apartment",
        "annual_budget": "", "annual_quota": policy.annual_quota or "", "opens_on": "", "closes_on": "",
        "rules": '{"tiers": ["A", "B", "C", "D"], "max_age": 45}',
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.benefit_description, policy.benefit_description_en) == ("人才公寓一套", "One talent apartment")
