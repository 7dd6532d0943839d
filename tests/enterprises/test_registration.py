"""A clerk registers an enterprise; an official verifies or rejects it; the clerk is told."""

import pytest

from enterprises.models import Enterprise, Membership
from notifications.models import Notification
from portal.models import AuditEvent
from tests.conftest import VALID_USCCS, enterprise_data, licence_file

pytestmark = pytest.mark.django_db


def register_in_portal(client, user, **overrides) -> Enterprise:
    client.force_login(user)
    response = client.post(
        "/enterprises/register/", {**enterprise_data(**overrides), "licence": licence_file()}
    )
    assert response.status_code == 302, response.context["form"].errors
    return Enterprise.objects.get(uscc=overrides.get("uscc", VALID_USCCS[0]))


def test_clerk_registers_and_official_verifies_in_admin(client, alice, registration_official):
    enterprise = register_in_portal(client, alice)
    assert enterprise.status == Enterprise.Status.PENDING
    assert enterprise.licence.name
    assert Membership.objects.get(enterprise=enterprise).role == Membership.Role.ADMIN

    client.force_login(registration_official)
    queue = client.get("/admin/enterprises/enterprise/?status__exact=pending")
    assert enterprise.name in queue.content.decode()
    response = client.post(
        f"/admin/enterprises/enterprise/{enterprise.pk}/decide/", {"decision": "verify", "reason": ""}
    )
    assert response.status_code == 302

    client.force_login(alice)
    page = client.get(f"/enterprises/{enterprise.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已核验" in page.content.decode()
    inbox = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert enterprise.name in inbox
    assert Notification.objects.filter(recipient=alice, kind="enterprise.verified", channel="inbox").count() == 1
    event = AuditEvent.objects.get(action="enterprise.verified")
    assert (event.actor, event.from_state, event.to_state) == (registration_official, "pending", "verified")


def test_rejection_needs_a_reason_and_tells_the_clerk(client, alice, registration_official):
    enterprise = register_in_portal(client, alice)
    client.force_login(registration_official)
    url = f"/admin/enterprises/enterprise/{enterprise.pk}/decide/"

    response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.PENDING

    client.post(url, {"decision": "reject", "reason": "营业执照照片不清晰"})
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.REJECTED
    message = Notification.objects.get(recipient=alice, kind="enterprise.rejected", channel="inbox")
    assert "营业执照照片不清晰" in message.body
    assert AuditEvent.objects.get(action="enterprise.rejected").reason == "营业执照照片不清晰"


def test_a_decided_registration_cannot_be_decided_again(client, alice, registration_official):
    enterprise = register_in_portal(client, alice)
    client.force_login(registration_official)
    url = f"/admin/enterprises/enterprise/{enterprise.pk}/decide/"
    client.post(url, {"decision": "verify"})
    client.post(url, {"decision": "reject", "reason": "late"})
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.VERIFIED
    assert AuditEvent.objects.filter(target_id=enterprise.pk, action__startswith="enterprise.").count() == 2


def test_registration_by_api_then_read_back(api, alice):
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/enterprises/", {**enterprise_data(), "licence": licence_file()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["uscc"] == VALID_USCCS[0]
    assert api.get(f"/api/v1/enterprises/{body['id']}/").json()["name"] == enterprise_data()["name"]


def test_registration_without_licence_is_refused(api, alice):
    api.force_authenticate(alice)
    response = api.post("/api/v1/enterprises/", enterprise_data(), format="multipart")
    assert response.status_code == 400
    assert response.json()["field"] == "licence"
    assert not Enterprise.objects.exists()


def test_token_then_register(api, alice):
    token = api.post("/api/v1/auth/token/", {"username": "alice", "password": "pw-Secret-123"}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(
        "/api/v1/enterprises/", {**enterprise_data(), "licence": licence_file()}, format="multipart"
    )
    assert response.status_code == 201
    wrong = APIClientNoAuth().post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "password"


def APIClientNoAuth():
    from rest_framework.test import APIClient

    return APIClient()


def test_enterprise_admin_adds_a_clerk(client, alice, alices_enterprise, make_user):
    dora = make_user("dora", email="dora@example.com")
    client.force_login(alice)
    client.post(f"/enterprises/{alices_enterprise.pk}/members/", {"identifier": "DORA@example.com"})
    assert Membership.objects.get(user=dora).role == Membership.Role.CLERK
    assert Notification.objects.filter(recipient=dora, kind="enterprise.invited").exists()


def test_a_clerk_cannot_add_members(client, bob, alices_enterprise, make_user):
    make_user("erin")
    client.force_login(bob)
    response = client.post(f"/enterprises/{alices_enterprise.pk}/members/", {"identifier": "erin"})
    assert response.status_code == 404
    assert not Membership.objects.filter(user__username="erin").exists()


def test_signup_then_my_enterprises(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "frank",
            "first_name": "Frank",
            "email": "frank@example.com",
            "password1": "Long-enough-pass-42",
            "password2": "Long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/enterprises/").status_code == 200
