"""No enterprise ever sees another's data; officials see only their own departments."""

import pytest

pytestmark = pytest.mark.django_db


def enterprise_urls(enterprise) -> list[str]:
    return [
        f"/enterprises/{enterprise.pk}/",
        f"/enterprises/{enterprise.pk}/licence/",
        f"/api/v1/enterprises/{enterprise.pk}/",
    ]


def test_owner_and_member_see_the_enterprise(client, alice, bob, alices_enterprise):
    for user in (alice, bob):
        client.force_login(user)
        for url in enterprise_urls(alices_enterprise):
            assert client.get(url).status_code == 200, (user, url)


def test_outsider_gets_404_everywhere(client, api, charlie, alices_enterprise):
    client.force_login(charlie)
    for url in enterprise_urls(alices_enterprise):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/enterprises/{alices_enterprise.pk}/members/", {"identifier": "charlie"}).status_code == 404
    api.force_authenticate(charlie)
    assert api.get("/api/v1/enterprises/").json() == []


def test_anonymous_is_sent_to_sign_in(client, api, alices_enterprise):
    assert client.get(f"/enterprises/{alices_enterprise.pk}/").status_code == 302
    assert api.get(f"/api/v1/enterprises/{alices_enterprise.pk}/").status_code == 401


def test_official_sees_only_own_departments(client, departments, make_official):
    official = make_official("hr_official", departments["RSJ"])
    client.force_login(official)
    listing = client.get("/admin/services/department/").content.decode()
    assert "区人力社保局" in listing and "区科信局" not in listing
    assert client.get(f"/admin/services/department/{departments['RSJ'].pk}/change/").status_code == 200
    crafted = client.get(f"/admin/services/department/{departments['KXJ'].pk}/change/")
    assert crafted.status_code == 302  # Django admin sends missing objects back to the list
    assert "区科信局" not in client.get(crafted.url).content.decode()


def test_other_department_official_cannot_see_or_decide_registrations(
    client, departments, make_official, alice, make_enterprise
):
    enterprise = make_enterprise(alice, status="pending")
    official = make_official("tech_official", departments["KXJ"])
    client.force_login(official)
    assert enterprise.name not in client.get("/admin/enterprises/enterprise/").content.decode()
    response = client.post(
        f"/admin/enterprises/enterprise/{enterprise.pk}/decide/", {"decision": "verify"}
    )
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.status == "pending"
    assert client.get(f"/enterprises/{enterprise.pk}/licence/").status_code == 404


def test_superuser_sees_everything(client, django_user_model, departments):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    listing = client.get("/admin/services/department/").content.decode()
    assert all(d.name in listing for d in departments.values())
