"""A changed password ends every other way in: API tokens and the other browsers' sessions."""

import pytest
from django.test import Client

from tests.helpers import PASSWORD, token_client

pytestmark = pytest.mark.django_db


def test_an_official_who_changes_the_password_ends_tokens_and_other_sessions(world):
    official = world["officials"]["zjw1"]
    integration = token_client("zjw1")
    assert integration.get("/api/v1/me/").status_code == 200
    laptop, phone = Client(), Client()
    laptop.force_login(official)
    phone.force_login(official)

    response = laptop.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "Fengtai-2027-new", "new_password2": "Fengtai-2027-new",
    })

    assert response.status_code == 302
    assert integration.get("/api/v1/me/").status_code == 401
    assert phone.get("/admin/").status_code == 302  # back to the sign-in page
    assert laptop.get("/admin/").status_code == 200  # the browser that changed it stays signed in


def test_a_password_reset_by_an_administrator_ends_the_clerks_tokens(world):
    clerk = world["clerk"]
    integration = token_client("clerk")
    clerk.set_password("Fengtai-2027-reset")
    clerk.save()
    assert integration.get("/api/v1/me/").status_code == 401
    assert token_client("clerk", "Fengtai-2027-reset").get("/api/v1/me/").status_code == 200


def test_signing_in_again_does_not_end_other_tokens(world):
    first = token_client("clerk")
    token_client("clerk")
    assert first.get("/api/v1/me/").status_code == 200
