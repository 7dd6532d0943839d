"""Weak passwords are refused at sign-up, each with the reason, and no account is made."""

import pytest

from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password, reason", [
    ("Fengtai-9", "10"),  # nine characters
    ("password123", "common"),
    ("1234567890123", "numeric"),
    ("zhangwei-fengtai", "similar"),
])
def test_a_weak_password_is_refused_with_its_reason(client, password, reason, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.post("/accounts/signup/", {
        "username": "zhangwei-fengtai", "first_name": "张伟", "email": "zw@example.com",
        "password1": password, "password2": password,
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not User.objects.filter(username="zhangwei-fengtai").exists()
