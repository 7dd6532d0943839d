"""The clerk's talent pages and the service package, as user stories.

Alice adds the people her enterprise employs, sees every talent policy with a verdict and
its reasons, and applies for the ones they qualify for. Charlie, of another enterprise,
never sees any of it.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.messages import constants
from django.utils import timezone
from stdnum.cn import ric

from enterprises.models import Membership
from services.applications import workflow
from services.models import Application
from talent.applications import apply_for_policy
from talent.matching import run_matching
from talent.models import Talent, TalentApplication
from tests.conftest import VALID_USCCS, id_number

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


@pytest.fixture
def as_alice(client, alice, alices_enterprise):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(alice)
    return client


@pytest.fixture
def charlies_enterprise(charlie, make_enterprise):
    return make_enterprise(charlie, uscc=VALID_USCCS[1], name="Charlie Ltd")


def profile(**overrides) -> dict:
    data = {
        "name": "张三", "id_number": VALID_ID, "education": "master", "title": "高级工程师",
        "field": "人工智能", "tier": "C", "returnee": "", "started_on": "2024-03-01",
    }
    data.update(overrides)
    return data


def errors_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == constants.ERROR]


def born_years_ago(years: int) -> datetime.date:
    """A birth date giving exactly `years` of age today, whatever today is."""
    return timezone.localdate() - relativedelta(years=years, days=1)


def policy_row(html: str, code: str) -> str:
    return html.split(f'<tr id="policy-{code}">')[1].split("</tr>")[0]


# --- adding and editing a talent -------------------------------------------------------------


def test_a_clerk_adds_a_talent_and_sees_the_profile_with_the_id_number_masked(as_alice, alices_enterprise):
    page = as_alice.get("/talent/new/")
    assert page.status_code == 200
    assert 'name="employer"' not in page.content.decode()  # one enterprise: no choice to make

    response = as_alice.post("/talent/new/", profile())
    talent = Talent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/talent/{talent.pk}/"
    assert talent.enterprise == alices_enterprise
    assert (talent.birth_date, talent.gender) == (datetime.date(1949, 12, 31), "female")

    detail = as_alice.get(response["Location"])
    html = detail.content.decode()
    assert any("张三" in str(m) for m in detail.context["messages"])
    assert "110105********002X" in html
    assert VALID_ID not in html
    assert "1949" in html and "Female" in html and f"{talent.age()} years old" in html

    listing = as_alice.get("/talent/").content.decode()
    assert "张三" in listing and "110105********002X" in listing and VALID_ID not in listing
    assert alices_enterprise.name in listing


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("110105194912310021", "check digit"),  # the last character is wrong
        ("11010519490230" + "002" + ric.calc_check_digit("110105194902300020"), "not a real date"),  # 30 February
        ("11010519491231002", "18 characters"),  # one short
        ("11010519491231002X9", "18 characters"),  # one long
    ],
)
def test_a_bad_id_number_is_refused_on_its_field_and_nothing_is_created(as_alice, number, problem):
    response = as_alice.post("/talent/new/", profile(id_number=number))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["id_number"]
    assert any(problem in message for message in errors["id_number"])
    assert problem in response.content.decode()
    assert not Talent.objects.exists()


def test_the_same_person_cannot_be_added_twice_to_one_employer(as_alice):
    as_alice.post("/talent/new/", profile())
    response = as_alice.post("/talent/new/", profile(name="张三 again"))
    assert response.status_code == 200
    assert "already among" in " ".join(response.context["form"].errors["id_number"])
    assert Talent.objects.count() == 1


def test_a_clerk_of_several_enterprises_chooses_the_employer_among_her_own(
    as_alice, alice, make_enterprise, charlies_enterprise
):
    second = make_enterprise(alice, uscc=VALID_USCCS[2], name="Alice Two Ltd")
    assert 'name="employer"' in as_alice.get("/talent/new/").content.decode()

    response = as_alice.post("/talent/new/", profile(employer=charlies_enterprise.pk))
    assert "employer" in response.context["form"].errors
    assert not Talent.objects.exists()

    response = as_alice.post("/talent/new/", profile(employer=second.pk))
    assert response.status_code == 302
    assert Talent.objects.get().enterprise == second


def test_a_clerk_without_a_verified_enterprise_is_told_to_get_one(client, charlie, make_enterprise):
    make_enterprise(charlie, uscc=VALID_USCCS[1], status="pending")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(charlie)
    assert "You need a verified enterprise" in client.get("/talent/new/").content.decode()
    assert client.post("/talent/new/", profile()).status_code == 404
    assert not Talent.objects.exists()


def test_editing_never_shows_the_stored_number_and_an_empty_one_keeps_it(as_alice, alices_enterprise, make_talent):
    talent = make_talent(alices_enterprise, tier="D")
    page = as_alice.get(f"/talent/{talent.pk}/edit/").content.decode()
    assert talent.id_number not in page and talent.masked_id_number in page

    response = as_alice.post(f"/talent/{talent.pk}/edit/", profile(name=talent.name, id_number="", tier="B"))
    assert response.status_code == 302 and response["Location"] == f"/talent/{talent.pk}/"
    stored = Talent.objects.get(pk=talent.pk)
    assert (stored.tier, stored.id_number) == ("B", talent.id_number)

    response = as_alice.post(f"/talent/{talent.pk}/edit/", profile(id_number="110105194912310021", tier="A"))
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    assert Talent.objects.get(pk=talent.pk).tier == "B"


# --- every policy with its verdict, and applying ----------------------------------------------


def test_the_talent_page_lists_every_policy_with_its_verdict_and_every_reason(
    as_alice, alices_enterprise, make_talent, make_policy
):
    make_policy("FC01", rules={"max_age": 45})
    make_policy("FC02", rules={"tiers": ["A"], "min_education": "doctorate"})
    make_policy("FC03", benefit_kind="housing", amount=0, benefit_description="人才公寓", annual_quota=5)
    talent = make_talent(alices_enterprise, birth=born_years_ago(46), tier="C", education="master")

    html = as_alice.get(f"/talent/{talent.pk}/").content.decode()
    assert [code for code in ("FC01", "FC02", "FC03") if f'id="policy-{code}"' in html] == ["FC01", "FC02", "FC03"]
    assert html.index('id="policy-FC01"') < html.index('id="policy-FC02"') < html.index('id="policy-FC03"')

    too_old = policy_row(html, "FC01")
    assert "Not eligible" in too_old and "46" in too_old and "45" in too_old
    assert "aged 45 or under" in too_old  # the condition in words
    assert "CNY 10,000" in too_old
    assert "/apply/" not in too_old

    two_reasons = policy_row(html, "FC02")
    assert "Not eligible" in two_reasons
    assert two_reasons.split('class="reasons"')[1].count("<li>") == 2

    open_to_all = policy_row(html, "FC03")
    assert "Eligible" in open_to_all and "Not eligible" not in open_to_all
    assert "人才公寓" in open_to_all and "5 of 5" in open_to_all
    assert f'action="/talent/{talent.pk}/apply/' in open_to_all


def test_applying_for_an_eligible_policy_creates_a_draft_and_opens_it(
    as_alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy("FC01", rules={"max_age": 45})
    talent = make_talent(alices_enterprise, birth=born_years_ago(30))

    assert as_alice.get(f"/talent/{talent.pk}/apply/{policy.pk}/").status_code == 405
    response = as_alice.post(f"/talent/{talent.pk}/apply/{policy.pk}/")
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    assert application.state == "draft" and application.enterprise == alices_enterprise
    assert TalentApplication.objects.get(application=application).talent == talent

    page = as_alice.get(response["Location"])
    assert page.status_code == 200
    assert any("Attach the materials" in str(m) for m in page.context["messages"])

    html = as_alice.get(f"/talent/{talent.pk}/").content.decode()
    row = policy_row(html, "FC01")
    assert application.reference in row and "/apply/" not in row  # no second application offered
    assert f'href="/applications/{application.pk}/"' in html.split('id="talent-applications"')[1]


def test_applying_for_an_ineligible_policy_creates_nothing_and_shows_the_reasons(
    as_alice, alices_enterprise, make_talent, make_policy
):
    policy = make_policy("FC01", rules={"max_age": 45, "returnee": True})
    talent = make_talent(alices_enterprise, birth=born_years_ago(46), returnee=False)

    response = as_alice.post(f"/talent/{talent.pk}/apply/{policy.pk}/", follow=True)
    assert response.redirect_chain == [(f"/talent/{talent.pk}/", 302)]
    errors = errors_of(response)
    assert len(errors) == 2
    assert "46" in errors[0] and "45" in errors[0]
    assert "returnees" in errors[1]
    assert not Application.objects.exists() and not TalentApplication.objects.exists()


# --- tenancy -----------------------------------------------------------------------------------


def test_a_member_of_another_enterprise_can_neither_see_nor_touch_alices_talent(
    client, charlie, charlies_enterprise, alices_enterprise, make_talent, make_policy
):
    policy = make_policy("FC01")
    alices = make_talent(alices_enterprise, name="Alice's engineer")
    own = make_talent(charlies_enterprise, name="Charlie's chemist")
    client.force_login(charlie)

    assert client.get(f"/talent/{alices.pk}/").status_code == 404
    assert client.get(f"/talent/{alices.pk}/edit/").status_code == 404
    assert client.post(f"/talent/{alices.pk}/edit/", profile(name="taken over")).status_code == 404
    assert client.post(f"/talent/{alices.pk}/apply/{policy.pk}/").status_code == 404
    assert client.get(f"/enterprises/{alices_enterprise.pk}/package/").status_code == 404

    listing = client.get("/talent/").content.decode()
    assert "Charlie&#x27;s chemist" in listing and "Alice" not in listing
    assert client.get(f"/talent/{own.pk}/").status_code == 200
    assert Talent.objects.get(pk=alices.pk).name == "Alice's engineer"
    assert not Application.objects.exists()


def test_every_member_of_the_employer_sees_its_talent_and_strangers_must_sign_in(
    client, bob, alices_enterprise, make_talent
):
    talent = make_talent(alices_enterprise)
    assert client.get(f"/talent/{talent.pk}/")["Location"].startswith("/accounts/login/")
    assert client.get(f"/enterprises/{alices_enterprise.pk}/package/")["Location"].startswith("/accounts/login/")
    client.force_login(bob)
    assert client.get(f"/talent/{talent.pk}/").status_code == 200
    assert talent.name in client.get("/talent/").content.decode()


# --- the service package -----------------------------------------------------------------------


def test_the_service_package_shows_the_manager_the_matched_policies_and_the_open_applications(
    as_alice, alice, alices_enterprise, make_talent, make_policy, talent_department
):
    manager = talent_department["official"]
    manager.first_name, manager.last_name, manager.phone = "Fang", "Wang", "010-63800000"
    manager.save()
    alices_enterprise.service_manager = manager
    alices_enterprise.save()
    young = make_policy("FC01", rules={"max_age": 35})
    make_policy("FC02", rules={"tiers": ["A"]})
    engineer = make_talent(alices_enterprise, name="工程师甲", birth=born_years_ago(30), tier="C")
    make_talent(alices_enterprise, name="顾问乙", birth=born_years_ago(50), tier="C")
    submitted = apply_for_policy(alice, engineer, make_policy("FC09"))
    workflow.submit(alice, submitted.pk)

    detail = as_alice.get(f"/enterprises/{alices_enterprise.pk}/").content.decode()
    assert f'href="/enterprises/{alices_enterprise.pk}/package/"' in detail
    before = as_alice.get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode()
    assert "No policy has been matched" in before

    run_matching()
    html = as_alice.get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode()
    manager_section = html.split('id="service-manager"')[1].split("</section>")[0]
    # The manager's mobile is personal data: the enterprise sees it masked.
    assert "Fang Wang" in manager_section and "010-****0000" in manager_section
    assert "010-63800000" not in html
    assert manager.email in manager_section

    matched = html.split('id="matched-policies"')[1].split("</section>")[0]
    assert 'id="policy-FC01"' in matched and 'id="policy-FC02"' not in matched
    young_group = matched.split('id="policy-FC01"')[1].split("<h3")[0]
    assert "工程师甲" in young_group and "顾问乙" not in young_group
    assert f'action="/talent/{engineer.pk}/apply/{young.pk}/"' in young_group

    under_way = html.split('id="open-applications"')[1].split("</section>")[0]
    assert submitted.reference in under_way and f'href="/applications/{submitted.pk}/"' in under_way


def test_a_service_package_without_a_manager_says_so(as_alice, alices_enterprise):
    html = as_alice.get(f"/enterprises/{alices_enterprise.pk}/package/").content.decode()
    assert "No service manager has been assigned" in html.split('id="service-manager"')[1]
    assert "no applications under way" in html


def test_the_navigation_leads_to_the_talent_pages(as_alice):
    assert 'href="/talent/"' in as_alice.get("/talent/").content.decode()


def test_the_talent_of_a_second_enterprise_shows_in_one_list(as_alice, alice, alices_enterprise, make_enterprise,
                                                             make_talent):
    second = make_enterprise(alice, uscc=VALID_USCCS[2], name="Alice Two Ltd")
    make_talent(alices_enterprise, name="甲")
    make_talent(second, name="乙", id_number=id_number(datetime.date(1991, 1, 1)))
    assert Membership.objects.filter(user=alice).count() == 2
    listing = as_alice.get("/talent/").content.decode()
    assert "甲" in listing and "乙" in listing and "Alice Two Ltd" in listing
