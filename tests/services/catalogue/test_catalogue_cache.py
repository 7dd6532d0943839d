"""The catalogue's answers come from the cache until the catalogue changes, and never after."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.models import MaterialRequirement, ServiceItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cached(settings):
    settings.CATALOGUE_CACHE_SECONDS = 300
    cache.delete("catalogue:version")
    yield
    cache.delete("catalogue:version")


def read(api, path="/api/v1/services/"):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return response.json(), len(captured)


def test_a_second_read_costs_no_query_and_a_change_is_seen_at_once(world, api, cached):
    first, queries = read(api)
    assert queries > 0
    again, queries = read(api)
    assert (again, queries) == (first, 0)
    standard = ServiceItem.objects.get(code="STD")
    standard.name = "事项STD（新）"
    standard.save()
    changed, _ = read(api)
    assert "事项STD（新）" in [item["name"] for item in changed]
    MaterialRequirement.objects.create(service=standard, code="plan", name="平面图", required=True)
    item, _ = read(api, "/api/v1/services/STD/")
    assert "plan" in [material["code"] for material in item["materials"]]
    standard.departments.set([world["departments"]["ZJW"]])
    item, _ = read(api, "/api/v1/services/STD/")
    assert [department["code"] for department in item["departments"]] == ["ZJW"]


def test_each_language_and_query_has_its_own_answer(world, api, cached):
    chinese, _ = read(api, "/api/v1/services/?approval_mode=standard")
    everything, _ = read(api)
    assert len(chinese) < len(everything)
    english = api.get("/api/v1/services/?approval_mode=standard", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and len(english.json()) == len(chinese)
