"""The 服务包 page lists the enterprise's own policy matches: apply in one click to an ordinary one (the draft
filled in from the registered data, not asking for what the district holds), follow the application
made, or go to the offer of one enjoyed without applying."""

import re
from html import unescape

import pytest
from django.test import Client

from services.catalogue.form_fields import FieldKind
from services.models import FormField, MaterialRequirement
from talent.matching import run_matching
from talent.offers.models import EnterprisePolicyApplication, Offer
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def package_of(enterprise) -> str:
    return f"/enterprises/{enterprise.pk}/package/"


def apply_url(enterprise, policy) -> str:
    return f"/enterprises/{enterprise.pk}/package/apply/{policy.pk}/"


@pytest.fixture
def matched(alices_enterprise, make_enterprise_policy):
    """An ordinary policy for enterprises of 50 employees or more, and a 免申即享 one, both matched to Alice's."""
    alices_enterprise.employees = 80
    alices_enterprise.save()
    policy = make_enterprise_policy("QY-20", rules={"min_employees": 50}, no_application=False,
                                    held_materials=["licence"])
    MaterialRequirement.objects.create(service=policy.service, code="plan", name="发展规划", name_en="Growth plan",
                                       required=True)
    MaterialRequirement.objects.create(service=policy.service, code="licence", name="营业执照",
                                       name_en="Business licence", required=True)
    FormField.objects.create(service=policy.service, key="company", label="企业名称", label_en="Enterprise name",
                             kind=FieldKind.TEXT, required=True, prefill="enterprise.name")
    free = make_enterprise_policy("QY-21")
    run_matching()
    return {"policy": policy, "free": free}


def test_the_package_lists_the_match_and_apply_creates_the_prefilled_draft_without_the_held_materials(
    alice, alices_enterprise, matched
):
    policy = matched["policy"]
    client = signed_in(alice)
    page = unescape(client.get(package_of(alices_enterprise)).content.decode())
    assert 'id="policy-QY-20"' in page and "Enterprise policy QY-20" in page
    assert f'action="{apply_url(alices_enterprise, policy)}"' in page
    offer = Offer.objects.get(enterprise_policy=matched["free"])
    assert f'href="/enterprises/{alices_enterprise.pk}/offers/#offer-{offer.pk}"' in page  # 免申即享: its offer

    response = client.post(apply_url(alices_enterprise, policy))
    claim = EnterprisePolicyApplication.objects.get()
    application = claim.application
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    assert (claim.policy, application.enterprise) == (policy, alices_enterprise)
    assert application.form == {"company": alices_enterprise.name}
    assert claim.basis == {"employees": 80}

    materials = client.get(f"/applications/{application.pk}/filing/materials/").content.decode()
    assert 'id="material-licence-held"' in materials and 'id="material-plan-held"' not in materials
    review = unescape(client.get(f"/applications/{application.pk}/filing/review/").content.decode())
    missing = re.search(r'<ul class="missing-list">(.*?)</ul>', review, re.S).group(1)
    assert "Growth plan" in missing and "Business licence" not in missing

    again = unescape(client.get(package_of(alices_enterprise)).content.decode())
    assert f'href="/applications/{application.pk}/">{application.reference}</a>' in again
    assert f'action="{apply_url(alices_enterprise, policy)}"' not in again
    assert client.post(apply_url(alices_enterprise, policy)).status_code == 400  # one live application
    assert EnterprisePolicyApplication.objects.count() == 1


def test_an_enterprise_no_longer_eligible_is_refused_on_the_page_with_the_reason(alice, alices_enterprise, matched):
    alices_enterprise.employees = 10  # since last night's run
    alices_enterprise.save()
    response = signed_in(alice).post(apply_url(alices_enterprise, matched["policy"]))
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert 'id="policy-QY-20-problems"' in page
    assert '<li data-field="enterprise">10 employees, fewer than 50.</li>' in page
    assert not EnterprisePolicyApplication.objects.exists()


def test_a_policy_enjoyed_without_applying_cannot_be_applied_for_from_the_page(alice, alices_enterprise, matched):
    response = signed_in(alice).post(apply_url(alices_enterprise, matched["free"]))
    assert response.status_code == 400
    assert 'data-field="service"' in response.content.decode()
    assert not messages_of(response) or "Draft" not in " ".join(messages_of(response))


def test_an_outsider_finds_nothing(charlie, alices_enterprise, matched):
    client = signed_in(charlie)
    assert client.get(package_of(alices_enterprise)).status_code == 404
    assert client.post(apply_url(alices_enterprise, matched["policy"])).status_code == 404
    assert not EnterprisePolicyApplication.objects.exists()
