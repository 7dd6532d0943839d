"""A member turns one policy's messages off from the 服务包 or the offers page (or the API), and on again:
the next run leaves that policy out of their message only, never out of the other members'."""

from html import unescape

import pytest
from django.test import Client

from enterprises.models import Membership
from notifications.models import Notification
from talent.matching import run_matching
from talent.offers.models import PolicyMessageOptOut
from tests.conftest import VALID_USCCS
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="policy.matched", channel="inbox").order_by("id"))


def toggle(client, enterprise, level, code, tell, back="package"):
    return client.post(f"/enterprises/{enterprise.pk}/policy-messages/",
                       {"level": level, "policy": code, "tell": tell, "back": back})


def test_a_talent_policy_turned_off_on_the_package_page_is_left_out_of_that_member_s_next_message_only(
    alice, bob, alices_enterprise, make_talent, make_policy
):
    policy = make_policy("FC01")
    make_talent(alices_enterprise, "甲")
    run_matching()
    client = signed_in(alice)
    page = unescape(client.get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode())
    assert 'id="messages-FC01"' in page and "Stop telling me about this policy" in page

    response = toggle(client, alices_enterprise, "talent", "FC01", "off")
    assert response.status_code == 302 and response["Location"].endswith("/package/#policy-FC01")
    page = client.get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode()
    assert "Tell me again" in page
    assert "Tell me again" not in signed_in(bob).get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode()

    alices_before, bobs_before = len(told(alice)), len(told(bob))
    make_talent(alices_enterprise, "乙")
    run_matching()
    assert len(told(alice)) == alices_before  # her only news was the policy she turned off
    assert len(told(bob)) == bobs_before + 1 and str(policy) in told(bob)[-1].body

    assert toggle(client, alices_enterprise, "talent", "FC01", "on").status_code == 302
    make_talent(alices_enterprise, "丙")
    run_matching()
    assert len(told(alice)) == alices_before + 1 and str(policy) in told(alice)[-1].body


def test_an_enterprise_policy_turned_off_on_the_offers_page_and_the_other_member_still_told(
    alice, bob, alices_enterprise, make_enterprise, make_enterprise_policy, make_policy, make_talent
):
    free = make_enterprise_policy("QY-01")
    run_matching()
    client = signed_in(alice)
    offers_page = client.get(f"/enterprises/{alices_enterprise.pk}/offers/").content.decode()
    assert "Stop telling me about this policy" in offers_page
    response = toggle(client, alices_enterprise, "enterprise", "QY-01", "off", back="offers")
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{alices_enterprise.pk}/offers/"
    assert "Tell me again" in client.get(f"/enterprises/{alices_enterprise.pk}/offers/").content.decode()

    # A second enterprise of both, matched to that policy and to a talent policy in the next run.
    second = make_enterprise(alice, uscc=VALID_USCCS[1])
    Membership.objects.create(user=bob, enterprise=second, role=Membership.Role.CLERK)
    talent_policy = make_policy("FC02")
    make_talent(second, "丁")
    run_matching()
    alices, bobs = told(alice)[-1], told(bob)[-1]
    assert alices.context["enterprise"] == second.name and bobs.context["enterprise"] == second.name
    assert str(talent_policy) in alices.body and str(free) not in alices.body
    assert str(talent_policy) in bobs.body and str(free) in bobs.body


def test_bad_input_on_the_page_is_refused_naming_the_field(alice, alices_enterprise, make_enterprise_policy):
    make_enterprise_policy("QY-01")
    client = signed_in(alice)
    for level, code, tell, field in [("enterprise", "NOPE", "off", "policy"), ("people", "QY-01", "off", "level"),
                                     ("enterprise", "QY-01", "maybe", "tell"), ("talent", "QY-01", "off", "policy")]:
        response = toggle(client, alices_enterprise, level, code, tell)
        assert response.status_code == 400, (level, code, tell)
        assert f"{field}: " in unescape(response.content.decode()), (level, code, tell)
    assert toggle(client, alices_enterprise, "enterprise", "QY-\x0001", "off").status_code == 400
    assert not PolicyMessageOptOut.objects.exists()


def test_an_outsider_cannot_use_an_enterprise_s_page_to_set_it(charlie, alices_enterprise, make_enterprise_policy):
    make_enterprise_policy("QY-01")
    assert toggle(signed_in(charlie), alices_enterprise, "enterprise", "QY-01", "off").status_code == 404
    assert not PolicyMessageOptOut.objects.exists()


def test_the_api_lists_creates_and_deletes_the_caller_s_own_opt_outs(
    alice, bob, alices_enterprise, make_enterprise_policy, make_policy
):
    make_enterprise_policy("QY-01")
    make_policy("FC01")
    api = token_client("alice")
    created = api.post("/api/v1/policy-opt-outs/", {"level": "enterprise", "policy": "QY-01"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["level"], body["policy"], body["policy_title"]) == ("enterprise", "QY-01", "企业政策QY-01")
    again = api.post("/api/v1/policy-opt-outs/", {"level": "enterprise", "policy": "QY-01"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert api.post("/api/v1/policy-opt-outs/", {"level": "talent", "policy": "FC01"}, format="json").status_code == 201
    assert [row["policy"] for row in api.get("/api/v1/policy-opt-outs/").json()] == ["FC01", "QY-01"]

    others = token_client("bob")
    assert others.get("/api/v1/policy-opt-outs/").json() == []
    assert others.get(f"/api/v1/policy-opt-outs/{body['id']}/").status_code == 404
    assert others.delete(f"/api/v1/policy-opt-outs/{body['id']}/").status_code == 404

    assert api.delete(f"/api/v1/policy-opt-outs/{body['id']}/").status_code == 204
    assert [row["policy"] for row in api.get("/api/v1/policy-opt-outs/").json()] == ["FC01"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"level": "enterprise", "policy": "NOPE"}, "policy"),
    ({"level": "talent", "policy": "QY-01"}, "policy"),  # an enterprise policy's code at the talent level
    ({"level": "people", "policy": "QY-01"}, "level"),
    ({"policy": "QY-01"}, "level"),
    ({"level": "enterprise"}, "policy"),
    ({"level": "enterprise", "policy": "QY-\x0001"}, "policy"),
    ({"level": "enter\x00prise", "policy": "QY-01"}, "level"),
])
def test_bad_input_on_the_api_is_a_400_naming_the_field(alice, alices_enterprise, make_enterprise_policy, payload,
                                                         field):
    make_enterprise_policy("QY-01")
    response = token_client("alice").post("/api/v1/policy-opt-outs/", payload, format="json")
    assert response.status_code == 400 and response.json()["field"] == field, response.json()
    assert not PolicyMessageOptOut.objects.exists()
