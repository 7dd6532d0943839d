"""The unified social credit code is checked the same way by the model, the portal form and the API."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.identifiers import normalize_uscc, validate_uscc
from enterprises.models import Enterprise
from tests.conftest import VALID_USCCS, enterprise_data, licence_file

BAD_CODES = {
    "wrong check character": ("91350100M000100Y44", "check character"),
    "too short": ("91350100M000100Y4", "18 characters"),
    "too long": ("91350100M000100Y433", "18 characters"),
    "forbidden letter": ("91350100M0001O0Y43", "I, O, S, V or Z"),
    # Each has a correct check character: only the code's own structure tells them apart.
    "all zeros": ("000000000000000000", "neither is 0"),
    "authority numbered 0": ("01350100M000100Y4C", "neither is 0"),
    "no such region": ("91990100M000100Y4U", "990100 is not a region code"),
}


@pytest.mark.parametrize("code", VALID_USCCS)
def test_real_codes_are_accepted(code):
    validate_uscc(code)


def test_lower_case_is_normalised():
    assert normalize_uscc(" 91110108551385082q ") == "91110108551385082Q"
    validate_uscc("91110108551385082q")


@pytest.mark.parametrize("name", BAD_CODES)
def test_model_refuses_bad_code_with_reason(name, settings):
    settings.LANGUAGE_CODE = "en"
    code, words = BAD_CODES[name]
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert words in " ".join(error.value.messages)


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_CODES)
def test_portal_form_refuses_bad_code_and_stores_nothing(name, client, alice):
    client.force_login(alice)
    code, _words = BAD_CODES[name]
    response = client.post(
        "/enterprises/register/",
        {**enterprise_data(uscc=code), "licence": licence_file()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert response.context["form"].errors["uscc"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_CODES)
def test_api_refuses_bad_code_with_400_naming_the_field(name, api, alice):
    api.force_authenticate(alice)
    code, words = BAD_CODES[name]
    response = api.post(
        "/api/v1/enterprises/",
        {**enterprise_data(uscc=code), "licence": licence_file()},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    assert words in response.json()["message"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_api_error_is_in_the_users_language(api, alice):
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/enterprises/",
        {**enterprise_data(uscc="91350100M000100Y44"), "licence": licence_file()},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "校验" in response.json()["message"]


@pytest.mark.django_db
def test_duplicate_code_is_refused_everywhere(api, client, alice, bob, make_enterprise):
    make_enterprise(alice, uscc=VALID_USCCS[1])
    api.force_authenticate(bob)
    response = api.post(
        "/api/v1/enterprises/",
        {**enterprise_data(uscc=VALID_USCCS[1].lower()), "licence": licence_file()},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    assert "already registered" in response.json()["message"]

    client.force_login(bob)
    page = client.post(
        "/enterprises/register/", {**enterprise_data(uscc=VALID_USCCS[1]), "licence": licence_file()}
    )
    assert page.context["form"].errors["uscc"]
    assert Enterprise.objects.count() == 1


@pytest.mark.django_db
def test_lower_case_code_is_stored_upper_case(api, alice):
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/enterprises/",
        {**enterprise_data(uscc=VALID_USCCS[2].lower()), "licence": licence_file()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert Enterprise.objects.get().uscc == VALID_USCCS[2]
