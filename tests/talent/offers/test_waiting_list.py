"""Confirmations wait in order when the quota is used up; a grant given back goes to the first in line, once."""

import time

import pytest
from django.utils.translation import override

from portal.core.audit import events_of
from talent.matching import run_matching
from talent.offers import selectors, workflow
from talent.offers.models import Offer, OfferStatus
from tests.helpers import in_threads
from tests.talent.offers.conftest import uscc

REASON = "数据不实，撤销。"


def _four_enterprises(make_user, make_enterprise, alice, alices_enterprise):
    people = [(alice, alices_enterprise)]
    for index in (1, 2, 3):
        user = make_user(f"clerk{index}")
        people.append((user, make_enterprise(user, uscc=uscc(index))))
    return people


def _confirmed_in_order(people):
    offers = []
    for user, enterprise in people:
        offer = Offer.objects.get(enterprise=enterprise)
        offers.append(workflow.confirm(user, offer.pk, commitment_accepted=True))
    return offers


@pytest.mark.django_db
def test_the_confirmations_beyond_the_quota_wait_with_their_positions_and_a_revocation_promotes_the_first(
    alice, alices_enterprise, make_user, make_enterprise, make_enterprise_policy, talent_department
):
    make_enterprise_policy(annual_quota=2)
    people = _four_enterprises(make_user, make_enterprise, alice, alices_enterprise)
    run_matching()
    first, second, third, fourth = _confirmed_in_order(people)
    assert [o.status for o in (first, second, third, fourth)] == [OfferStatus.GRANTED, OfferStatus.GRANTED,
                                                                  OfferStatus.WAITING, OfferStatus.WAITING]
    assert selectors.place_of(third) == selectors.Place(position=1, count=2)
    assert selectors.place_of(fourth) == selectors.Place(position=2, count=2)

    with override("en"):  # the reason is written in the language of the request that revokes
        workflow.revoke(talent_department["official"], first.pk, REASON)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert (third.status, fourth.status) == (OfferStatus.GRANTED, OfferStatus.WAITING)
    assert selectors.place_of(fourth) == selectors.Place(position=1, count=1)
    granted = [e for e in events_of(third) if e.action == "offer.granted"]
    assert len(granted) == 1 and "the first on the waiting list is granted" in granted[0].reason

    workflow.withdraw(people[3][0], fourth.pk)  # leaves the line; nothing else moves
    assert Offer.objects.filter(status=OfferStatus.GRANTED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_revocations_at_once_promote_the_first_two_in_line_each_once(
    alice, alices_enterprise, make_user, make_enterprise, make_enterprise_policy, talent_department, monkeypatch
):
    """Each revocation reads the line and grants its first; without the policy's lock both would read the
    same first in line (the pause below makes sure they read at the same moment) and grant it twice."""
    make_enterprise_policy(annual_quota=2)
    people = _four_enterprises(make_user, make_enterprise, alice, alices_enterprise)
    run_matching()
    first, second, third, fourth = _confirmed_in_order(people)
    official = talent_department["official"]

    read_line = selectors.waiting_line

    def line_read_slowly(policy):
        line = list(read_line(policy))
        time.sleep(0.5)
        return line

    monkeypatch.setattr(selectors, "waiting_line", line_read_slowly)
    outcomes = in_threads(2, lambda index: workflow.revoke(official, (first, second)[index].pk, REASON).status)

    assert outcomes == [OfferStatus.REVOKED, OfferStatus.REVOKED], outcomes
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert (statuses[third.pk], statuses[fourth.pk]) == (OfferStatus.GRANTED, OfferStatus.GRANTED)
    assert Offer.objects.filter(status=OfferStatus.GRANTED).count() == 2
    for offer in (third, fourth):
        assert [e.action for e in events_of(offer)].count("offer.granted") == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_a_quota_of_one_grant_exactly_one(
    make_user, make_enterprise, make_enterprise_policy
):
    make_enterprise_policy(annual_quota=1)
    people = [(user := make_user(f"c{index}"), make_enterprise(user, uscc=uscc(index))) for index in range(4)]
    run_matching()
    offers = {user.pk: Offer.objects.get(enterprise=enterprise).pk for user, enterprise in people}
    outcomes = in_threads(4, lambda i: workflow.confirm(people[i][0], offers[people[i][0].pk],
                                                        commitment_accepted=True).status)
    assert sorted(outcomes) == sorted([OfferStatus.GRANTED] + [OfferStatus.WAITING] * 3), outcomes
    positions = sorted(selectors.place_of(o).position for o in Offer.objects.filter(status=OfferStatus.WAITING))
    assert positions == [1, 2, 3]
