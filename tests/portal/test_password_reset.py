"""A clerk who forgot the password asks for a link by e-mail, chooses a new one and signs in; nobody
learns from the portal whether an address has an account, and asking is limited."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from portal.models import AuditEvent
from portal.password_reset import ResetLimit
from tests.helpers import PASSWORD, token_client

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Quiet-harbour-2026"


@pytest.fixture(autouse=True)
def own_counters(monkeypatch):
    """Each test counts its requests in a cache of its own (no other test shares it)."""
    monkeypatch.setattr(ResetLimit, "cache", LocMemCache(f"reset-{uuid.uuid4()}", {}))


def ask(client: Client, address: str):
    return client.post("/accounts/password/reset/", {"email": address})


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)


def test_the_sign_in_page_links_to_the_reset_in_both_languages(db):
    for language in ("zh-hans", "en"):
        html = Client(headers={"accept-language": language}).get("/accounts/login/").content.decode()
        assert '<a href="/accounts/password/reset/" id="forgot-password">' in html
        page = Client(headers={"accept-language": language}).get("/accounts/password/reset/")
        assert page.status_code == 200 and 'name="email"' in page.content.decode()


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_the_known_one_a_mail(alice, settings):
    client = Client(headers={"accept-language": "en"})
    known, unknown = ask(client, "alice@example.com"), ask(client, "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"]) == (
        302, "/accounts/password/reset/sent/")
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    done = client.get(known["Location"]).content.decode()
    assert "If an account of the portal uses this address" in done
    assert AuditEvent.objects.filter(action="user.password_reset_requested", target_id=alice.pk).count() == 1


def test_the_link_follows_the_portal_s_address(alice, settings):
    settings.PORTAL_BASE_URL = "https://qiye.example.gov.cn"
    ask(Client(), "alice@example.com")
    assert link_in(mail.outbox[0]).startswith("https://qiye.example.gov.cn/accounts/password/reset/")


def test_the_mail_is_in_the_account_holder_s_language(make_user):
    make_user("emma", language="en")
    ask(Client(headers={"accept-language": "zh-hans"}), "emma@example.com")
    [message] = mail.outbox
    assert "Someone asked to reset the password" in message.body and "Your user name: emma" in message.body


def test_a_reset_sets_a_valid_new_password_and_ends_every_other_way_in(alice):
    elsewhere = Client()
    elsewhere.force_login(alice)
    assert elsewhere.get("/applications/").status_code == 200
    api = token_client("alice")
    assert api.get("/api/v1/me/").status_code == 200

    browser = Client(headers={"accept-language": "en"})
    ask(browser, "alice@example.com")
    form_page = browser.get(urlsplit(link_in(mail.outbox[0])).path, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    assert 'name="new_password1"' in form_page.content.decode()

    # The password rules hold: a short one is refused and nothing changes.
    weak = browser.post(set_password_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    done = browser.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_reset", target_id=alice.pk).count() == 1

    # The other session and the API token end; the new password signs in.
    assert elsewhere.get("/applications/")["Location"].startswith("/accounts/login/")
    assert api.get("/api/v1/me/").status_code == 401
    assert Client().post("/accounts/login/", {"username": "alice", "password": NEW_PASSWORD}).status_code == 302

    # The link works once.
    again = Client(headers={"accept-language": "en"}).get(
        urlsplit(link_in(mail.outbox[0])).path, follow=True)
    assert 'id="reset-link-invalid"' in again.content.decode()


def test_asking_too_often_for_one_address_sends_no_more_mail_and_says_nothing_new(alice, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 2
    answers = [ask(Client(REMOTE_ADDR=f"10.0.0.{n}"), "ALICE@example.com") for n in range(4)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/accounts/password/reset/sent/")}
    assert len(mail.outbox) == 2


def test_asking_too_often_from_one_address_stops_there(make_user, settings):
    settings.PASSWORD_RESET_PER_IP = 3
    for n in range(5):
        make_user(f"user{n}")
        ask(Client(REMOTE_ADDR="10.0.0.9"), f"user{n}@example.com")
    assert len(mail.outbox) == 3
    ask(Client(REMOTE_ADDR="10.0.0.10"), "user4@example.com")
    assert len(mail.outbox) == 4
