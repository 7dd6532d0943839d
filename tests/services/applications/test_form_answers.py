"""The answers of an application's form are checked by one function, the same for every channel:
each kind by its type and bounds whenever the form is stored, the required ones at submission."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.models import AuditEvent
from services.applications import workflow
from services.applications.form_answers import clean_answers
from services.models import Application
from tests.conftest import licence_file
from tests.services.applications.form_item import COMPLETE, give_food_licence_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(clerk_api):
    """The messages read here are the English ones: the API is asked in English, the function run in it."""
    clerk_api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def food(world):
    return give_food_licence_form(world["standard"])


def refused(service, answers, **options) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        clean_answers(service, answers, **options)
    return error.value.message_dict


# --- each kind ------------------------------------------------------------------------------------


def test_complete_answers_are_kept_and_numbers_and_dates_normalised(food):
    cleaned = clean_answers(food, {**COMPLETE, "floor_area": "120.50", "employees": "3"}, complete=True)
    assert cleaned == {**COMPLETE, "floor_area": 120.5, "employees": 3}


def test_a_number_is_refused_when_not_a_number_out_of_bounds_or_not_whole(food):
    assert list(refused(food, {"floor_area": "abc"})) == ["form.floor_area"]
    assert list(refused(food, {"floor_area": True})) == ["form.floor_area"]
    assert refused(food, {"floor_area": 5})["form.floor_area"] == ["At least 10."]
    assert refused(food, {"floor_area": 5001})["form.floor_area"] == ["At most 5000."]
    assert refused(food, {"employees": 2.5})["form.employees"] == ["Enter a whole number."]
    assert list(refused(food, {"floor_area": "1e400"})) == ["form.floor_area"]


def test_a_text_is_refused_when_too_long_not_text_or_off_its_pattern(food):
    assert "At most 30 characters" in refused(food, {"operator_name": "店" * 31})["form.operator_name"][0]
    assert refused(food, {"operator_name": ["丰台小吃店"]})["form.operator_name"] == ["Enter text."]
    assert refused(food, {"licence_number": "JY123"})["form.licence_number"] == ["A licence number is JY and 14 digits."]
    assert clean_answers(food, {"licence_number": "JY11106000000001"}) == {"licence_number": "JY11106000000001"}


def test_the_pattern_message_is_in_the_users_language(food):
    with translation.override("zh-hans"):
        assert refused(food, {"licence_number": "JY1"})["form.licence_number"] == ["许可证编号为 JY 加 14 位数字。"]


def test_a_date_must_be_a_calendar_date_written_yyyy_mm_dd(food):
    assert list(refused(food, {"opening_date": "2026/12/01"})) == ["form.opening_date"]
    assert list(refused(food, {"opening_date": "2026-02-30"})) == ["form.opening_date"]
    assert list(refused(food, {"opening_date": 20261201})) == ["form.opening_date"]


def test_a_choice_not_offered_is_refused(food):
    assert "not one of the options" in refused(food, {"business_form": "bar"})["form.business_form"][0]
    assert list(refused(food, {"business_items": "hot_food"})) == ["form.business_items"]  # several: a list
    assert list(refused(food, {"business_items": ["hot_food", "bakery"]})) == ["form.business_items"]
    assert list(refused(food, {"business_items": ["hot_food", "hot_food"]})) == ["form.business_items"]


def test_a_table_refuses_too_many_rows_unknown_columns_and_bad_cells(food):
    four = [{"staff_name": f"员工{n}", "health_certificate": f"JK2026-000{n}"} for n in range(4)]
    assert refused(food, {"staff": four})["form.staff"] == ["At most 3 rows (this has 4)."]
    errors = refused(food, {"staff": [{"staff_name": "张三", "health_certificate": "12345", "age": 30}, "李四"]})
    assert set(errors) == {"form.staff[0].health_certificate", "form.staff[0].age", "form.staff[1]"}
    assert list(refused(food, {"staff": {"staff_name": "张三"}})) == ["form.staff"]


def test_a_key_the_form_does_not_have_is_refused(food):
    assert refused(food, {**COMPLETE, "colour": "red"}) == {"form.colour": ["This form has no field “colour”."]}


def test_required_answers_wait_for_the_submission(food):
    assert clean_answers(food, {"floor_area": 80}) == {"floor_area": 80}
    errors = refused(food, {"floor_area": 80, "staff": [{"staff_name": "张三"}]}, complete=True)
    assert set(errors) == {"form.operator_name", "form.business_form", "form.staff[0].health_certificate"}
    assert refused(food, {**COMPLETE, "staff": []}, complete=True) == {"form.staff": ["This field is required."]}


def test_an_item_without_a_form_keeps_the_free_form(world):
    assert clean_answers(world["deferred"], {"area": 120}) == {"area": 120}
    assert list(refused(world["deferred"], ["area"])) == ["form"]


# --- the API --------------------------------------------------------------------------------------


def create(clerk_api, world, form):
    return clerk_api.post("/api/v1/applications/", {"service": "STD", "enterprise": world["enterprise"].pk,
                                                     "form": form}, format="json")


def test_the_api_refuses_a_wrong_answer_naming_it_and_creates_nothing(food, world, clerk_api):
    response = create(clerk_api, world, {"floor_area": 3, "colour": "red"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] in ("form.colour", "form.floor_area")
    assert body["errors"] == {"form.colour": ["This form has no field “colour”."], "form.floor_area": ["At least 10."]}
    assert not Application.objects.exists()


def test_the_api_saves_a_half_filled_draft_then_refuses_to_submit_it_without_the_required(food, world, clerk_api):
    created = create(clerk_api, world, {"floor_area": 120})
    assert created.status_code == 201 and created.json()["form"] == {"floor_area": 120}
    pk = created.json()["id"]
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], pk, code, licence_file(f"{code}.pdf"))

    response = clerk_api.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert {"form.operator_name", "form.business_form", "form.staff"} <= set(response.json()["errors"])
    assert Application.objects.get(pk=pk).state == "draft"

    changed = clerk_api.patch(f"/api/v1/applications/{pk}/", {"form": COMPLETE}, format="json")
    assert changed.status_code == 200 and changed.json()["form"] == COMPLETE
    assert clerk_api.post(f"/api/v1/applications/{pk}/submit/", {}, format="json").json()["status"] == "submitted"


def test_a_refused_change_of_the_form_changes_nothing(food, world, clerk_api):
    pk = create(clerk_api, world, {"floor_area": 120}).json()["id"]
    events = AuditEvent.objects.count()
    response = clerk_api.patch(f"/api/v1/applications/{pk}/",
                               {"form": {"floor_area": 120, "staff": [{"staff_name": "张三", "health_certificate": "x"}]}},
                               format="json")
    assert response.status_code == 400 and response.json()["field"] == "form.staff[0].health_certificate"
    assert Application.objects.get(pk=pk).form == {"floor_area": 120}
    assert AuditEvent.objects.count() == events


def test_a_change_of_the_form_is_in_the_timeline_and_refused_once_submitted(food, world, clerk_api):
    pk = create(clerk_api, world, {}).json()["id"]
    clerk_api.patch(f"/api/v1/applications/{pk}/", {"form": {**COMPLETE}}, format="json")
    event = AuditEvent.objects.get(action="application.form_saved")
    assert event.actor == world["clerk"] and "floor_area" in event.data["fields"]
    assert "丰台小吃店" not in str(event.data)  # the keys, not the answers

    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], pk, code, licence_file(f"{code}.pdf"))
    workflow.submit(world["clerk"], pk)
    late = clerk_api.patch(f"/api/v1/applications/{pk}/", {"form": {**COMPLETE, "floor_area": 200}}, format="json")
    assert late.status_code == 409
    assert Application.objects.get(pk=pk).form["floor_area"] == 120


def test_a_table_of_too_many_rows_is_refused_before_it_is_read(food, world, clerk_api):
    rows = [{"staff_name": "员工", "health_certificate": "JK2026-0001"}] * 201
    response = create(clerk_api, world, {"staff": rows})
    assert response.status_code == 400 and response.json()["errors"] == {"form.staff": ["At most 3 rows (this has 201)."]}


def test_resubmitting_after_a_correction_checks_the_form_again(food, world, clerk_api):
    pk = create(clerk_api, world, COMPLETE).json()["id"]
    for code in ("form", "lease"):
        workflow.attach_document(world["clerk"], pk, code, licence_file(f"{code}.pdf"))
    workflow.submit(world["clerk"], pk)
    workflow.request_correction(world["officials"]["zjw1"], pk, ["经营场所面积有误"])
    cleared = clerk_api.patch(f"/api/v1/applications/{pk}/", {"form": {**COMPLETE, "floor_area": None}}, format="json")
    assert cleared.status_code == 200

    response = clerk_api.post(f"/api/v1/applications/{pk}/resubmit/", format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"form.floor_area": ["This field is required."]}
    assert Application.objects.get(pk=pk).state == "correction_requested"
