"""Officials and administrators confirm every sign-in with a one-time code; clerks sign in as before.

The officials here sign in through the pages with their password, as a person does, so their
sessions start unconfirmed (`client.force_login` of the other tests confirms them at once).
"""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.models import AuditEvent
from tests.helpers import PASSWORD, SHANGHAI, app_code, enrol_second_factor

pytestmark = pytest.mark.django_db
ADMIN_PAGES = ["/admin/", "/admin/services/application/", "/admin/services/task/",
               "/admin/enterprises/enterprise/", "/admin/portal/user/", "/admin/password_change/"]
OFFICIAL_CALLS = ["/api/v1/tasks/", "/api/v1/intake/", "/api/v1/me/", "/api/v1/applications/"]


def sign_in(username: str, **headers) -> Client:
    """A browser whose user typed the password on the sign-in page."""
    client = Client(**headers)
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def trail(user) -> list[tuple[str, dict]]:
    return [(event.action, event.data) for event in AuditEvent.objects.filter(
        target_type="portal.user", target_id=user.pk, action__startswith="user.second_factor")]


def recovery_codes_on(page) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())


def wrong_code(device) -> str:
    """Six digits the app shows neither now nor one step before or after."""
    shown = {app_code(device, offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in shown)


def token(username: str, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra},
                            format="json")


def test_an_official_without_a_second_factor_reaches_no_admin_page_and_is_sent_to_set_one_up(world):
    browser = sign_in("zjw1")
    for page in ADMIN_PAGES:
        response = browser.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/second-factor/?next="), page
    assert browser.get("/accounts/second-factor/?next=/admin/")["Location"].startswith(
        "/accounts/second-factor/enrol/")
    # The portal's pages too: until the code, only the second-factor pages open.
    assert browser.get("/enterprises/")["Location"].startswith("/accounts/second-factor/")


def test_the_admin_site_itself_refuses_an_unconfirmed_official(world, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "portal.core.security.SecondFactorMiddleware"]
    browser = sign_in("zjw1")
    response = browser.get("/admin/services/application/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_an_unconfirmed_official_makes_no_api_call_by_session_nor_by_a_token_of_before(world):
    official = world["officials"]["zjw1"]
    browser = sign_in("zjw1")
    _, old_token = AuthToken.objects.create(official)  # issued before the second factor existed
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {old_token}")
    for call in OFFICIAL_CALLS:
        response = browser.get(call)
        assert (response.status_code, response.json()["code"]) == (401, "second_factor_required"), call
        response = by_token.get(call)
        assert (response.status_code, response.json()["code"]) == (401, "second_factor_required"), call


def test_enrolment_shows_the_qr_code_and_secret_then_ten_recovery_codes_once(world):
    official = world["officials"]["zjw1"]
    _, old_token = AuthToken.objects.create(official)
    browser = sign_in("zjw1")

    page = browser.get("/accounts/second-factor/enrol/?next=/admin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<img src="data:image/svg\+xml[^"]+"', html)  # the QR code, inline: no script
    assert "<script" not in html
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") and browser.get("/accounts/second-factor/enrol/").content.decode().count(secret) == 1

    done = browser.post("/accounts/second-factor/enrol/", {"code": app_code(device), "next": "/admin/"})
    codes = recovery_codes_on(done)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert browser.get("/admin/").status_code == 200  # the session is confirmed
    assert TOTPDevice.objects.get(user=official).confirmed
    assert not AuthToken.objects.filter(user=official).exists()  # issued without a code
    assert APIClient(HTTP_AUTHORIZATION=f"Token {old_token}").get("/api/v1/tasks/").status_code == 401
    assert [action for action, _ in trail(official)] == ["user.second_factor_enrolled"]
    # Shown once: no page shows them again, and enrolment is over.
    assert browser.get("/accounts/second-factor/enrol/")["Location"].startswith("/accounts/second-factor/")
    assert recovery_codes_on(browser.get("/accounts/second-factor/recovery-codes/")) == []


def test_enrolment_refuses_a_wrong_first_code_and_records_it(world):
    official = world["officials"]["zjw1"]
    browser = sign_in("zjw1", HTTP_ACCEPT_LANGUAGE="en")
    browser.get("/accounts/second-factor/enrol/")
    page = browser.post("/accounts/second-factor/enrol/", {
        "code": wrong_code(TOTPDevice.objects.get(user=official))})
    assert page.status_code == 200 and "The code is wrong" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert trail(official)[0][0] == "user.second_factor_failed"
    assert browser.get("/admin/").status_code == 302


def test_an_enrolled_official_confirms_the_sign_in_with_the_app_and_goes_on(world):
    official = world["officials"]["zjw1"]
    device = enrol_second_factor(official)
    browser = sign_in("zjw1", REMOTE_ADDR="10.0.0.7")
    assert browser.get("/admin/")["Location"] == "/accounts/second-factor/?next=/admin/"
    # Having an app, the official cannot set up another with the password alone.
    assert browser.get("/accounts/second-factor/enrol/")["Location"].startswith("/accounts/second-factor/")
    response = browser.post("/accounts/second-factor/", {"code": app_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    assert browser.get("/api/v1/tasks/").status_code == 200
    [(action, data)] = trail(official)
    assert action == "user.second_factor_verified" and data["address"] == "10.0.0.7" and data["method"] == "app"
    # The app's code of that moment does not open a second session.
    again = sign_in("zjw1").post("/accounts/second-factor/", {"code": app_code(device)})
    assert again.status_code == 200 and trail(official)[-1][0] == "user.second_factor_failed"


def test_a_recovery_code_confirms_a_sign_in_once(world):
    official = world["officials"]["zjw1"]
    browser = sign_in("zjw1")
    browser.get("/accounts/second-factor/enrol/")
    codes = recovery_codes_on(browser.post("/accounts/second-factor/enrol/", {
        "code": app_code(TOTPDevice.objects.get(user=official))}))

    phone_lost = sign_in("zjw1")
    assert phone_lost.post("/accounts/second-factor/", {"code": codes[0].upper()}).status_code == 302
    assert phone_lost.get("/admin/").status_code == 200
    assert trail(official)[-1] == ("user.second_factor_verified", {
        "address": "127.0.0.1", "method": "recovery_code", "recovery_codes_left": 9})

    reused = sign_in("zjw1")
    assert reused.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 200
    assert reused.get("/admin/").status_code == 302
    assert trail(official)[-1][1]["reason"] == "wrong_code"
    assert StaticToken.objects.filter(device__user=official).count() == 9


def test_wrong_codes_are_refused_recorded_and_the_next_waits_longer_each_time(world):
    official = world["officials"]["zjw1"]
    start = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        device = enrol_second_factor(official)
        browser = sign_in("zjw1")
        assert browser.post("/accounts/second-factor/", {"code": wrong_code(device)}).status_code == 200
        # At once, even the right code waits (1 s after one wrong code): refused as locked.
        locked = browser.post("/accounts/second-factor/", {"code": app_code(device)})
        assert locked.status_code == 200 and browser.get("/admin/").status_code == 302
    with time_machine.travel(start + datetime.timedelta(seconds=1), tick=False):
        assert browser.post("/accounts/second-factor/", {"code": wrong_code(device)}).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=2), tick=False):  # two wrong: 2 s
        assert browser.post("/accounts/second-factor/", {"code": app_code(device)}).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=3), tick=False):
        assert browser.post("/accounts/second-factor/", {"code": app_code(device)}).status_code == 302
    assert [(action, data.get("reason")) for action, data in trail(official)] == [
        ("user.second_factor_failed", "wrong_code"), ("user.second_factor_failed", "locked"),
        ("user.second_factor_failed", "wrong_code"), ("user.second_factor_failed", "locked"),
        ("user.second_factor_verified", None),
    ]


def test_an_officials_token_is_issued_only_with_a_one_time_code(world):
    official = world["officials"]["zjw1"]
    not_enrolled = token("zjw1", otp_code="123456")
    assert (not_enrolled.status_code, not_enrolled.json()["field"]) == (400, "otp_code")

    device = enrol_second_factor(official)
    missing = token("zjw1")
    assert (missing.status_code, missing.json()["field"]) == (400, "otp_code")
    wrong = token("zjw1", otp_code=wrong_code(device))
    assert (wrong.status_code, wrong.json()["field"]) == (400, "otp_code")
    assert trail(official)[-1][1]["reason"] == "wrong_code"
    at_once = token("zjw1", otp_code=app_code(device))  # within the back-off after a wrong code
    assert (at_once.status_code, at_once.json()["code"]) == (403, "locked")
    with time_machine.travel(datetime.timedelta(seconds=2)):
        issued = token("zjw1", otp_code=app_code(device))
        assert issued.status_code == 200
        integration = APIClient(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
        assert integration.get("/api/v1/tasks/").status_code == 200
    # Only the token issued counts as a sign-in: a missing or wrong code is no sign-in.
    assert AuditEvent.objects.filter(action="user.signed_in", target_id=official.pk).count() == 1


def test_clerks_sign_in_and_get_tokens_as_before_and_never_open_the_admin(world):
    clerk_token = token("clerk")
    assert clerk_token.status_code == 200
    assert APIClient(HTTP_AUTHORIZATION=f"Token {clerk_token.json()['token']}").get("/api/v1/me/").status_code == 200
    browser = sign_in("clerk")
    assert browser.get("/enterprises/").status_code == 200
    assert browser.get("/api/v1/me/").status_code == 200
    assert browser.get("/admin/")["Location"].startswith("/admin/login/")
    assert browser.get("/accounts/second-factor/enrol/").status_code == 404
    assert not TOTPDevice.objects.exists()


def test_sign_out_everywhere_ends_every_other_session_and_every_token(world):
    clerk = world["clerk"]
    laptop, phone = sign_in("clerk"), sign_in("clerk")
    tokens = [APIClient(HTTP_AUTHORIZATION=f"Token {token('clerk').json()['token']}") for _ in range(2)]
    assert "Sign out everywhere" in laptop.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert laptop.post("/accounts/sign-out-everywhere/")["Location"] == "/accounts/login/"

    assert phone.get("/enterprises/")["Location"].startswith("/accounts/login/")
    assert laptop.get("/enterprises/")["Location"].startswith("/accounts/login/")
    assert [client.get("/api/v1/me/").status_code for client in tokens] == [401, 401]
    assert not AuthToken.objects.filter(user=clerk).exists()
    assert AuditEvent.objects.get(action="user.signed_out_everywhere").data["tokens"] == 2
    assert sign_in("clerk").get("/enterprises/").status_code == 200  # signing in again works


def test_an_official_signs_out_everywhere_too(world, client):
    official = world["officials"]["zjw1"]
    client.force_login(official)
    other = Client()
    other.force_login(official)
    assert other.get("/admin/").status_code == 200
    client.post("/accounts/sign-out-everywhere/")
    assert other.get("/admin/")["Location"].startswith("/admin/login/")


def test_new_recovery_codes_replace_the_old_ones(world, client):
    official = world["officials"]["zjw1"]
    client.force_login(official)
    first = recovery_codes_on(client.post("/accounts/second-factor/recovery-codes/"))
    second = recovery_codes_on(client.post("/accounts/second-factor/recovery-codes/"))
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert sorted(StaticToken.objects.filter(device__user=official).values_list("token", flat=True)) == sorted(second)
    assert AuditEvent.objects.filter(action="user.recovery_codes_issued", target_id=official.pk).count() == 2


def test_an_official_resets_the_second_factor_and_sets_up_a_new_app(world, client):
    official = world["officials"]["zjw1"]
    client.force_login(official)
    integration = APIClient(HTTP_AUTHORIZATION=f"Token {token('zjw1', otp_code=app_code(enrol_second_factor(official))).json()['token']}")
    assert integration.get("/api/v1/tasks/").status_code == 200

    assert client.post("/accounts/second-factor/reset/")["Location"] == "/accounts/second-factor/enrol/"

    assert client.get("/admin/")["Location"].startswith("/accounts/second-factor/")
    assert client.get("/accounts/second-factor/enrol/").status_code == 200  # a new app, from this session
    assert integration.get("/api/v1/tasks/").status_code == 401
    assert trail(official)[-1][0] == "user.second_factor_reset" and trail(official)[-1][1]["by"] == "self"


def test_a_superuser_resets_an_officials_second_factor_in_the_admin(world, superuser):
    official = world["officials"]["zjw1"]
    at_work = Client()
    at_work.force_login(official)
    assert at_work.get("/admin/").status_code == 200
    admin = Client()
    admin.force_login(superuser)

    response = admin.post("/admin/portal/user/", {"action": "reset_second_factor", "_selected_action": [official.pk]})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert at_work.get("/admin/")["Location"].startswith("/accounts/second-factor/")
    event = AuditEvent.objects.get(action="user.second_factor_reset", target_id=official.pk)
    assert event.actor == superuser and event.data["by"] == "superuser"
    # No admin page shows a device and its secret.
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
