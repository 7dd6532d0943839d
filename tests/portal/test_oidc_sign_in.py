"""Signing in through the city's unified login (统一身份认证), over real HTTP to a local provider.

Each story walks the browser's way: the portal's start address sends it to the provider, the
provider (tests/portal/oidc_provider.py, on 127.0.0.1) sends it back with a code, and the portal
exchanges the code for an ID token and checks it against the provider's published key itself.
"""

import socket
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, ExternalIdentity
from tests.helpers import PASSWORD, messages_of
from tests.portal.oidc_provider import ANSWER_FLAWS, Provider
from tests.portal.test_safe_defaults import manage, production, shell

pytestmark = pytest.mark.django_db
START, CALLBACK = "/accounts/unified-login/start/", "/accounts/unified-login/callback/"
BUTTON = "Sign in with the city's unified login"


@pytest.fixture(scope="module")
def city_login():
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def unified_login(city_login, settings):
    """The portal configured for the local provider, as OIDC_* variables would configure it."""
    for name, value in city_login.settings().items():
        setattr(settings, name, value)
    if settings.UNIFIED_LOGIN_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, settings.UNIFIED_LOGIN_BACKEND]
    city_login.reset()
    return city_login


def english() -> Client:
    return Client(headers={"accept-language": "en"})


def sign_in_through_the_city(client: Client, next_url: str = "", state: str = ""):
    """Press the button, let the provider sign the person in, come back; the page finally shown."""
    start = client.get(START, {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content
    at_the_city = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_the_city.status_code == 302, at_the_city.text
    back = urlsplit(at_the_city.headers["Location"])
    assert back.path == CALLBACK
    answer = dict(parse_qsl(back.query))
    if state:
        answer["state"] = state
    return client.get(back.path, answer, follow=True)


def signed_in_as(client: Client) -> str | None:
    me = client.get("/api/v1/me/")
    return me.json()["username"] if me.status_code == 200 else None


def refusals() -> list[tuple[str, str, dict]]:
    return [(event.target_type, event.data["refusal"], event.data)
            for event in AuditEvent.objects.filter(action="user.external_sign_in_refused")]


# --- when it is configured, and when not ---------------------------------------------------


def test_without_configuration_there_is_no_button_and_no_unified_login(client):
    assert BUTTON not in english().get("/accounts/login/").content.decode()
    assert BUTTON not in english().get("/admin/login/").content.decode()
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_configured_both_sign_in_pages_offer_it(unified_login):
    portal_page = english().get("/accounts/login/?next=/inbox/").content.decode()
    assert BUTTON in portal_page and f'href="{START}?next=/inbox/"' in portal_page
    admin_page = english().get("/admin/login/").content.decode()
    assert BUTTON in admin_page and f'href="{START}?next=/admin/"' in admin_page


def test_the_settings_add_its_backend_after_the_others_and_refuse_half_a_configuration(tmp_path):
    variables = {"OIDC_RP_CLIENT_ID": "xfg", "OIDC_RP_CLIENT_SECRET": "s3cret", "OIDC_OP_ISSUER": "https://login.example.gov.cn"}
    printed = shell(production(tmp_path, **variables), "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS)")
    assert printed[-1] == str(["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend",
                               "portal.unified_login.backend.UnifiedLoginBackend"])
    half = manage(production(tmp_path, OIDC_RP_CLIENT_ID="xfg"), "check")
    assert half.returncode != 0 and "OIDC_RP_CLIENT_SECRET, OIDC_OP_ISSUER" in half.stderr
    plain_http = manage(production(tmp_path, **{**variables, "OIDC_OP_ISSUER": "http://login.example.gov.cn"}), "check")
    assert plain_http.returncode != 0 and "OIDC_OP_ISSUER" in plain_http.stderr


# --- company users -------------------------------------------------------------------------


def test_a_clerk_is_recognised_by_a_verified_email_and_from_then_on_by_the_city_identity(unified_login, alice):
    unified_login.reset(sub="city-0001", email="Alice@Example.com", email_verified=True)
    client = english()
    page = sign_in_through_the_city(client)
    assert page.redirect_chain[-1][0] == reverse("my_enterprises") and page.status_code == 200
    assert signed_in_as(client) == "alice"
    # The portal itself fetched the token, the provider's keys and the person's claims.
    assert {"POST /token", "GET /jwks", "GET /userinfo"} <= set(unified_login.requests)
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider.issuer, identity.subject) == (alice, unified_login.issuer, "city-0001")
    assert AuditEvent.objects.filter(action="user.external_identity_linked", target_id=alice.pk).count() == 1

    # Later her e-mail differs on both sides, and it is no longer verified: the identity still is hers.
    alice.email = "alice@elsewhere.example"
    alice.save()
    unified_login.reset(sub="city-0001", email="someone@example.com", email_verified=False)
    again = english()
    sign_in_through_the_city(again)
    assert signed_in_as(again) == "alice"
    assert ExternalIdentity.objects.count() == 1 and not refusals()


def test_the_page_asked_for_is_shown_after_signing_in(unified_login, alice):
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    page = sign_in_through_the_city(english(), next_url="/inbox/")
    assert page.redirect_chain[-1][0] == "/inbox/" and page.status_code == 200


@pytest.mark.parametrize("verified", [False, "true", None])
def test_an_email_the_city_has_not_verified_signs_nobody_in(unified_login, alice, verified):
    unified_login.reset(sub="city-0002", email="alice@example.com", email_verified=verified)
    client = english()
    page = sign_in_through_the_city(client)
    assert page.redirect_chain[-1][0] == reverse("login")
    assert signed_in_as(client) is None
    assert "has not verified the e-mail address" in " ".join(messages_of(page))
    assert [(target, refusal) for target, refusal, _ in refusals()] == [("portal.identityprovider", "email_not_verified")]
    assert not ExternalIdentity.objects.exists()


def test_an_unknown_identity_is_refused_and_no_account_is_made(unified_login, alice):
    accounts = get_user_model().objects.count()
    unified_login.reset(sub="city-0003", email="stranger@example.com", email_verified=True)
    client = english()
    page = sign_in_through_the_city(client)
    assert signed_in_as(client) is None
    assert "No account of the portal belongs to this unified-login identity" in " ".join(messages_of(page))
    assert get_user_model().objects.count() == accounts and not ExternalIdentity.objects.exists()
    [(target, refusal, data)] = refusals()
    assert (target, refusal, data["subject"], data["email"]) == (
        "portal.identityprovider", "unknown", "city-0003", "stranger@example.com")


def test_a_phone_number_is_never_matched(unified_login, alice):
    alice.phone = "13800138000"
    alice.save()
    unified_login.reset(sub="city-0006", phone_number="13800138000", phone_number_verified=True)
    client = english()
    sign_in_through_the_city(client)
    assert signed_in_as(client) is None and not ExternalIdentity.objects.exists()


def test_an_email_of_two_accounts_is_refused(unified_login, make_user):
    make_user("wang1", email="Wang@example.com")
    make_user("wang2", email="wang@example.com")
    unified_login.reset(sub="city-0004", email="wang@example.com", email_verified=True)
    client = english()
    page = sign_in_through_the_city(client)
    assert signed_in_as(client) is None
    assert "belongs to more than one account" in " ".join(messages_of(page))
    assert [refusal for _, refusal, _ in refusals()] == ["ambiguous"]


def test_a_disabled_account_is_refused_whether_linked_or_not(unified_login, alice, bob):
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    sign_in_through_the_city(english())
    get_user_model().objects.filter(pk__in=[alice.pk, bob.pk]).update(is_active=False)
    for sub, email in [("city-0001", "alice@example.com"), ("city-0005", "bob@example.com")]:
        unified_login.reset(sub=sub, email=email, email_verified=True)
        client = english()
        page = sign_in_through_the_city(client)
        assert signed_in_as(client) is None
        assert "is disabled" in " ".join(messages_of(page))
    assert [(target, refusal) for target, refusal, _ in refusals()] == [("portal.user", "inactive")] * 2


def test_an_account_already_linked_to_another_identity_is_not_linked_again(unified_login, alice):
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    sign_in_through_the_city(english())
    unified_login.reset(sub="city-9999", email="alice@example.com", email_verified=True)
    client = english()
    sign_in_through_the_city(client)
    assert signed_in_as(client) is None
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["city-0001"]
    assert [refusal for _, refusal, _ in refusals()] == ["linked_to_another_identity"]


# --- answers the portal cannot trust ---------------------------------------------------------


@pytest.mark.parametrize("flaw", ANSWER_FLAWS)
def test_an_answer_that_is_forged_expired_or_meant_for_another_is_refused(unified_login, alice, flaw):
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    unified_login.flaw = flaw
    client = english()
    page = sign_in_through_the_city(client)
    assert signed_in_as(client) is None
    assert "could not be verified" in " ".join(messages_of(page))
    assert [refusal for _, refusal, _ in refusals()] == ["invalid_answer"]
    assert not ExternalIdentity.objects.exists()


def test_an_answer_to_a_sign_in_this_browser_did_not_start_is_refused_unexchanged(unified_login, alice):
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    client = english()
    page = sign_in_through_the_city(client, state="a-state-this-browser-never-had")
    assert signed_in_as(client) is None
    assert "could not be verified" in " ".join(messages_of(page))
    assert "POST /token" not in unified_login.requests  # the code was never exchanged
    assert [refusal for _, refusal, _ in refusals()] == ["invalid_answer"]


def test_a_password_form_carrying_a_code_is_never_taken_for_the_unified_login(unified_login, alice):
    response = english().post("/accounts/login/?code=stolen&state=any", {"username": "alice", "password": "wrong-pw-1"})
    assert response.status_code == 200 and not unified_login.requests
    assert english().post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_people_refused_do_not_lock_the_unified_login_for_their_address(unified_login, alice):
    # An office behind one address: more refusals than the password lockout allows (10).
    for number in range(12):
        unified_login.reset(sub=f"visitor-{number}", email="visitor@example.com", email_verified=True)
        sign_in_through_the_city(english())
    assert len(refusals()) == 12
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    client = english()
    sign_in_through_the_city(client)
    assert signed_in_as(client) == "alice"


def test_a_provider_out_of_reach_is_told_not_a_server_error(unified_login, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{closed.getsockname()[1]}"
    client = english()
    page = client.get(START, follow=True)
    assert page.redirect_chain[-1][0] == reverse("login")
    assert "cannot be reached just now" in " ".join(messages_of(page))


# --- staff -----------------------------------------------------------------------------------


def test_an_officials_sign_in_through_the_city_is_in_the_audit_trail(unified_login, make_official, departments, alice):
    official = make_official("zjw1", departments["RSJ"])
    unified_login.reset(sub="city-0100", email="zjw1@example.com", email_verified=True)
    client = english()
    page = sign_in_through_the_city(client, next_url="/admin/")
    # Signed in, and asked for the second factor before the admin opens (an official's every sign-in).
    assert page.redirect_chain[-1][0].startswith("/accounts/second-factor/") and page.status_code == 200
    assert "next=%2Fadmin%2F" in page.redirect_chain[-1][0]
    [event] = AuditEvent.objects.filter(action="user.signed_in")
    assert (event.actor, event.target_id, event.data) == (
        official, official.pk, {"address": "127.0.0.1", "method": "unified_login"})
    # A clerk's sign-in is not staff access: linked, but no sign-in event.
    unified_login.reset(sub="city-0001", email="alice@example.com", email_verified=True)
    sign_in_through_the_city(english())
    assert AuditEvent.objects.filter(action="user.signed_in").count() == 1
