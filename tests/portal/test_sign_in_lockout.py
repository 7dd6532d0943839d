"""Ten wrong passwords lock the user out, from that address, on every way in; a superuser unlocks."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from portal.models import User
from tests.helpers import PASSWORD, one_time_code

pytestmark = pytest.mark.django_db
LIMIT = 10


def portal_page(client, password):
    return client.post("/accounts/login/", {"username": "zjw1", "password": password})


def admin_page(client, password):
    return client.post("/admin/login/", {"username": "zjw1", "password": password})


def api_token(client, password, username="zjw1"):
    # An official's token takes a one-time code besides the password; the lockout counts passwords.
    code = one_time_code(User.objects.get(username=username))
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, "otp_code": code},
                       format="json")


@pytest.mark.parametrize("sign_in, make_client", [
    (portal_page, Client), (admin_page, Client), (api_token, APIClient),
])
def test_ten_wrong_passwords_lock_even_the_right_one_out(world, sign_in, make_client):
    client = make_client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, "wrong-password-1").status_code in (200, 400)  # the form, told it is wrong
    assert sign_in(client, "wrong-password-1").status_code == 403  # the tenth: locked
    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 403
    if isinstance(client, APIClient):
        assert locked.json()["code"] == "locked"
    else:
        assert "locked" in locked.content.decode().lower() or "锁定" in locked.content.decode()


def test_the_lock_holds_for_that_user_from_that_address_only(world):
    client = APIClient()
    for _ in range(LIMIT):
        api_token(client, "wrong-password-1")
    assert api_token(APIClient(REMOTE_ADDR="10.1.2.3"), PASSWORD).status_code == 200
    assert api_token(APIClient(), PASSWORD, username="zjw2").status_code == 200


def test_fewer_failures_then_the_right_password_start_the_count_again(world):
    client = APIClient()
    for _ in range(LIMIT - 1):
        api_token(client, "wrong-password-1")
    assert api_token(client, PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        api_token(client, "wrong-password-1")
    assert api_token(client, PASSWORD).status_code == 200


def test_a_superuser_unlocks_by_deleting_the_access_attempts(world, superuser):
    client = APIClient()
    for _ in range(LIMIT):
        api_token(client, "wrong-password-1")
    admin = Client()
    admin.force_login(superuser)
    attempt = AccessAttempt.objects.get(username="zjw1")
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api_token(client, PASSWORD).status_code == 200


def test_an_officials_sign_ins_and_failures_are_in_the_audit_trail(world, client):
    from portal.models import AuditEvent

    official = world["officials"]["zjw1"]
    api_token(APIClient(), "wrong-password-1")
    client.post("/admin/login/", {"username": "zjw1", "password": PASSWORD})
    trail = list(AuditEvent.objects.filter(target_type="portal.user", target_id=official.pk)
                 .values_list("action", "actor_id"))
    assert trail == [("user.sign_in_failed", None), ("user.signed_in", official.pk)]
    # A clerk's sign-ins are not an official's: the trail is for decisions and staff access.
    APIClient().post("/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json")
    assert not AuditEvent.objects.filter(target_id=world["clerk"].pk, target_type="portal.user").exists()
