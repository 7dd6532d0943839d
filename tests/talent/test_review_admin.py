"""The official reviewing a talent application sees the talent, the ID number (masked, the whole on
asking) and today's verdict."""

import datetime
from decimal import Decimal

import pytest

from services.applications import workflow
from services.models import Task
from talent.applications import apply_for_policy
from tests.helpers import confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reviewer_permissions(talent_department):
    from django.contrib.auth.models import Permission

    talent_department["official"].user_permissions.add(*Permission.objects.filter(
        content_type__app_label="services", codename__in=["view_application", "change_application", "view_task"]))


def test_the_reviewing_official_sees_the_talent_panel_and_approves_within_the_quota(
    client, alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(rules={"max_age": 45}, annual_quota=3, annual_budget=Decimal("30000"))
    talent = make_talent(alices_enterprise, "王五", birth=datetime.date(1990, 3, 3), tier="B")
    application = apply_for_policy(alice, talent, policy)
    workflow.submit(alice, application.pk)
    workflow.accept(official, application.pk)

    client.force_login(official)
    page = client.get(f"/admin/services/application/{application.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    # Entitled, yet the number is masked until asked for (tests/talent/test_id_number_at_rest.py).
    assert "王五" in html and talent.id_number not in html and talent.masked_id_number in html
    assert f"/admin/talent/talent/{talent.pk}/id-number/" in html
    assert "aged 45 or under" in html

    task = Task.objects.get(application=application, kind="review")
    response = client.post(f"/admin/services/application/{application.pk}/act/decide/",
                           confirmed({"task": task.pk, "decision": "approve", "comment": ""}))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "approved"
    page = client.get(f"/admin/services/application/{application.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert "10000" in page.content.decode()


def test_an_approval_over_quota_is_refused_in_the_admin_with_the_reason(
    client, alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(annual_quota=0)
    application = apply_for_policy(alice, make_talent(alices_enterprise), policy)
    workflow.submit(alice, application.pk)
    workflow.accept(official, application.pk)
    task = Task.objects.get(application=application, kind="review")

    client.force_login(official)
    response = client.post(f"/admin/services/application/{application.pk}/act/decide/",
                           confirmed({"task": task.pk, "decision": "approve", "comment": ""}),
                           HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    assert "名额已用完" in response.content.decode()
    application.refresh_from_db()
    assert application.state == "accepted"
