"""The talent and policies API as an employer's client uses it (DESIGN §5, issue 4)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.applications import workflow
from services.models import Application, State, Task
from talent.models import Talent, TalentApplication
from tests.conftest import VALID_USCCS, id_number
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

RAW = "11010519491231002X"
PROFILE = {
    "name": "张三", "id_number": RAW, "education": "doctorate", "title": "研究员", "field": "人工智能",
    "tier": "B", "returnee": True, "started_on": "2024-03-01",
}



@pytest.fixture
def alice_api(alice):
    return token_client("alice")


@pytest.fixture
def charlie_api(charlie, make_enterprise):
    make_enterprise(charlie, uscc=VALID_USCCS[2])
    return token_client("charlie")


def _approve(clerk, official, talent, policy) -> Application:
    from talent.applications import apply_for_policy

    application = apply_for_policy(clerk, talent, policy)
    workflow.submit(clerk, application.pk)
    workflow.accept(official, application.pk)
    workflow.decide(official, Task.objects.get(application=application, status=Task.Status.OPEN).pk, "approve")
    application.refresh_from_db()
    assert application.state == State.APPROVED
    return application


# --- policies ----------------------------------------------------------------------------------


def test_policies_show_their_rules_and_the_quota_left_which_an_approval_uses(
    api, alice, alices_enterprise, make_talent, make_policy, talent_department
):
    policy = make_policy("FC01", rules={"max_age": 45, "tiers": ["B", "C"]}, annual_quota=3,
                         annual_budget=Decimal("25000"), benefit_description="一次性奖励1万元")
    make_policy("FC02", benefit_kind="housing", amount=Decimal("0"))

    # Public like the catalogue: no token needed.
    listing = api.get("/api/v1/policies/", HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200, listing.content
    first, second = listing.json()
    assert first["code"] == "FC01" and first["title"] == "Policy FC01"
    assert first["benefit"] == "一次性奖励1万元" and first["benefit_kind"] == "cash"
    assert first["eligibility"] == {"rules": {"max_age": 45, "tiers": ["B", "C"]},
                                    "conditions": ["talent tier B · Leading talent、C · Key talent",
                                                   "aged 45 or under"]}
    assert (first["quota_remaining"], first["budget_remaining"], first["amount"]) == (3, "25000.00", "10000.00")
    assert first["service"] == "FC01" and first["id"] == policy.pk
    # No limit reads as null.
    assert second["code"] == "FC02" and (second["quota_remaining"], second["budget_remaining"]) == (None, None)
    assert second["eligibility"] == {"rules": {}, "conditions": []}

    assert api.get("/api/v1/policies/FC01/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["title"] == "政策FC01"

    _approve(alice, talent_department["official"], make_talent(alices_enterprise, tier="C"), policy)
    after = api.get("/api/v1/policies/FC01/").json()
    assert (after["quota_remaining"], after["budget_remaining"]) == (2, "15000.00")
    assert api.get(f"/api/v1/policies/{policy.pk}/").json()["quota_remaining"] == 2


def test_a_policy_is_found_by_code_or_id_and_an_unknown_one_is_not(api, make_policy):
    policy = make_policy("FC07")
    assert api.get("/api/v1/policies/FC07/").json()["id"] == policy.pk
    assert api.get(f"/api/v1/policies/{policy.pk}/").json()["code"] == "FC07"
    missing = api.get("/api/v1/policies/NOPE/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert [p["code"] for p in api.get("/api/v1/policies/", {"benefit_kind": "housing"}).json()] == []


def test_the_policy_listing_takes_the_same_number_of_queries_for_one_policy_or_many(api, make_policy):
    make_policy("FC01", annual_quota=5)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/policies/").json()) == 1
    for code in ("FC02", "FC03", "FC04"):
        make_policy(code, annual_quota=5, rules={"max_age": 40})
    with CaptureQueriesContext(connection) as four:
        assert len(api.get("/api/v1/policies/").json()) == 4
    assert len(four) == len(one)


# --- talent profiles ---------------------------------------------------------------------------


def test_a_clerk_adds_a_talent_and_sees_only_the_masked_id_number(alice_api, alices_enterprise):
    response = alice_api.post("/api/v1/talents/", {**PROFILE, "enterprise": alices_enterprise.pk}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id_number_masked"] == "110105********002X"
    assert "id_number" not in created
    assert (created["birth_date"], created["gender"]) == ("1949-12-31", "female")
    assert created["age"] == Talent.objects.get().age()
    assert created["enterprise"] == alices_enterprise.pk and created["tier"] == "B" and created["returnee"] is True

    for url in ("/api/v1/talents/", f"/api/v1/talents/{created['id']}/", f"/api/v1/talents/{created['id']}/verdicts/"):
        body = alice_api.get(url).content.decode()
        assert RAW not in body and RAW.lower() not in body
    assert Talent.objects.get().id_number == RAW


@pytest.mark.parametrize("number", [
    "110105194912310021",  # bad check digit
    "110105194902310027",  # 31 February
    "1101051949123100",  # too short
    "1101051949123100211",  # too long
])
def test_a_bad_id_number_is_refused_naming_the_field_and_nothing_is_created(alice_api, alices_enterprise, number):
    response = alice_api.post(
        "/api/v1/talents/", {**PROFILE, "id_number": number, "enterprise": alices_enterprise.pk}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["field"] == "id_number" and error["message"].startswith("id_number: ")
    assert number not in response.content.decode()
    assert not Talent.objects.exists()


def test_the_same_person_twice_is_refused_on_the_id_number(alice_api, alices_enterprise):
    data = {**PROFILE, "enterprise": alices_enterprise.pk}
    assert alice_api.post("/api/v1/talents/", data, format="json").status_code == 201
    again = alice_api.post("/api/v1/talents/", data, format="json")
    assert again.status_code == 400 and again.json()["field"] == "id_number"
    assert Talent.objects.count() == 1


def test_a_future_start_date_is_refused_naming_the_field(alice_api, alices_enterprise):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = alice_api.post(
        "/api/v1/talents/", {**PROFILE, "started_on": tomorrow, "enterprise": alices_enterprise.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "started_on"


def test_a_clerk_changes_a_profile_with_patch_and_put(alice_api, alices_enterprise, make_talent):
    talent = make_talent(alices_enterprise, tier="C")
    url = f"/api/v1/talents/{talent.pk}/"

    response = alice_api.patch(url, {"tier": "A", "title": "首席科学家"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["tier"], response.json()["title"]) == ("A", "首席科学家")
    talent.refresh_from_db()
    assert talent.tier == "A"

    full = {**PROFILE, "enterprise": alices_enterprise.pk}
    del full["id_number"]  # clients only ever see it masked: it may stay as it is
    response = alice_api.put(url, full, format="json")
    assert response.status_code == 200, response.content
    talent.refresh_from_db()
    assert (talent.name, talent.education, talent.tier) == ("张三", "doctorate", "B")

    response = alice_api.patch(url, {"id_number": RAW}, format="json")
    assert response.status_code == 200 and response.json()["birth_date"] == "1949-12-31"
    assert RAW not in response.content.decode()

    bad = alice_api.patch(url, {"id_number": "110105194912310021"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "id_number"
    talent.refresh_from_db()
    assert talent.id_number == RAW


def test_the_employer_of_a_talent_cannot_be_changed(alice, alice_api, alices_enterprise, make_enterprise, make_talent):
    other = make_enterprise(alice, uscc=VALID_USCCS[1])
    talent = make_talent(alices_enterprise)
    response = alice_api.patch(f"/api/v1/talents/{talent.pk}/", {"enterprise": other.pk}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "enterprise"
    talent.refresh_from_db()
    assert talent.enterprise == alices_enterprise


def test_talent_are_filtered_by_enterprise_and_tier(alice, alice_api, alices_enterprise, make_enterprise, make_talent):
    other = make_enterprise(alice, uscc=VALID_USCCS[1])
    a = make_talent(alices_enterprise, name="甲", tier="A")
    c = make_talent(alices_enterprise, name="乙", tier="C")
    elsewhere = make_talent(other, name="丙", tier="C")

    def ids(**params) -> set[int]:
        return {t["id"] for t in alice_api.get("/api/v1/talents/", params).json()}

    assert ids() == {a.pk, c.pk, elsewhere.pk}
    assert ids(enterprise=alices_enterprise.pk) == {a.pk, c.pk}
    assert ids(tier="C") == {c.pk, elsewhere.pk}
    assert ids(enterprise=other.pk, tier="A") == set()


# --- verdicts and applying ---------------------------------------------------------------------


def test_verdicts_list_every_policy_with_every_reason(alice_api, alices_enterprise, make_talent, make_policy):
    make_policy("FC01", rules={"tiers": ["A"], "min_education": "doctorate", "max_age": 45})
    make_policy("FC02", rules={"tiers": ["C"]})
    talent = make_talent(alices_enterprise, tier="C", education="bachelor", birth=datetime.date(1990, 5, 20))

    response = alice_api.get(f"/api/v1/talents/{talent.pk}/verdicts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    refused, granted = response.json()
    assert (refused["policy"], refused["title"], refused["eligible"]) == ("FC01", "Policy FC01", False)
    assert refused["reasons"] == [
        "Highest education is Bachelor's degree, below the required Doctorate.",
        "Talent tier C · Key talent is not among A · Top talent.",
    ]
    assert granted == {"policy": "FC02", "title": "Policy FC02", "eligible": True, "reasons": []}


def test_applying_for_an_eligible_talent_creates_a_draft(alice_api, alices_enterprise, make_talent, make_policy):
    policy = make_policy("FC01", rules={"tiers": ["C"]})
    talent = make_talent(alices_enterprise, tier="C")
    response = alice_api.post(f"/api/v1/talents/{talent.pk}/apply/", {"policy": "FC01"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["reference"].startswith("FT-")
    claim = TalentApplication.objects.get(application_id=created["id"])
    assert (claim.talent, claim.policy) == (talent, policy)

    # The client goes on with the applications API.
    submitted = alice_api.post(f"/api/v1/applications/{created['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    # By id too; a second live application is refused on the talent.
    again = alice_api.post(f"/api/v1/talents/{talent.pk}/apply/", {"policy": str(policy.pk)}, format="json")
    assert again.status_code == 400 and again.json()["field"] == "talent"


def test_applying_for_an_ineligible_talent_is_refused_with_every_reason(
    alice_api, alices_enterprise, make_talent, make_policy
):
    make_policy("FC01", rules={"tiers": ["A"], "returnee": True})
    talent = make_talent(alices_enterprise, tier="C", returnee=False)
    response = alice_api.post(f"/api/v1/talents/{talent.pk}/apply/", {"policy": "FC01"}, format="json",
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["field"] == "talent"
    assert error["errors"]["talent"] == [
        "Talent tier C · Key talent is not among A · Top talent.",
        "Only for returnees from overseas (海外人才回流).",
    ]
    assert not Application.objects.exists()


def test_applying_for_an_unknown_policy_names_the_policy(alice_api, alices_enterprise, make_talent, make_policy):
    make_policy("FC01")
    talent = make_talent(alices_enterprise)
    for value in ("NOPE", "999999", ""):
        response = alice_api.post(f"/api/v1/talents/{talent.pk}/apply/", {"policy": value}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "policy"
    assert not Application.objects.exists()


# --- tenancy -----------------------------------------------------------------------------------


def test_an_outsider_cannot_list_open_change_judge_or_apply_for_anothers_talent(
    charlie_api, alices_enterprise, make_talent, make_policy
):
    make_policy("FC01")
    talent = make_talent(alices_enterprise, name="李四", tier="C")
    url = f"/api/v1/talents/{talent.pk}/"

    assert charlie_api.get("/api/v1/talents/").json() == []
    assert charlie_api.get("/api/v1/talents/", {"enterprise": alices_enterprise.pk}).json() == []
    assert charlie_api.get(url).status_code == 404
    assert charlie_api.patch(url, {"tier": "A"}, format="json").status_code == 404
    assert charlie_api.put(url, {**PROFILE, "enterprise": alices_enterprise.pk}, format="json").status_code == 404
    assert charlie_api.get(f"{url}verdicts/").status_code == 404
    assert charlie_api.post(f"{url}apply/", {"policy": "FC01"}, format="json").status_code == 404

    talent.refresh_from_db()
    assert (talent.tier, talent.name) == ("C", "李四")
    assert not Application.objects.exists()


def test_an_outsider_cannot_add_talent_to_anothers_enterprise(charlie_api, alices_enterprise):
    response = charlie_api.post("/api/v1/talents/", {**PROFILE, "enterprise": alices_enterprise.pk}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "enterprise"
    assert not Talent.objects.exists()


def test_a_member_clerk_sees_the_enterprises_talent_and_anonymous_callers_see_none(
    api, bob, alices_enterprise, make_talent
):
    talent = make_talent(alices_enterprise, birth=datetime.date(1985, 1, 2))
    bob_api = token_client("bob")
    assert [t["id"] for t in bob_api.get("/api/v1/talents/").json()] == [talent.pk]
    assert bob_api.get(f"/api/v1/talents/{talent.pk}/").json()["id_number_masked"] == (
        f"110105********{id_number(datetime.date(1985, 1, 2), sequence='000')[-4:]}"
    )
    assert api.get("/api/v1/talents/").status_code in (401, 403)
    assert api.get(f"/api/v1/talents/{talent.pk}/").status_code in (401, 403)
