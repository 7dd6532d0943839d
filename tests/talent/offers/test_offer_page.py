"""The clerk's page of offers (免申即享): the data, the state, the one-step confirmation, the grant and its
payment; a second post changes nothing; another enterprise's member finds nothing; the service manager's
workbench shows the confirmation at once; the demo leaves an offer waiting for clerk1."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from enterprises.models import Membership
from notifications.models import Notification
from portal.core.audit import events_of
from talent.matching import run_matching
from talent.offers.models import Disbursement, Offer, OfferStatus
from tests.conftest import VALID_USCCS
from tests.helpers import at

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def page_of(enterprise) -> str:
    return f"/enterprises/{enterprise.pk}/offers/"


def confirm_url(offer) -> str:
    return f"/enterprises/{offer.enterprise_id}/offers/{offer.pk}/confirm/"


@pytest.fixture
def gazelle_offer(alices_enterprise, make_enterprise_policy):
    alices_enterprise.tech_tier = "gazelle"
    alices_enterprise.employees = 80
    alices_enterprise.save()
    make_enterprise_policy(rules={"tech_tiers": ["gazelle"], "min_employees": 50, "in_good_standing": True})
    with at(2026, 6, 1):
        run_matching()
    return Offer.objects.get()


def test_the_clerk_sees_the_offer_with_its_data_and_confirms_it_in_one_step(alice, gazelle_offer):
    client = signed_in(alice)
    page = client.get(page_of(gazelle_offer.enterprise))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="offer-{gazelle_offer.pk}"' in html and "Enterprise policy QY-01" in html
    assert "Offered, waiting for confirmation" in html
    assert "Gazelle" in html or "gazelle" in html.lower()  # the tech tier it rests on, by its label
    assert "80" in html and 'name="commitment_accepted"' in html
    assert "<script" not in html.split("<main", 1)[-1]  # CSP: nothing inline in the page's content

    with at(2026, 6, 2):
        done = client.post(confirm_url(gazelle_offer), {"commitment_accepted": "on"}, follow=True)
    assert done.status_code == 200
    html = done.content.decode()
    assert "Confirmed. The offer is now: Granted." in html
    assert "300000.00 CNY (2026)" in html  # the grant
    payment = Disbursement.objects.get(offer=gazelle_offer)
    assert f"300000.00 CNY scheduled for {payment.scheduled_on:%Y-%m-%d}" in html  # and its payment date
    assert 'name="commitment_accepted"' not in html  # nothing left to confirm

    # The message of the grant leads to this page.
    told = Notification.objects.filter(recipient=alice, kind="offer.changed", channel="inbox").first()
    assert told.link == f"/enterprises/{gazelle_offer.enterprise_id}/offers/#offer-{gazelle_offer.pk}"


def test_a_second_confirmation_changes_nothing_and_says_so(alice, bob, gazelle_offer):
    signed_in(alice).post(confirm_url(gazelle_offer), {"commitment_accepted": "on"})
    gazelle_offer.refresh_from_db()
    confirmed = (gazelle_offer.status, gazelle_offer.confirmed_at, gazelle_offer.confirmed_by_id,
                 gazelle_offer.commitment_digest)
    again = signed_in(bob).post(confirm_url(gazelle_offer), {"commitment_accepted": "on"}, follow=True)
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode() and "nothing was changed" in again.content.decode()
    gazelle_offer.refresh_from_db()
    assert (gazelle_offer.status, gazelle_offer.confirmed_at, gazelle_offer.confirmed_by_id,
            gazelle_offer.commitment_digest) == confirmed
    assert Disbursement.objects.count() == 1
    assert [e.action for e in events_of(gazelle_offer)] == ["offer.confirmed", "offer.granted"]


def test_without_the_tick_nothing_is_confirmed_and_the_field_is_named(alice, gazelle_offer):
    answer = signed_in(alice).post(confirm_url(gazelle_offer), {})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Confirm that the data the offer is based on are true." in html and 'aria-invalid="true"' in html
    gazelle_offer.refresh_from_db()
    assert gazelle_offer.status == OfferStatus.OFFERED and gazelle_offer.confirmed_at is None


def test_a_personal_benefit_asks_for_the_talents_consent(alice, alices_enterprise, make_talent, make_policy):
    make_policy(no_application=True, personal=True, rules={"tiers": ["C"]})
    talent = make_talent(alices_enterprise, tier="C")
    run_matching()
    offer = Offer.objects.get(talent=talent)
    client = signed_in(alice)
    assert 'name="consent_recorded"' in client.get(page_of(alices_enterprise)).content.decode()
    refused = client.post(confirm_url(offer), {"commitment_accepted": "on"})
    assert refused.status_code == 400 and talent.name in refused.content.decode()
    client.post(confirm_url(offer), {"commitment_accepted": "on", "consent_recorded": "on"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.GRANTED and talent.name in offer.consent_text


def test_another_enterprises_member_gets_404(charlie, make_enterprise, gazelle_offer):
    own = make_enterprise(charlie, uscc=VALID_USCCS[1])
    client = signed_in(charlie)
    assert client.get(page_of(gazelle_offer.enterprise)).status_code == 404
    assert client.post(confirm_url(gazelle_offer), {"commitment_accepted": "on"}).status_code == 404
    # Nor through their own enterprise's address.
    assert client.post(f"/enterprises/{own.pk}/offers/{gazelle_offer.pk}/confirm/",
                       {"commitment_accepted": "on"}).status_code == 404
    assert client.get(page_of(own)).status_code == 200
    gazelle_offer.refresh_from_db()
    assert gazelle_offer.status == OfferStatus.OFFERED


def test_the_package_page_links_to_the_offers(alice, gazelle_offer):
    html = signed_in(alice).get(f"/enterprises/{gazelle_offer.enterprise_id}/package/").content.decode()
    assert "1 benefit waits for your confirmation." in html and page_of(gazelle_offer.enterprise) in html


def test_the_managers_workbench_shows_the_confirmation_at_once(alice, gazelle_offer, make_official, departments):
    manager = make_official("guanjia9", departments["ZWFW"])
    enterprise = gazelle_offer.enterprise
    enterprise.service_manager = manager
    enterprise.save(update_fields=["service_manager"])
    api = APIClient()
    api.force_authenticate(manager)

    def section() -> dict:
        detail = api.get(f"/api/v1/managed-enterprises/{enterprise.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
        return next(s for s in detail["sections"] if s["code"] == "confirmations")

    assert [item["detail"] for item in section()["items"]] == ["Offered, waiting for confirmation"]
    signed_in(alice).post(confirm_url(gazelle_offer), {"commitment_accepted": "on"})
    [item] = section()["items"]
    assert item["detail"].startswith("Granted · confirmed ")
    page = signed_in(manager).get(f"/admin/enterprises/managedenterprise/{enterprise.pk}/change/").content.decode()
    assert "Confirmations" in page and "Enterprise policy QY-01" in page and "Granted · confirmed" in page


def test_the_demo_leaves_an_offer_waiting_for_clerk1():
    call_command("seed_demo", allow_debug_off=True, stdout=StringIO())
    clerk = get_user_model().objects.get(username="clerk1")
    enterprise = Membership.objects.get(user=clerk).enterprise
    waiting = Offer.objects.filter(enterprise=enterprise, status=OfferStatus.OFFERED)
    assert waiting.filter(enterprise_policy__review_required=False).exists()  # granted at once when confirmed
    offer = waiting.filter(enterprise_policy__review_required=False).first()
    done = signed_in(clerk).post(confirm_url(offer), {"commitment_accepted": "on"}, follow=True)
    assert "Confirmed. The offer is now: Granted." in done.content.decode()
    assert Disbursement.objects.filter(offer=offer).exists()
    assert enterprise.service_manager is not None
