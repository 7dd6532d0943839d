"""The offers' API: a clerk lists their enterprise's offers and confirms one, once, with an Idempotency-Key."""

import pytest
from rest_framework.test import APIClient

from talent.matching import run_matching
from talent.offers.models import Disbursement, Offer
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


def test_a_clerk_lists_and_confirms_an_offer_and_a_repeat_changes_nothing(
    alice, charlie, alices_enterprise, make_enterprise_policy
):
    make_enterprise_policy(annual_quota=5)
    run_matching()
    offer = Offer.objects.get()
    api = token_client("alice")
    listed = api.get("/api/v1/offers/").json()
    assert [row["id"] for row in listed["results"]] == [offer.pk]
    assert listed["results"][0]["status"] == "offered" and listed["results"][0]["level"] == "enterprise"

    url = f"/api/v1/offers/{offer.pk}/confirm/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "commitment_accepted"

    first = api.post(url, {"commitment_accepted": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["status"] == "granted" and body["disbursement"]["scheduled_on"]
    replay = api.post(url, {"commitment_accepted": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
    again = api.post(url, {"commitment_accepted": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert again.status_code == 200 and again.json()["confirmed_at"] == body["confirmed_at"]
    assert Disbursement.objects.count() == 1

    outsider = token_client("charlie")
    assert outsider.get(f"/api/v1/offers/{offer.pk}/").status_code == 404
    assert outsider.post(url, {"commitment_accepted": True}, format="json").status_code == 404
    assert APIClient().get("/api/v1/offers/").status_code in (401, 403)
