"""The service catalogue: demo seed, public list and guide pages, the public API, the admin's rules."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.catalogue.demo import seed_catalogue
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {"code", "name", "approval_mode", "departments", "promised_days", "statutory_days", "materials"}
MATERIAL_FIELDS = {"code", "name", "required", "deferrable"}


@pytest.fixture
def catalogue(all_departments) -> list[ServiceItem]:
    return seed_catalogue()


def row_counts() -> tuple[int, ...]:
    return (
        ServiceItem.objects.count(),
        MaterialRequirement.objects.count(),
        ReviewStep.objects.count(),
        ServiceItem.departments.through.objects.count(),
    )


# --- the demo seed -------------------------------------------------------------------------


def test_seed_is_idempotent_and_covers_every_mode(all_departments):
    first_items = seed_catalogue()
    first = row_counts()
    second_items = seed_catalogue()
    assert row_counts() == first
    assert [item.pk for item in second_items] == [item.pk for item in first_items]

    assert first[0] >= 12
    assert set(ServiceItem.objects.values_list("approval_mode", flat=True)) == {
        "standard", "deferred", "parallel", "commitment"
    }
    assert not MaterialRequirement.objects.filter(essential=True, deferrable=True).exists()


def test_seeded_items_are_complete(catalogue):
    for item in catalogue:
        departments = set(item.departments.values_list("code", flat=True))
        assert item.lead_department.code in departments, item.code
        assert item.promised_days <= item.statutory_days, item.code
        assert "示例数据" in item.description and item.name_en and item.conditions, item.code
        assert item.materials.filter(essential=True).exists(), item.code
        if item.approval_mode in ("commitment", "deferred"):
            assert item.commitment_text.strip(), item.code
        if item.approval_mode == "deferred":
            assert item.materials.filter(deferrable=True).exists(), item.code
        if item.approval_mode in ("standard", "parallel"):
            assert item.review_steps.exists(), item.code
        if item.approval_mode == "parallel":
            steps = list(item.review_steps.all())
            assert len({step.department_id for step in steps}) >= 3, item.code
            assert all(step.promised_days for step in steps), item.code
    by_code = {item.name: item for item in catalogue}
    assert by_code["公共场所卫生许可"].post_check_ratio == 1
    assert by_code["食品经营许可"].post_check_ratio == Decimal("0.3")
    assert by_code["数据资产登记"].category == "data"
    assert set(by_code["人才引进落户"].review_steps.values_list("department__code", flat=True)) == {"RCJ", "RSJ"}


def test_seed_without_departments_says_what_to_run(db):
    with pytest.raises(LookupError, match="seed_demo"):
        seed_catalogue()


# --- the public pages ----------------------------------------------------------------------


def test_list_page_is_public_and_chinese_by_default(client, catalogue):
    page = client.get("/services/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="zh-hans"' in html
    assert "人才引进落户" in html and "数据资产登记" in html
    assert "Household registration" not in html


def test_list_page_in_english(client, catalogue):
    html = client.get("/services/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    assert "Service catalogue" in html
    assert "Household registration (hukou) for introduced talent" in html
    assert '<label for="id_search">' in html


def test_list_page_filters(client, catalogue):
    html = client.get("/services/", {"approval_mode": "commitment"}).content.decode()
    assert "食品经营许可" in html and "人才引进落户" not in html
    html = client.get("/services/", {"search": "数据"}).content.decode()
    assert "数据资产登记" in html and "食品经营许可" not in html
    html = client.get("/services/", {"department": "JW", "category": "government"}).content.decode()
    assert "民办学校办学许可" in html and "人才子女入学服务" not in html


def test_guide_page_in_chinese_and_english(client, catalogue):
    item = ServiceItem.objects.get(name="人才引进落户")
    url = f"/services/{item.code}/"
    html = client.get(url).content.decode()
    assert "人才引进落户" in html and "区委人才工作局" in html and "区人力社保局" in html
    assert "人才引进落户申请表" in html and "联合审议与公示" in html
    assert f"/services/{item.code}/materials/application-form/template/" in html

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Household registration (hukou) for introduced talent" in html
    assert "Print" in html and "data-print" in html and "portal/print.js" in html
    assert "Review steps" in html and "District Talent Work Bureau" in html


def test_parallel_and_commitment_guides(client, catalogue):
    parallel = ServiceItem.objects.get(name="建设工程规划许可")
    html = client.get(f"/services/{parallel.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at the same time" in html
    commitment = ServiceItem.objects.get(name="公共场所卫生许可")
    html = client.get(f"/services/{commitment.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Every approval of this item is checked afterwards" in html
    assert commitment.commitment_text_en[:40] in html and commitment.commitment_text[:20] not in html
    html = client.get(f"/services/{commitment.code}/").content.decode()
    assert commitment.commitment_text[:20] in html


def test_material_template_download_is_public(client, catalogue):
    item = ServiceItem.objects.get(name="人才引进落户")
    response = client.get(f"/services/{item.code}/materials/application-form/template/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "示例模板" in b"".join(response.streaming_content).decode()
    assert client.get(f"/services/{item.code}/materials/id-card/template/").status_code == 404
    assert client.get(f"/services/{item.code}/materials/nothing/template/").status_code == 404


def test_inactive_item_is_not_found(client, api, catalogue):
    item = ServiceItem.objects.get(name="人才引进落户")
    item.is_active = False
    item.save()
    assert client.get(f"/services/{item.code}/").status_code == 404
    assert client.get(f"/services/{item.code}/materials/application-form/template/").status_code == 404
    assert "人才引进落户" not in client.get("/services/").content.decode()
    assert api.get(f"/api/v1/services/{item.code}/").status_code == 404
    assert item.code not in [row["code"] for row in api.get("/api/v1/services/").json()]


# --- the API -------------------------------------------------------------------------------


def test_api_list_is_anonymous_and_has_the_contract_fields(api, catalogue):
    response = api.get("/api/v1/services/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == len(catalogue)
    for row in rows:
        assert CONTRACT_FIELDS <= set(row)
        assert row["approval_mode"] in {"standard", "deferred", "parallel", "commitment"}
        assert all({"code", "name"} <= set(department) for department in row["departments"])
        assert row["materials"] and all(MATERIAL_FIELDS <= set(material) for material in row["materials"])
    talent = next(row for row in rows if row["name"] == "人才引进落户")
    assert {d["code"] for d in talent["departments"]} == {"RCJ", "RSJ"}
    assert talent["statutory_days"] == 20 and talent["promised_days"] == 15
    assert [step["department"]["code"] for step in talent["review_steps"]] == ["RCJ", "RSJ", "RCJ"]


def test_api_detail_by_code(api, catalogue):
    item = ServiceItem.objects.get(name="人才公寓租赁补贴")
    row = api.get(f"/api/v1/services/{item.code}/").json()
    assert row["code"] == item.code and row["approval_mode"] == "deferred"
    assert any(material["deferrable"] for material in row["materials"])
    assert api.get("/api/v1/services/NO-SUCH-ITEM/").status_code == 404


def test_api_queries_do_not_grow_with_the_rows(api, catalogue):
    first = catalogue[0]
    ServiceItem.objects.exclude(pk=first.pk).update(is_active=False)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/services/").json()) == 1
    ServiceItem.objects.update(is_active=True)
    with CaptureQueriesContext(connection) as all_items:
        assert len(api.get("/api/v1/services/").json()) == len(catalogue)
    assert len(all_items) == len(one)


def test_api_filters(api, catalogue):
    rows = api.get("/api/v1/services/", {"approval_mode": "parallel"}).json()
    assert rows and {row["approval_mode"] for row in rows} == {"parallel"}
    rows = api.get("/api/v1/services/", {"department": "WJW"}).json()
    assert rows and all("WJW" in {d["code"] for d in row["departments"]} for row in rows)
    assert len({row["code"] for row in rows}) == len(rows)
    rows = api.get("/api/v1/services/", {"category": "data"}).json()
    assert {row["name"] for row in rows} >= {"数据资产登记"}
    bad = api.get("/api/v1/services/", {"approval_mode": "fast"})
    assert bad.status_code == 400 and bad.json()["field"] == "approval_mode"


# --- the admin -----------------------------------------------------------------------------


def admin_form(departments: dict[str, Department], **overrides) -> dict:
    data = {
        "code": "FT-TEST-0001",
        "name": "测试事项",
        "name_en": "Test item",
        "category": "enterprise",
        "is_active": "on",
        "lead_department": departments["KXJ"].pk,
        "departments": [departments["KXJ"].pk],
        "description": "",
        "conditions": "",
        "fee": "0",
        "approval_mode": "standard",
        "statutory_days": "20",
        "promised_days": "10",
        "commitment_text": "",
        "deferral_days": "10",
        "deferral_grace_days": "10",
        "post_check_ratio": "0.2",
        "post_check_window_days": "20",
        "credit_bar_days": "365",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
        "review_steps-TOTAL_FORMS": "0",
        "review_steps-INITIAL_FORMS": "0",
        "review_steps-MIN_NUM_FORMS": "0",
        "review_steps-MAX_NUM_FORMS": "1000",
        "form_fields-TOTAL_FORMS": "0",
        "form_fields-INITIAL_FORMS": "0",
        "form_fields-MIN_NUM_FORMS": "0",
        "form_fields-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data



def test_admin_refuses_promised_over_statutory(client, superuser, all_departments):
    client.force_login(superuser)
    response = client.post(
        "/admin/services/serviceitem/add/",
        admin_form(all_departments, statutory_days="20", promised_days="30"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "promised_days" in errors
    assert "promised limit" in errors["promised_days"][0].lower()
    assert "promised limit" in response.content.decode().lower()
    assert not ServiceItem.objects.filter(code="FT-TEST-0001").exists()


def test_admin_refuses_essential_deferrable_material(client, superuser, all_departments):
    client.force_login(superuser)
    data = admin_form(
        all_departments,
        **{
            "materials-TOTAL_FORMS": "1",
            "materials-0-code": "licence",
            "materials-0-name": "营业执照",
            "materials-0-required": "on",
            "materials-0-essential": "on",
            "materials-0-deferrable": "on",
        },
    )
    response = client.post("/admin/services/serviceitem/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    material_errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "deferrable" in material_errors
    assert "deferrable" in material_errors["deferrable"][0].lower()
    assert not ServiceItem.objects.filter(code="FT-TEST-0001").exists()


def test_admin_adds_a_valid_item(client, superuser, all_departments):
    client.force_login(superuser)
    data = admin_form(
        all_departments,
        **{
            "materials-TOTAL_FORMS": "1",
            "materials-0-code": "licence",
            "materials-0-name": "营业执照",
            "materials-0-required": "on",
            "materials-0-essential": "on",
            "review_steps-TOTAL_FORMS": "1",
            "review_steps-0-order": "1",
            "review_steps-0-name": "审查",
            "review_steps-0-department": all_departments["KXJ"].pk,
        },
    )
    response = client.post("/admin/services/serviceitem/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = ServiceItem.objects.get(code="FT-TEST-0001")
    assert item.materials.count() == 1 and item.review_steps.count() == 1


def test_official_may_view_but_not_change(client, make_user, catalogue):
    official = make_user("official", is_staff=True)
    official.user_permissions.add(Permission.objects.get(codename="view_serviceitem"))
    client.force_login(official)
    item = ServiceItem.objects.get(name="人才引进落户")
    url = f"/admin/services/serviceitem/{item.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "人才引进落户申请表" in page.content.decode()
    response = client.post(url, admin_form(
        {code: Department.objects.get(code=code) for code in ("KXJ",)}, code=item.code, name="改名"
    ))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.name == "人才引进落户"
    assert client.get("/admin/services/serviceitem/add/").status_code == 403
    assert client.post(f"/admin/services/serviceitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ServiceItem.objects.filter(pk=item.pk).exists()
