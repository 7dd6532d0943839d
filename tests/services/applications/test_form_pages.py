"""The clerk fills in an item's form on the portal's pages, and the official reads it in the admin."""

import re

import pytest
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application, FormField
from tests.conftest import licence_file
from tests.services.applications.form_item import COMPLETE, give_food_licence_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def food(world):
    return give_food_licence_form(world["standard"])


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


def field_html(html: str, key: str) -> str:
    """The markup of one field of the form (its label, input, help and messages)."""
    match = re.search(rf'<div class="form-field[^"]*" id="field-{key}">(.*?)</div>', html, re.S)
    assert match, f"no field {key}"
    return match.group(1)


def errors_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == constants.ERROR]


def page_answers(world, **overrides) -> dict:
    data = {
        "service": "STD", "enterprise": world["enterprise"].pk, "form_of": "STD",
        "form-operator_name": "丰台小吃店", "form-floor_area": "120", "form-employees": "3",
        "form-opening_date": "2026-12-01", "form-business_form": "restaurant", "form-business_items": ["hot_food"],
        "form-staff-0-staff_name": "张三", "form-staff-0-health_certificate": "JK2026-0001",
        "form-staff-1-staff_name": "", "form-staff-1-health_certificate": "",
    }
    data.update(overrides)
    return data


def test_the_new_page_shows_the_items_form_prefilled_with_the_enterprises_name(food, world, clerk_page):
    html = clerk_page.get("/applications/new/?service=STD").content.decode()
    operator = field_html(html, "operator_name")
    assert '<label for="id_form-operator_name">Operator <abbr class="required"' in operator
    assert f'value="{world["enterprise"].name}"' in operator
    assert "As on the business licence" in operator
    assert "10 – 5000" in field_html(html, "floor_area")
    assert '<option value="restaurant">Restaurant</option>' in field_html(html, "business_form")
    assert 'type="checkbox"' in field_html(html, "business_items")
    assert 'name="form-staff-0-health_certificate"' in html


def test_the_form_speaks_chinese_by_default(food, world):
    client = Client()
    client.force_login(world["clerk"])
    html = client.get("/applications/new/?service=STD").content.decode()
    assert "经营场所面积" in field_html(html, "floor_area") and "与营业执照一致" in field_html(html, "operator_name")


def test_a_wrong_answer_is_told_beside_its_field_and_every_value_stays(food, world, clerk_page):
    response = clerk_page.post("/applications/new/", page_answers(
        world, **{"form-floor_area": "abc", "form-staff-0-health_certificate": "12345"}))
    assert response.status_code == 200 and not Application.objects.exists()
    html = response.content.decode()
    area = field_html(html, "floor_area")
    assert 'value="abc"' in area and "Enter a number." in area and 'aria-invalid="true"' in area
    assert 'value="丰台小吃店"' in field_html(html, "operator_name")
    assert '<option value="restaurant" selected>' in html
    assert 'value="hot_food" checked' in html
    staff = field_html(html, "staff")
    assert 'value="12345"' in staff and "Like JK2026-0001." in staff and 'value="张三"' in staff


def test_the_clerk_creates_the_draft_with_the_answers(food, world, clerk_page):
    response = clerk_page.post("/applications/new/", page_answers(world))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    assert application.form == COMPLETE  # the blank second row of the table is no row

    page = clerk_page.get(response["Location"]).content.decode()
    answers = page.split('id="form-answers"')[1].split("</table>\n")[0]
    assert "Floor area" in answers and "120" in answers and "Restaurant" in answers and "JK2026-0001" in answers


def test_choosing_another_item_shows_its_form_before_creating(food, world, clerk_page):
    response = clerk_page.post("/applications/new/", {"service": "STD", "enterprise": world["enterprise"].pk})
    assert response.status_code == 200 and not Application.objects.exists()
    assert 'name="form-floor_area"' in response.content.decode()


def test_the_edit_page_keeps_the_values_after_an_error_and_changes_nothing(food, world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], food, {"floor_area": 80})
    url = reverse("application_form", args=[application.pk])
    events = AuditEvent.objects.count()
    response = clerk_page.post(url, {"form-floor_area": "6000", "form-operator_name": "丰台小吃店"})
    assert response.status_code == 200
    area = field_html(response.content.decode(), "floor_area")
    assert 'value="6000"' in area and "At most 5000." in area
    application.refresh_from_db()
    assert application.form == {"floor_area": 80} and AuditEvent.objects.count() == events

    saved = clerk_page.post(url, {"form-floor_area": "90", "form-operator_name": "丰台小吃店"}, follow=True)
    assert errors_of(saved) == []
    application.refresh_from_db()
    assert application.form == {"floor_area": 90, "operator_name": "丰台小吃店"}
    assert AuditEvent.objects.filter(action="application.form_saved", target_id=application.pk).exists()


def test_more_rows_adds_blank_rows_without_saving(food, world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], food)
    response = clerk_page.post(reverse("application_form", args=[application.pk]), {
        "form-staff-0-staff_name": "张三", "form-staff-0-health_certificate": "JK2026-0001", "more_rows": "staff"})
    html = response.content.decode()
    assert 'name="form-staff-2-staff_name"' in html and 'name="form-staff-3-staff_name"' not in html  # 3 at most
    application.refresh_from_db()
    assert application.form == {}


def test_submitting_on_the_page_names_the_missing_answers_and_leaves_a_draft(food, world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], food, {"floor_area": 120})
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], application.pk, code, licence_file(f"{code}.pdf"))
    response = clerk_page.post(f"/applications/{application.pk}/submit/", follow=True)
    errors = errors_of(response)
    assert "Operator: This field is required." in errors and "Staff: This field is required." in errors
    application.refresh_from_db()
    assert application.state == "draft"


def test_a_wrong_cell_at_submission_is_named_by_its_table_row_and_column(food, world, clerk_page):
    application = workflow.create_application(world["clerk"], world["enterprise"], food,
                                              {**COMPLETE, "staff": [{"staff_name": "张三"}]})
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], application.pk, code, licence_file(f"{code}.pdf"))
    response = clerk_page.post(f"/applications/{application.pk}/submit/", follow=True)
    assert errors_of(response) == ["Staff, row 1: Health certificate: This field is required."]


def test_the_official_reads_the_answers_by_their_labels_and_sees_what_the_form_now_lacks(food, world, as_official):
    application = workflow.create_application(world["clerk"], world["enterprise"], food, COMPLETE)
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], application.pk, code, licence_file(f"{code}.pdf"))
    workflow.submit(world["clerk"], application.pk)
    client = as_official("zjw1", "en")
    page = reverse("admin:services_application_change", args=[application.pk])
    html = client.get(page).content.decode()
    table = html.split('id="form-data"')[1].split('<h2>')[0]
    assert "Floor area" in table and "Restaurant" in table and "Hot food" in table and "JK2026-0001" in table
    assert 'id="form-problems"' not in html

    # The item's form asks for more since: the admin tells it by the check the submission runs.
    FormField.objects.create(service=food, order=20, key="seats", kind="number", label="座位数", label_en="Seats",
                             required=True)
    problems = client.get(page).content.decode().split('id="form-problems"')[1].split("</ul>")[0]
    assert "Seats: This field is required." in problems
