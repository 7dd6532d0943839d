"""An ordinary enterprise policy (not 免申即享) is applied for with an application linked to it: the rules at
creation and approval, its quota and budget spent and given back, the order received, the offers alike."""

import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from notifications.models import Notification
from services.applications import workflow
from services.models import MaterialRequirement, State
from talent.matching import run_matching
from talent.offers import enterprise_applications
from talent.offers import workflow as offers_workflow
from talent.offers.enterprise_applications import apply_for_enterprise_policy
from talent.offers.models import EnterprisePolicyApplication, EnterprisePolicyMatch, Offer, OfferStatus
from talent.offers.quota import usage_of
from tests.conftest import licence_file
from tests.helpers import approve_open_task, in_threads, token_client
from tests.talent.offers.conftest import uscc

pytestmark = pytest.mark.django_db
REASON = "申报数据不实，撤销奖励。"


@pytest.fixture
def ordinary_policy(make_enterprise_policy):
    """An enterprise measure applied for: a plan to upload, the licence held by the district."""
    def make(code: str = "QY-10", **fields):
        values = dict(no_application=False, held_materials=["licence"])
        values.update(fields)
        policy = make_enterprise_policy(code, **values)
        MaterialRequirement.objects.create(service=policy.service, code="plan", name="发展规划", name_en="Growth plan",
                                           required=True)
        MaterialRequirement.objects.create(service=policy.service, code="licence", name="营业执照",
                                           name_en="Business licence", required=True)
        return policy
    return make


@pytest.fixture
def enterprises(alice, alices_enterprise, make_user, make_enterprise):
    """Alice's enterprise and three more, each with its own clerk."""
    people = [(alice, alices_enterprise)]
    for index in (1, 2, 3):
        user = make_user(f"clerk{index}")
        people.append((user, make_enterprise(user, uscc=uscc(index))))
    return people


def filed(user, enterprise, policy, official):
    """Applied for, the plan attached (never the licence the district holds), submitted and accepted."""
    application = apply_for_enterprise_policy(user, enterprise, policy)
    workflow.attach_document(user, application.pk, "plan", licence_file("plan.pdf"))
    workflow.submit(user, application.pk)
    return workflow.accept(official, application.pk)


def refusal(official, application) -> str:
    with pytest.raises(ValidationError) as refused, override("en"):
        approve_open_task(official, application)
    return " ".join(refused.value.message_dict["decision"])


def test_an_approval_spends_the_quota_the_next_waits_in_the_order_received_and_a_revocation_gives_it_back(
    enterprises, ordinary_policy, talent_department
):
    official = talent_department["official"]
    policy = ordinary_policy(annual_quota=1, amount=Decimal("300000"), annual_budget=Decimal("900000"))
    first, second, third = (filed(user, enterprise, policy, official) for user, enterprise in enterprises[:3])

    approve_open_task(official, first)
    first.refresh_from_db()
    assert first.state == State.APPROVED
    claim = EnterprisePolicyApplication.objects.get(application=first)
    assert (claim.policy, claim.granted_amount) == (policy, Decimal("300000"))
    used = usage_of(policy)
    assert (used.granted, used.spent, used.quota_remaining(policy)) == (1, Decimal("300000"), 0)

    told = refusal(official, third)
    assert "quota of 1 grants is used up" in told and "number 2 of 2 on the waiting list" in told
    third.refresh_from_db()
    assert third.state in (State.ACCEPTED, State.IN_REVIEW)  # its last step still open

    workflow.revoke(first.pk, REASON, actor=official)
    used = usage_of(policy)
    assert (used.granted, used.spent, used.quota_remaining(policy)) == (0, Decimal("0"), 1)
    # The grant that came back goes to the application received first, and its enterprise is told.
    assert f"decide {second.reference} (number 1) first" in refusal(official, third)
    assert Notification.objects.filter(recipient=enterprises[1][0], kind="application.changed",
                                       channel="inbox", idempotency_key__contains="enterprise-place-back").exists()
    approve_open_task(official, second)
    second.refresh_from_db()
    assert second.state == State.APPROVED and usage_of(policy).granted == 1


def test_a_confirmation_sees_the_grants_of_applications_and_a_revoked_grant_goes_to_the_offer_waiting(
    enterprises, ordinary_policy, talent_department
):
    """A policy once enjoyed without applying and now applied for (or the reverse) has both: one quota."""
    official = talent_department["official"]
    policy = ordinary_policy(annual_quota=1)
    (alice, alices), (clerk, theirs) = enterprises[:2]
    application = filed(alice, alices, policy, official)
    approve_open_task(official, application)
    offer = Offer.objects.create(enterprise_policy=policy, enterprise=theirs, offered_on=timezone.localdate())

    confirmed = offers_workflow.confirm(clerk, offer.pk, commitment_accepted=True)
    assert confirmed.status == OfferStatus.WAITING  # the application's grant took the one place

    workflow.revoke(application.pk, REASON, actor=official)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.GRANTED and usage_of(policy).granted == 1


def test_the_budget_is_never_overspent(enterprises, ordinary_policy, talent_department):
    official = talent_department["official"]
    policy = ordinary_policy(amount=Decimal("300000"), annual_budget=Decimal("500000"))
    first, second = (filed(user, enterprise, policy, official) for user, enterprise in enterprises[:2])
    approve_open_task(official, first)
    assert "budget has 200000.00 CNY left, less than the 300000.00 CNY" in refusal(official, second)


def test_the_rules_are_checked_at_creation_naming_the_field_and_again_at_approval(
    alice, alices_enterprise, ordinary_policy, talent_department
):
    alices_enterprise.employees = 12
    alices_enterprise.save()
    policy = ordinary_policy(rules={"min_employees": 50})
    api = token_client("alice")
    refused = api.post("/api/v1/applications/", {"service": policy.code, "enterprise": alices_enterprise.pk},
                       format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400, refused.json()
    assert refused.json()["field"] == "enterprise"
    assert "12 employees, fewer than 50." in refused.json()["message"]
    assert not EnterprisePolicyApplication.objects.exists()

    alices_enterprise.employees = 80
    alices_enterprise.save()
    created = api.post("/api/v1/applications/", {"service": policy.code, "enterprise": alices_enterprise.pk},
                       format="json")
    assert created.status_code == 201, created.json()
    application = workflow.accept(talent_department["official"], _submitted(alice, created.json()["id"]).pk)
    alices_enterprise.employees = 30
    alices_enterprise.save()
    assert "The enterprise no longer meets the policy: 30 employees, fewer than 50." in refusal(
        talent_department["official"], application)


def _submitted(user, application_id):
    workflow.attach_document(user, application_id, "plan", licence_file("plan.pdf"))
    return workflow.submit(user, application_id)


def test_a_policy_enjoyed_without_applying_and_a_second_live_application_are_refused(
    alice, alices_enterprise, ordinary_policy, talent_department
):
    free = ordinary_policy("QY-11", no_application=True)
    with pytest.raises(ValidationError) as refused, override("en"):
        apply_for_enterprise_policy(alice, alices_enterprise, free)
    assert "confirm its offer" in refused.value.message_dict["service"][0]

    policy = ordinary_policy()
    first = apply_for_enterprise_policy(alice, alices_enterprise, policy)
    with pytest.raises(ValidationError) as again, override("en"):
        apply_for_enterprise_policy(alice, alices_enterprise, policy)
    assert again.value.message_dict["enterprise"] == [
        f"{alices_enterprise.name} already has an application for this policy: {first.reference}."]
    workflow.withdraw(alice, first.pk)  # a withdrawn draft no longer holds the place
    assert apply_for_enterprise_policy(alice, alices_enterprise, policy).pk != first.pk


def test_the_rehearsal_tells_the_quota_left_and_asks_only_for_the_materials_the_district_lacks(
    alice, alices_enterprise, ordinary_policy
):
    policy = ordinary_policy(annual_quota=3)
    application = apply_for_enterprise_policy(alice, alices_enterprise, policy)
    with override("en"):
        rehearsal = workflow.rehearse_submission(application)
    assert [item.key for item in rehearsal.missing] == ["plan"]
    assert any("3 of its 3 grants" in note for note in rehearsal.item_notes), rehearsal.item_notes


@pytest.mark.django_db(transaction=True)
def test_two_commitment_submissions_at_once_of_a_quota_of_one_grant_exactly_one(
    enterprises, ordinary_policy, monkeypatch
):
    """Approved on the spot (告知承诺制), neither is on a waiting list: only the policy's lock keeps them from
    both reading one grant left. The pause makes sure both read the usage at the same moment."""
    policy = ordinary_policy(annual_quota=1)
    policy.service.approval_mode = "commitment"
    policy.service.commitment_text = "本单位承诺所填信息真实有效。"
    policy.service.save()
    drafts = []
    for user, enterprise in enterprises[:2]:
        application = apply_for_enterprise_policy(user, enterprise, policy)
        workflow.attach_document(user, application.pk, "plan", licence_file("plan.pdf"))
        drafts.append((user, application.pk))

    read = enterprise_applications.usage_of

    def read_slowly(policy, year=None):
        used = read(policy, year)
        time.sleep(0.5)
        return used

    monkeypatch.setattr(enterprise_applications, "usage_of", read_slowly)

    def submit(index: int) -> str:
        user, application_id = drafts[index]
        return workflow.submit(user, application_id, commitment_accepted=True).state

    outcomes = in_threads(2, submit)
    approved = [o for o in outcomes if o == State.APPROVED]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(approved), len(refused)) == (1, 1), outcomes
    assert usage_of(policy).granted == 1
    assert EnterprisePolicyApplication.objects.filter(granted_year__isnull=False).count() == 1


def test_the_reviewing_official_sees_the_policy_the_data_applied_on_and_the_waiting_list(
    client, enterprises, ordinary_policy, talent_department
):
    official = talent_department["official"]
    official.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="services", codename__in=["view_application", "change_application", "view_task"]))
    (alice, alices), (clerk, theirs) = enterprises[:2]
    alices.employees = theirs.employees = 80
    alices.save()
    theirs.save()
    policy = ordinary_policy(rules={"min_employees": 50}, annual_quota=1)
    first, second = filed(alice, alices, policy, official), filed(clerk, theirs, policy, official)

    client.force_login(official)
    page = client.get(f"/admin/services/application/{second.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="enterprise-policy-panel"' in html
    assert "50 employees or more" in html and "Employees" in html and ">80<" in html
    assert 'id="waiting-position">Position 2 of 2' in html and first.reference in html
    with_filter = client.get("/admin/services/application/?waiting_for_quota=yes", HTTP_ACCEPT_LANGUAGE="en")
    assert first.reference in with_filter.content.decode() and second.reference in with_filter.content.decode()


def test_a_grant_by_application_counts_for_the_rule_not_granted_before(
    enterprises, ordinary_policy, make_enterprise_policy, talent_department
):
    alice, alices = enterprises[0]
    first = ordinary_policy("QY-12")
    exclusive = make_enterprise_policy("QY-13", rules={"not_granted_before": ["QY-12"]})
    application = filed(alice, alices, first, talent_department["official"])
    approve_open_task(talent_department["official"], application)
    with override("en"):
        assert enterprise_applications.evaluate(exclusive, alices).reasons == [
            "Already granted QY-12, which this policy does not combine with."]
    run_matching()
    assert set(EnterprisePolicyMatch.objects.filter(policy=exclusive).values_list("enterprise", flat=True)) == {
        enterprise.pk for _user, enterprise in enterprises[1:]}  # every one but the enterprise granted
