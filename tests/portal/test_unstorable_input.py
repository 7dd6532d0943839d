"""Hostile input gets a 400 naming the field, never a 500, and changes nothing.

A NUL byte or a lone surrogate cannot be stored by PostgreSQL; JSON nested a thousand levels deep
would exhaust Python's recursion while being read. Each of these once ended in a server error.
"""

import pytest

from services.models import Application

DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture
def anonymous(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", ["/services/%00/", "/enterprises/%00/", "/talent/%00/"])
def test_a_nul_byte_in_a_page_address_is_a_bad_request(anonymous, db, url):
    response = anonymous.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "path" in response.content.decode()


@pytest.mark.parametrize("url, field", [
    ("/api/v1/services/%00/", "path"),
    ("/api/v1/services/?ordering=%00", "ordering"),
    ("/api/v1/policies/?page=a%00b", "page"),
])
def test_a_nul_byte_in_an_api_address_names_where_it_was(anonymous, db, url, field):
    response = anonymous.get(url)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize("body, field", [
    ('{"username": "clerk\\u0000", "password": "x"}', "username"),
    ('{"username": "\\ud800", "password": "x"}', "username"),
    ('{"user\\u0000name": "clerk", "password": "x"}', "username"),
])
def test_unstorable_text_in_a_json_body_is_named(anonymous, db, body, field):
    response = anonymous.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_json_nested_thousands_of_levels_deep_is_refused(anonymous, db):
    response = anonymous.post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_a_little_deeper_than_any_form_is_refused_too(anonymous, db):
    body = '{"form": ' + "[" * 40 + "]" * 40 + "}"
    response = anonymous.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_form_value_deep_inside_an_application_is_named_and_nothing_is_created(world, clerk_api):
    enterprise = world["enterprise"].pk
    body = f'{{"service": "STD", "enterprise": {enterprise}, "form": {{"site": {{"address": "丰台区\\u0000"}}}}}}'
    response = clerk_api.post("/api/v1/applications/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "form.site.address"
    assert not Application.objects.exists()


def test_a_nul_byte_in_a_page_form_is_refused_before_the_view(world, client, draft):
    application = draft("standard")
    client.force_login(world["clerk"])
    response = client.post(f"/applications/{application.pk}/withdraw/", {"reason": "不再需要\x00"})
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    application.refresh_from_db()
    assert application.state == "draft"


def test_a_megabyte_of_text_in_a_reason_is_refused_and_nothing_changes(world, clerk_api, draft):
    application = draft("standard")
    response = clerk_api.post(f"/api/v1/applications/{application.pk}/withdraw/",
                              {"reason": "撤" * 1_000_000}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    application.refresh_from_db()
    assert application.state == "draft"


def test_a_page_form_with_a_megabyte_of_text_is_refused(world, client, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000
    application = draft("standard")
    client.force_login(world["clerk"])
    response = client.post(f"/applications/{application.pk}/withdraw/", {"reason": "x" * 1_000_000})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == "draft"
