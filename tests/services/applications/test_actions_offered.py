"""Where `allowed_actions` is shown: the API's `actions`, the clerk's page, the admin's decision panel."""

import random

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from services.applications import workflow
from services.applications.workflow import extensions
from tests.conftest import licence_file
from tests.helpers import act_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_api(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world["clerk"])
    return client


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client






def test_the_api_tells_the_clerk_what_they_may_do_now(world, draft, clerk_api):
    application = draft("deferred", skip=("lease",))
    url = f"/api/v1/applications/{application.pk}/"
    assert clerk_api.get(url).json()["actions"] == {
        "application": ["attach", "edit_form", "submit", "withdraw"], "tasks": [], "deferred": []}

    workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    assert clerk_api.get(url).json()["actions"] == {
        "application": ["withdraw", "supply"], "tasks": [], "deferred": ["lease"]}

    zjw = world["officials"]["zjw1"]
    workflow.accept(zjw, application.pk)
    workflow.decide(zjw, application.tasks.get(kind="review").pk, "approve")
    workflow.supply_deferred(world["clerk"], application.pk, "lease", licence_file("lease.pdf"))
    assert clerk_api.get(url).json()["actions"] == {"application": [], "tasks": [], "deferred": []}
    # The lists stay as they were: what one may do is told on the application itself only.
    assert "actions" not in clerk_api.get("/api/v1/applications/").json()["results"][0]


def test_the_clerks_page_shows_the_buttons_the_workflow_would_accept(world, draft, clerk_page):
    application = draft("standard")
    forms = ["application_upload", "application_submit", "application_resubmit", "application_withdraw",
             "application_supply"]

    def shown() -> set[str]:
        html = clerk_page.get(f"/applications/{application.pk}/").content.decode()
        return {name for name in forms if f'action="{reverse(name, args=[application.pk])}"' in html}

    assert shown() == {"application_upload", "application_submit", "application_withdraw"}
    workflow.submit(world["clerk"], application.pk)
    assert shown() == {"application_withdraw"}
    workflow.request_correction(world["officials"]["zjw1"], application.pk, ["申请表缺少盖章"])
    assert shown() == {"application_upload", "application_resubmit", "application_withdraw"}
    workflow.resubmit(world["clerk"], application.pk)
    workflow.refuse(world["officials"]["zjw1"], application.pk, "不属于本部门职权范围")
    assert shown() == set()


def test_the_admin_panel_offers_a_department_only_its_own_decisions(world, draft, as_official):
    application = draft("parallel")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    page = reverse("admin:services_application_change", args=[application.pk])

    lead = as_official("zjw1").get(page)
    assert [task.department.code for task in lead.context["allowed"].tasks] == ["ZJW"]
    for action in ("request_correction", "extend"):
        assert act_url(application, action).encode() in lead.content
    assert act_url(application, "accept").encode() not in lead.content

    fire = as_official("xfj1").get(page)
    assert [task.department.code for task in fire.context["allowed"].tasks] == ["XFJ"]
    assert act_url(application, "decide").encode() in fire.content
    for action in ("request_correction", "extend", "complete", "refuse"):
        assert act_url(application, action).encode() not in fire.content


def test_complete_is_offered_no_more_while_the_post_check_is_pending(world, draft, as_official):
    """The admin offered "complete" here, which the workflow refused: now the panel follows the rule."""
    application = draft("commitment")
    workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
    page = reverse("admin:services_application_change", args=[application.pk])
    client = as_official("scj1")
    assert act_url(application, "complete").encode() in client.get(page).content

    workflow.sample_post_check(application.pk, rng=random.Random(0))
    response = client.get(page)
    assert response.status_code == 200
    assert act_url(application, "complete").encode() not in response.content
    assert "complete" not in response.context["allowed"]


def test_an_item_without_registered_panels_shows_none(world, draft, as_official):
    """Only the talent app registers a review panel, and only for its own items."""
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    assert extensions.review_panels(application, world["officials"]["zjw1"]) == []
    page = as_official("zjw1").get(reverse("admin:services_application_change", args=[application.pk]))
    assert page.context["review_panels"] == [] and b'id="talent-panel"' not in page.content


def test_a_talent_application_shows_the_talent_panel_through_the_registry(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    application = workflow.create_application(alice, alices_enterprise, make_policy().service,
                                              form={"talent": make_talent(alices_enterprise).pk})
    [panel] = extensions.review_panels(application, talent_department["official"])
    assert panel.template == "admin/talent/review_panel.html"
    assert panel.context["talent"].name == "李四"
