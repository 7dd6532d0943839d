"""A department system refuses, asks for corrections and extends through the API, as in the admin."""

import pytest

from services.applications import workflow
from services.models import CorrectionNotice
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


def test_an_official_refuses_a_submitted_application_with_the_reason(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    official = token_client("zjw1")

    assert official.post(f"/api/v1/intake/{application.pk}/refuse/", {"reason": ""}, format="json").status_code == 400
    response = official.post(f"/api/v1/intake/{application.pk}/refuse/", {"reason": "不属于本部门职权。"},
                             format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "not_accepted"


def test_an_official_asks_for_every_correction_at_once_then_extends_in_review(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    official = token_client("zjw1")

    response = official.post(f"/api/v1/intake/{application.pk}/request-correction/",
                             {"items": ["营业执照副本不清晰", "租赁合同缺少盖章页"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "correction_requested"
    assert CorrectionNotice.objects.get(application=application).items == ["营业执照副本不清晰", "租赁合同缺少盖章页"]

    workflow.resubmit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    extended = official.post(f"/api/v1/intake/{application.pk}/extend/", {"reason": "需组织专家论证。"}, format="json")
    assert extended.status_code == 200, extended.content
    again = official.post(f"/api/v1/intake/{application.pk}/extend/", {"reason": "再延一次"}, format="json")
    assert again.status_code == 409  # once only


def test_another_departments_official_finds_nothing(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    market = token_client("scj1")
    assert market.post(f"/api/v1/intake/{application.pk}/refuse/", {"reason": "x"}, format="json").status_code == 404
