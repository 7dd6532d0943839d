"""A code is held only by a live registration; a rejected one is corrected and sent again; every
problem of a registration is told in one answer."""

import pytest
from django.db import connection

from enterprises.models import Enterprise
from enterprises.registration import register_enterprise, reject_enterprise, verify_enterprise
from portal.models import AuditEvent
from tests.conftest import VALID_USCCS, enterprise_data, licence_file
from tests.helpers import in_threads, messages_of

pytestmark = pytest.mark.django_db
CODE = VALID_USCCS[0]


def register(user, **overrides) -> Enterprise:
    data = enterprise_data(**overrides)
    return register_enterprise(user, data, licence_file())


def test_a_squatters_rejected_registration_does_not_block_the_real_company(
    api, alice, charlie, registration_official
):
    squatted = register(charlie, name="冒名公司")
    reject_enterprise(registration_official, squatted.pk, "营业执照与申请人不符。")

    api.force_authenticate(alice)
    response = api.post("/api/v1/enterprises/", {**enterprise_data(), "licence": licence_file()}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert Enterprise.objects.filter(uscc=CODE).count() == 2


def test_a_code_under_review_is_refused_with_a_message_saying_so(api, alice, charlie):
    register(charlie)
    api.force_authenticate(alice)
    response = api.post("/api/v1/enterprises/", {**enterprise_data(), "licence": licence_file()},
                        format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    assert "under review" in response.json()["errors"]["uscc"][0]
    assert Enterprise.objects.filter(uscc=CODE).count() == 1


def test_the_clerk_corrects_a_rejected_registration_on_the_page_and_it_is_pending_again(
    client, alice, registration_official
):
    enterprise = register(alice, contact_phone="010-00000000")
    reject_enterprise(registration_official, enterprise.pk, "联系电话有误。")
    client.force_login(alice)
    detail = client.get(f"/enterprises/{enterprise.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Correct and submit again" in detail
    form = client.get(f"/enterprises/{enterprise.pk}/resubmit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "联系电话有误。" in form
    # The founding date is there to keep: an <input type=date> shows only an ISO date, never a localised one.
    assert 'type="date" name="founded_on" value="2020-01-15"' in form

    data = enterprise_data(contact_phone="010-87654321")
    response = client.post(f"/enterprises/{enterprise.pk}/resubmit/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.PENDING
    assert enterprise.contact_phone == "010-87654321"
    assert enterprise.status_reason == "" and enterprise.decided_by is None
    assert enterprise.licence.name  # the licence on file stays
    assert messages_of(response) == ["The corrected registration is sent to the district again."]
    event = AuditEvent.objects.get(target_id=enterprise.pk, action="enterprise.resubmitted")
    assert (event.from_state, event.to_state, event.data["rejection"]) == ("rejected", "pending", "联系电话有误。")
    # The district decides it anew.
    verify_enterprise(registration_official, enterprise.pk)
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.VERIFIED


def test_a_rejected_registration_is_corrected_by_the_api_with_a_new_licence(api, alice, registration_official):
    enterprise = register(alice)
    reject_enterprise(registration_official, enterprise.pk, "执照模糊。")
    old_licence = enterprise.licence.name
    api.force_authenticate(alice)

    response = api.post(f"/api/v1/enterprises/{enterprise.pk}/resubmit/", {"licence": licence_file("new.pdf")},
                        format="multipart")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"
    enterprise.refresh_from_db()
    assert enterprise.licence.name != old_licence
    assert not enterprise.licence.storage.exists(old_licence)


def test_a_squatter_cannot_resubmit_once_the_real_company_holds_the_code(
    api, alice, charlie, registration_official
):
    squatted = register(charlie)
    reject_enterprise(registration_official, squatted.pk, "冒名。")
    register(alice)
    api.force_authenticate(charlie)

    response = api.post(f"/api/v1/enterprises/{squatted.pk}/resubmit/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    squatted.refresh_from_db()
    assert squatted.status == Enterprise.Status.REJECTED


def test_only_a_rejected_registration_is_resubmitted_and_only_by_its_administrator(api, alice, bob, charlie):
    enterprise = register(alice)
    enterprise.memberships.create(user=bob, role="clerk")
    api.force_authenticate(alice)
    assert api.post(f"/api/v1/enterprises/{enterprise.pk}/resubmit/", {}, format="json").status_code == 409
    api.force_authenticate(charlie)
    assert api.post(f"/api/v1/enterprises/{enterprise.pk}/resubmit/", {}, format="json").status_code == 404
    enterprise.status = Enterprise.Status.REJECTED
    enterprise.save()
    api.force_authenticate(bob)  # a clerk, not the administrator
    assert api.post(f"/api/v1/enterprises/{enterprise.pk}/resubmit/", {}, format="json").status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.REJECTED


def test_a_wrong_code_and_missing_fields_are_told_in_one_answer(api, alice):
    api.force_authenticate(alice)
    data = enterprise_data(uscc="91350100M000100Y44")  # wrong check character
    del data["name"], data["contact_email"]

    response = api.post("/api/v1/enterprises/", {**data, "licence": licence_file()}, format="multipart",
                        HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert {"name", "contact_email", "uscc"} <= set(response.json()["errors"])
    assert not Enterprise.objects.exists()


def test_a_code_already_held_is_told_together_with_the_other_problems(api, alice, charlie):
    register(charlie)
    api.force_authenticate(alice)
    data = enterprise_data()
    del data["legal_representative"]

    response = api.post("/api/v1/enterprises/", {**data, "licence": licence_file()}, format="multipart")

    assert response.status_code == 400
    assert {"legal_representative", "uscc"} <= set(response.json()["errors"])


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_code_at_once_keep_exactly_one(alice, charlie):
    assert connection.vendor == "postgresql"
    users = [alice, charlie]
    results = in_threads(2, lambda i: register(users[i]))
    created = [r for r in results if isinstance(r, Enterprise)]
    assert len(created) == 1, results
    assert Enterprise.objects.filter(uscc=CODE).count() == 1
