"""免申即享 for an enterprise measure: matched, offered, confirmed in one step, granted, paid."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from notifications.models import Notification
from portal.core.audit import events_of
from portal.core.digest import sm3_digest
from talent.matching import run_matching
from talent.offers import workflow
from talent.offers.models import Disbursement, Offer, OfferStatus
from tests.helpers import at

pytestmark = pytest.mark.django_db


def test_a_gazelle_is_offered_the_measure_confirms_once_and_sees_the_grant_and_its_payment(
    alice, bob, alices_enterprise, make_enterprise_policy, finance_official
):
    alices_enterprise.tech_tier = "gazelle"
    alices_enterprise.employees = 80
    alices_enterprise.save()
    policy = make_enterprise_policy(rules={"tech_tiers": ["gazelle"], "min_employees": 50, "in_good_standing": True})
    with at(2026, 6, 1):
        summary = run_matching()
    assert summary.new_matches == 1
    offer = Offer.objects.get()
    assert (offer.enterprise, offer.status, offer.enterprise_policy) == (alices_enterprise, OfferStatus.OFFERED, policy)
    assert offer.basis["tech_tier"] == "gazelle" and offer.basis["employees"] == 80  # the data it rests on

    with at(2026, 6, 2):
        confirmed = workflow.confirm(alice, offer.pk, commitment_accepted=True)
    assert confirmed.status == OfferStatus.GRANTED and confirmed.granted_amount == Decimal("300000")
    assert confirmed.commitment_digest == sm3_digest(confirmed.canonical_record())
    payment = Disbursement.objects.get(offer=offer)
    assert payment.amount == Decimal("300000") and payment.scheduled_on > datetime.date(2026, 6, 2)
    assert payment.paid_on is None

    # A second confirmation, by anyone of the enterprise, changes nothing.
    again = workflow.confirm(bob, offer.pk, commitment_accepted=True)
    assert (again.status, again.confirmed_by, again.commitment_digest) == (
        OfferStatus.GRANTED, alice, confirmed.commitment_digest)
    assert Disbursement.objects.count() == 1
    assert [e.action for e in events_of(offer)] == ["offer.confirmed", "offer.granted"]

    workflow.record_payment(finance_official, offer.pk, paid_on=datetime.date.today(), reference="FT-PAY-0001")
    payment.refresh_from_db()
    assert payment.reference == "FT-PAY-0001" and payment.paid_on == datetime.date.today()
    told = Notification.objects.filter(recipient=alice, kind="offer.changed", channel="inbox")
    assert told.count() == 2  # granted, then paid


def test_confirming_needs_the_commitment_and_an_outsider_finds_nothing(
    alice, charlie, alices_enterprise, make_enterprise_policy
):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    make_enterprise_policy()
    run_matching()
    offer = Offer.objects.get()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow.confirm(alice, offer.pk, commitment_accepted=False)
    assert "commitment_accepted" in refused.value.message_dict
    with pytest.raises(Http404):
        workflow.confirm(charlie, offer.pk, commitment_accepted=True)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED and offer.confirmed_at is None


def test_a_policy_that_asks_for_a_review_grants_after_the_official_approves(
    alice, alices_enterprise, make_enterprise_policy, talent_department
):
    make_enterprise_policy(review_required=True)
    run_matching()
    offer = workflow.confirm(alice, Offer.objects.get().pk, commitment_accepted=True)
    assert offer.status == OfferStatus.IN_REVIEW and not Disbursement.objects.exists()
    offer = workflow.review(talent_department["official"], offer.pk, "approve")
    assert offer.status == OfferStatus.GRANTED and Disbursement.objects.filter(offer=offer).exists()


def test_a_personal_talent_benefit_needs_the_talents_consent(alice, alices_enterprise, make_talent, make_policy):
    from django.core.exceptions import ValidationError

    make_policy(no_application=True, personal=True, rules={"tiers": ["C"]})
    talent = make_talent(alices_enterprise, tier="C")
    run_matching()
    offer = Offer.objects.get(talent=talent)
    with pytest.raises(ValidationError) as refused:
        workflow.confirm(alice, offer.pk, commitment_accepted=True)
    assert "consent_recorded" in refused.value.message_dict
    offer = workflow.confirm(alice, offer.pk, commitment_accepted=True, consent_recorded=True)
    assert offer.status == OfferStatus.GRANTED and talent.name in offer.consent_text
