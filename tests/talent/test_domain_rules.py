"""The talent rules that live in the domain, told through every door: the page, the API, the admin.

A rule written once in `talent.profiles`, `TalentPolicy.clean()` or `talent.applications` is
the same answer whichever way a clerk or an official reaches it.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import Enterprise
from services.applications import workflow
from talent.applications import apply_for_policy, usage, with_usage
from talent.models import Talent, TalentPolicy
from talent.profiles import add_talent, update_talent
from talent.selectors import live_application_of, live_applications_of
from tests.conftest import VALID_USCCS
from tests.helpers import approve_open_task, token_client

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "张三", "id_number": "11010519491231002X", "education": "doctorate", "title": "研究员",
    "field": "人工智能", "tier": "B", "returnee": False, "started_on": "2024-03-01",
}


# --- 1. only a verified employer adds talent ---------------------------------------------------


def test_a_clerk_of_a_pending_enterprise_cannot_add_talent_by_the_api_nor_on_the_page(
    client, charlie, make_enterprise
):
    pending = make_enterprise(charlie, uscc=VALID_USCCS[2], status=Enterprise.Status.PENDING)

    response = token_client("charlie").post(
        "/api/v1/talents/", {**PROFILE, "enterprise": pending.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "enterprise"
    assert body["errors"]["enterprise"] == ["The employer is not verified (Pending verification)."]

    client.force_login(charlie)
    assert client.post("/talent/new/", {**PROFILE, "returnee": ""}).status_code == 404
    assert not Talent.objects.exists()


def test_add_talent_itself_refuses_an_unverified_employer(charlie, make_enterprise):
    suspended = make_enterprise(charlie, uscc=VALID_USCCS[2], status=Enterprise.Status.SUSPENDED)
    with pytest.raises(ValidationError) as refused:
        add_talent(charlie, suspended, {**PROFILE, "started_on": None})
    assert list(refused.value.message_dict) == ["enterprise"]
    assert not Talent.objects.exists()


# --- 2. a talent's employer stays ---------------------------------------------------------------


def test_the_employer_cannot_be_changed_by_the_api_nor_by_update_talent(
    alice, alices_enterprise, make_enterprise, make_talent
):
    other = make_enterprise(alice, uscc=VALID_USCCS[1])
    talent = make_talent(alices_enterprise)
    response = token_client("alice").patch(f"/api/v1/talents/{talent.pk}/", {"enterprise": other.pk, "tier": "A"},
                                           format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["field"] == "enterprise"
    assert response.json()["errors"]["enterprise"] == [
        "A talent's employer cannot be changed; add the talent to the other enterprise."]

    with pytest.raises(ValidationError) as refused:
        update_talent(alice, talent, {"enterprise": other, "tier": "A"})
    assert list(refused.value.message_dict) == ["enterprise"]
    talent.refresh_from_db()
    assert (talent.enterprise, talent.tier) == (alices_enterprise, "C")

    # Naming the employer it has is no change.
    assert update_talent(alice, talent, {"enterprise": alices_enterprise.pk, "tier": "A"}).tier == "A"


# --- 3. a policy belongs to a talent item -------------------------------------------------------

NOT_TALENT = "A talent policy needs a service item of the talent domain."


def test_a_policy_of_an_item_outside_the_talent_domain_is_refused_by_the_model_and_in_the_admin(
    client, make_policy, superuser
):
    policy = make_policy("FC01")
    policy.service.category = "enterprise"  # the item was moved to another domain in the catalogue
    policy.service.save()

    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert refused.value.message_dict == {"service": [NOT_TALENT]}

    client.force_login(superuser)
    response = client.post(f"/admin/talent/talentpolicy/{policy.pk}/change/", {
        "service": policy.service_id, "benefit_kind": "cash", "amount": "10000", "benefit_description": "",
        "annual_budget": "", "annual_quota": "5", "opens_on": "", "closes_on": "", "rules": "{}",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert NOT_TALENT in response.content.decode()
    policy.refresh_from_db()
    assert policy.annual_quota is None


# --- 4. one usage of quota and budget ------------------------------------------------------------


def _grant(clerk, official, talent, policy) -> None:
    application = apply_for_policy(clerk, talent, policy)
    workflow.submit(clerk, application.pk)
    workflow.accept(official, application.pk)
    approve_open_task(official, application)


def test_the_page_the_api_and_the_admin_show_the_same_quota_and_budget_after_a_grant(
    client, alice, alices_enterprise, make_talent, make_policy, talent_department, superuser
):
    policy = make_policy("FC01", annual_quota=3, annual_budget=Decimal("25000"))
    talent = make_talent(alices_enterprise, "王五")
    _grant(alice, talent_department["official"], talent, policy)

    figures = usage(policy)
    assert (figures.quota_remaining(policy), figures.budget_remaining(policy)) == (2, Decimal("15000"))

    listed = token_client("alice").get("/api/v1/policies/FC01/").json()
    assert (listed["quota_remaining"], listed["budget_remaining"]) == (2, "15000.00")

    client.force_login(alice)
    row = client.get(f"/talent/{talent.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = row.split('<tr id="policy-FC01">')[1].split("</tr>")[0]
    assert "2 of 3" in row and "15,000" in row

    client.force_login(superuser)
    changelist = client.get("/admin/talent/talentpolicy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<td class="field-quota_left">2</td>' in changelist


def test_usage_reads_a_listed_policy_without_a_query_and_counts_for_another_year(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    policy = make_policy("FC01", annual_quota=3)
    _grant(alice, talent_department["official"], make_talent(alices_enterprise), policy)
    year = usage(policy).year

    listed = with_usage(TalentPolicy.objects.filter(pk=policy.pk), year).get()
    with CaptureQueriesContext(connection) as queries:
        figures = usage(listed, year)
    assert len(queries) == 0 and figures.granted == 1
    # Annotated for this year, asked for the last: counted, never mistaken for this year's.
    assert usage(listed, year - 1).granted == 0


# --- 7. one answer to "has this talent applied already?" --------------------------------------


def test_the_live_application_is_the_one_the_page_shows_and_the_api_refuses_to_repeat(
    client, alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy("FC01")
    talent = make_talent(alices_enterprise, "王五")
    assert live_application_of(talent, policy) is None

    draft = apply_for_policy(alice, talent, policy)
    assert live_application_of(talent, policy) == draft
    assert live_applications_of(talent) == {policy.pk: draft}

    client.force_login(alice)
    row = client.get(f"/talent/{talent.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert draft.reference in row.split('<tr id="policy-FC01">')[1].split("</tr>")[0]

    again = token_client("alice").post(f"/api/v1/talents/{talent.pk}/apply/", {"policy": "FC01"}, format="json",
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert again.json()["errors"]["talent"] == ["王五 already has an application for this policy."]

    # A withdrawn application is no longer live: the talent may apply again.
    workflow.withdraw(alice, draft.pk, "filed by mistake")
    assert live_application_of(talent, policy) is None and live_applications_of(talent) == {}
    assert apply_for_policy(alice, talent, policy).pk != draft.pk


# --- 8. who may see talent in the admin: the access module's answer -------------------------------


def test_an_official_granted_every_talent_permission_still_sees_no_talent_in_the_admin(
    client, alices_enterprise, make_talent, make_official, superuser
):
    from django.contrib.auth.models import Permission

    talent = make_talent(alices_enterprise)
    official = make_official("hr1")
    official.user_permissions.add(*Permission.objects.filter(content_type__app_label="talent"))
    client.force_login(official)
    for url in ("/admin/talent/talent/", f"/admin/talent/talent/{talent.pk}/change/", "/admin/talent/policymatch/"):
        assert client.get(url).status_code == 403, url

    client.force_login(superuser)
    assert client.get(f"/admin/talent/talent/{talent.pk}/change/").status_code == 200
    assert client.get("/admin/talent/talent/add/").status_code == 403  # employers add their talent
