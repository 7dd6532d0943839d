"""An item's application form as the catalogue defines it: edited in the admin, refused when incoherent,
published on the API, and seeded for the demonstration items."""

import pytest
from django.core.exceptions import ValidationError

from services.catalogue.demo import CATALOGUE_FILE, load_catalogue, seed_catalogue
from services.catalogue.demo_files import DemoDataError
from services.catalogue.form_fields import FormField, definition_problems
from services.models import ServiceItem
from tests.services.catalogue.test_catalogue import admin_form
from tests.services.catalogue.test_demo_data_files import altered, set_in

pytestmark = pytest.mark.django_db


def field_errors(**values) -> dict[str, list[str]]:
    field = FormField(service=ServiceItem(code="X"), label=values.pop("label", "字段"), **values)
    with pytest.raises(ValidationError) as refused:
        field.full_clean(exclude=["service"])
    return refused.value.message_dict


# --- one field's own coherence --------------------------------------------------------------


def test_a_choice_needs_options_and_each_value_once():
    assert "options" in field_errors(key="kind_of_business", kind="choice")
    twice = field_errors(key="kind_of_business", kind="choice", options="shop|食品销售\nshop|餐饮服务")
    assert "shop" in " ".join(twice["options"])
    assert "options" in field_errors(key="kind_of_business", kind="choice", options="食品 销售|食品销售")


def test_a_key_is_identifier_like():
    for key in ("Floor area", "1st", "面积", "floor-area"):
        assert "key" in field_errors(key=key, kind="text"), key


def test_bounds_fit_their_kind_and_the_pattern_compiles_with_its_message():
    assert "max_value" in field_errors(key="area", kind="number", min_value=100, max_value=10)
    assert "options" in field_errors(key="area", kind="number", options="a|A")
    assert "min_value" in field_errors(key="name", kind="text", min_value=1)
    assert "pattern" in field_errors(key="code", kind="text", pattern="[A-Z", pattern_message="形如 AB12")
    assert "pattern_message" in field_errors(key="code", kind="text", pattern="^[A-Z]{2}$")
    assert "max_rows" in field_errors(key="staff", kind="table", max_rows=500)
    assert "min_rows" in field_errors(key="staff", kind="table", min_rows=20, max_rows=10)


def test_a_prefill_source_fills_only_a_field_of_its_kind():
    assert "prefill" in field_errors(key="opened", kind="date", prefill="enterprise.name")
    assert "prefill" in field_errors(key="name", kind="text", prefill="enterprise.password")
    FormField(service=ServiceItem(code="X"), key="name", kind="text", label="名称",
              prefill="enterprise.name").full_clean(exclude=["service"])


# --- the form as a whole ----------------------------------------------------------------------


def test_keys_are_unique_and_a_column_belongs_to_a_table_of_the_form():
    fields = [
        FormField(key="area", kind="number", label="面积"),
        FormField(key="area", kind="text", label="地址"),
        FormField(key="staff", kind="table", label="从业人员"),
        FormField(key="staff_name", kind="text", label="姓名", table="area"),
    ]
    problems = definition_problems(fields)
    assert set(problems) == {0, 1, 2, 3}
    assert "key" in problems[0] and "key" in problems[1]
    assert "kind" in problems[2]  # a table without a column
    assert "table" in problems[3]  # "area" is no table


# --- the admin --------------------------------------------------------------------------------


def form_rows(*rows: dict) -> dict:
    data = {"form_fields-TOTAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        data.update({f"form_fields-{index}-{name}": value for name, value in row.items()})
    return data


STAFF_TABLE = ({"order": "3", "key": "staff", "kind": "table", "label": "从业人员", "max_rows": "50"},
               {"order": "4", "key": "staff_name", "kind": "text", "label": "姓名", "table": "staff",
                "required": "on"})


def test_the_admin_adds_an_item_with_its_form(client, superuser, all_departments):
    client.force_login(superuser)
    data = admin_form(all_departments, **form_rows(
        {"order": "1", "key": "floor_area", "kind": "number", "label": "经营场所面积", "label_en": "Floor area",
         "min_value": "10", "max_value": "5000", "required": "on"},
        {"order": "2", "key": "business_form", "kind": "choice", "label": "主体业态",
         "options": "shop|食品销售经营者|Food retailer\nrestaurant|餐饮服务经营者|Restaurant"},
        *STAFF_TABLE,
    ))
    response = client.post("/admin/services/serviceitem/add/", data)
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="FT-TEST-0001")
    assert list(item.form_fields.values_list("key", "table")) == [
        ("floor_area", ""), ("business_form", ""), ("staff", ""), ("staff_name", "staff")]


def test_the_admin_refuses_an_incoherent_form_on_its_rows_and_saves_nothing(client, superuser, all_departments):
    client.force_login(superuser)
    data = admin_form(all_departments, **form_rows(
        {"order": "1", "key": "business_form", "kind": "choice", "label": "主体业态"},
        {"order": "2", "key": "staff", "kind": "text", "label": "人员"},
        {"order": "3", "key": "staff", "kind": "text", "label": "人员二"},
        {"order": "4", "key": "cook", "kind": "text", "label": "厨师", "table": "kitchen"},
    ))
    response = client.post("/admin/services/serviceitem/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    formset = next(inline.formset for inline in response.context["inline_admin_formsets"]
                   if inline.formset.prefix == "form_fields")
    errors = formset.errors
    assert "options" in errors[0]
    assert "key" in errors[1] and "key" in errors[2]
    assert "kitchen" in " ".join(errors[3]["table"])
    assert not ServiceItem.objects.filter(code="FT-TEST-0001").exists()
    assert not FormField.objects.exists()


# --- the API and the demonstration items ------------------------------------------------------


def test_the_catalogue_api_publishes_the_form_with_a_tables_columns(all_departments, api):
    seed_catalogue()
    item = api.get("/api/v1/services/FT-SC-0001/").json()
    fields = {field["key"]: field for field in item["form_fields"]}
    assert fields["operator_name"]["prefill"] == "enterprise.name"
    assert fields["floor_area"]["min_value"] == 10 and fields["floor_area"]["max_value"] == 5000
    assert {"value": "hot_food", "label": "热食类食品制售", "label_en": "Hot food"} in fields["business_items"]["options"]
    assert [column["key"] for column in fields["staff"]["columns"]] == [
        "staff_name", "health_certificate", "certificate_valid_until", "post"]
    assert "staff_name" not in fields  # a column is not a field of the form itself


def test_four_demonstration_items_come_with_their_forms(all_departments):
    seed_catalogue()
    with_forms = set(FormField.objects.values_list("service__code", flat=True))
    assert with_forms == {"FT-SC-0001", "FT-WJ-0001", "FT-KX-0001", "FT-RS-0001"}
    seed_catalogue()  # a second run adds nothing
    assert FormField.objects.filter(service__code="FT-SC-0001").count() == 11


def test_a_demo_form_with_a_choice_without_options_is_refused_naming_the_entry(tmp_path):
    path = altered(CATALOGUE_FILE, tmp_path, set_in("items", 3, "form", 4, "options", value=[]))
    with pytest.raises(DemoDataError) as refused:
        load_catalogue(path)
    assert str(refused.value).startswith(f"{path}, items[3] (FT-SC-0001), form[4] (business_form): ")
    assert "options" in str(refused.value)
