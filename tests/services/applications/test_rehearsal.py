"""办前预演: before submitting, the clerk sees what submitting today would give — and it is what they then get.

The dates come from the real working-day calendar (provisional years flagged); what is missing,
a credit-list bar, a talent policy's quota left and the post-check rule are told; whether this
application would be drawn for a post-check never is.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from services.applications import workflow
from services.calendar.working_days import PACKAGE_YEARS
from talent.applications import apply_for_policy
from tests.conftest import licence_file
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


def test_the_rehearsed_dates_are_those_the_submission_and_the_acceptance_record(world, draft):
    application = draft("standard")
    with at(2026, 3, 2):
        rehearsal = workflow.rehearse_submission(application)
        workflow.submit(world["clerk"], application.pk)
    application.refresh_from_db()
    assert rehearsal.ready and rehearsal.missing == []
    assert rehearsal.acceptance_due.date == application.acceptance_due == datetime.date(2026, 3, 9)
    # Accepted on the last day for acceptance, the decision clocks give the rehearsed latest dates.
    with at(2026, 3, 9):
        workflow.accept(world["officials"]["zjw1"], application.pk)
    application.refresh_from_db()
    assert rehearsal.decision_due.date == application.decision_due
    assert rehearsal.statutory_due.date == application.statutory_due
    assert not rehearsal.provisional_years and not rehearsal.statutory_due.provisional


def test_the_rehearsed_due_dates_of_deferred_materials_are_those_recorded(world, draft):
    application = draft("deferred", skip=("lease",))
    with at(2026, 4, 27):  # over the May Day holiday
        rehearsal = workflow.rehearse_submission(application)
        workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    recorded = application.deferred.get()
    assert [(d.code, d.due.date) for d in rehearsal.deferred] == [("lease", recorded.due_date)]
    assert rehearsal.needs_commitment and rehearsal.missing == []


def test_a_year_without_an_official_schedule_is_flagged_provisional(world, draft):
    unknown = max(PACKAGE_YEARS) + 1
    application = draft("standard")
    with at(unknown - 1, 12, 21):
        rehearsal = workflow.rehearse_submission(application)
        clerk_page = Client(headers={"accept-language": "en"})
        clerk_page.force_login(world["clerk"])
        page = clerk_page.get(reverse("filing_review", args=[application.pk])).content.decode()
    assert rehearsal.provisional_years == [unknown]
    assert rehearsal.statutory_due.provisional and rehearsal.statutory_due.date.year == unknown
    assert f"The official holiday schedule of {unknown} is not published yet" in page


def test_what_the_rehearsal_says_is_missing_is_what_the_submission_refuses(world, draft):
    application = draft("standard", skip=("lease",))
    rehearsal = workflow.rehearse_submission(application)
    assert [(m.kind, m.key) for m in rehearsal.missing] == [("material", "lease")] and not rehearsal.ready
    with pytest.raises(ValidationError) as refused:
        workflow.submit(world["clerk"], application.pk)
    assert list(refused.value.message_dict) == ["materials"]


def test_a_credit_listed_enterprise_is_told_it_cannot_use_the_commitment_mode(world, draft):
    world["enterprise"].credit_listed_until = datetime.date(2099, 1, 1)
    world["enterprise"].save(update_fields=["credit_listed_until"])
    rehearsal = workflow.rehearse_submission(draft("commitment"))
    assert "credit list until 2099-01-01" in rehearsal.credit_bar and not rehearsal.ready


def test_a_talent_application_is_told_the_quota_left(alice, alices_enterprise, make_talent, make_policy):
    policy = make_policy(annual_quota=5, annual_budget=Decimal("50000"))
    application = apply_for_policy(alice, make_talent(alices_enterprise), policy)
    notes = workflow.rehearse_submission(application).item_notes
    assert any("5 of its 5 grants" in note for note in notes)


def test_the_post_check_is_stated_as_the_rule_never_as_this_application_s_draw(world, draft, clerk_page):
    world["commitment"].post_check_ratio = Decimal("0.300")
    world["commitment"].save(update_fields=["post_check_ratio"])
    drawn, spared = draft("commitment"), draft("commitment")
    rule = workflow.rehearse_submission(drawn).post_check_rule
    assert rule.startswith("About 30% of this item's approvals are drawn at random")
    review = clerk_page.get(reverse("filing_review", args=[drawn.pk])).content.decode()
    assert escape(rule) in review

    pages = []
    for application, roll in ((drawn, 0.1), (spared, 0.9)):
        clerk_page.post(reverse("filing_review", args=[application.pk]), {"commitment_accepted": "on"})
        rng = random.Random()
        rng.random = lambda roll=roll: roll
        workflow.sample_post_check(application.pk, rng=rng)
        pages.append(clerk_page.get(reverse("filing_done", args=[application.pk])).content.decode())
    for page in pages:
        assert escape(rule) in page
        assert "not drawn" not in page.lower() and "was drawn" not in page.lower()
    # The drawn one's page and the spared one's say the same.
    assert pages[0].count("drawn") == pages[1].count("drawn")


def test_the_rehearsal_on_the_api_is_for_the_applicant_s_members_only(world, draft, api, make_user, make_enterprise):
    application = draft("standard", skip=("lease",))
    url = f"/api/v1/applications/{application.pk}/rehearsal/"
    api.force_authenticate(world["clerk"])
    with at(2026, 3, 2):
        body = api.get(url).json()
    assert body["acceptance_due"] == {"date": "2026-03-09", "provisional": False}
    assert [(m["kind"], m["key"], m["label"]) for m in body["missing"]] == [("material", "lease", "租赁合同")]
    assert body["ready"] is False

    for other in (make_user("stranger"), world["officials"]["zjw1"]):
        api.force_authenticate(other)
        assert api.get(url).status_code == 404

    api.force_authenticate(world["clerk"])
    workflow.attach_document(world["clerk"], application.pk, "lease", licence_file())
    workflow.submit(world["clerk"], application.pk)
    assert api.get(url).status_code == 409
