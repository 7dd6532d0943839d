"""A correction during review stops the clock (中止计时) instead of starting everything again, and
a correction nobody makes is closed after its deadline."""

import datetime

import pytest

from portal.models import AuditEvent
from services.applications import timers, workflow
from services.models import State
from tests.conftest import licence_file
from tests.helpers import at

pytestmark = pytest.mark.django_db


def test_returned_in_review_the_company_corrects_and_review_resumes_at_the_step_that_returned_it(world, draft):
    clerk, zjw, xfj = world["clerk"], world["officials"]["zjw1"], world["officials"]["xfj1"]
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        workflow.accept(zjw, application.pk)
    application.refresh_from_db()
    assert application.decision_due == datetime.date(2026, 3, 16)
    with at(2026, 3, 3):
        workflow.decide(zjw, application.tasks.get(order=1).pk, "approve")
    with at(2026, 3, 5):
        workflow.decide(xfj, application.tasks.get(order=2).pk, "return", "租赁合同缺消防验收页")
    with at(2026, 3, 12):  # five working days later
        workflow.attach_document(clerk, application.pk, "lease", licence_file("lease-fire.pdf"))
        workflow.resubmit(clerk, application.pk)

    application.refresh_from_db()
    assert application.state == State.IN_REVIEW  # no new acceptance
    first, second = application.tasks.filter(kind="review").order_by("order")
    assert first.status == "approved" and first.decided_by == zjw  # the approved step stays approved
    assert second.status == "open" and second.department.code == "XFJ"
    # The days used before the return stay used: every deadline moves by the 5 days it stood still.
    assert application.decision_due == datetime.date(2026, 3, 23)
    assert second.due_date == datetime.date(2026, 3, 23)
    with at(2026, 3, 13):
        workflow.decide(xfj, second.pk, "approve")
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_a_correction_at_intake_still_restarts_the_acceptance_clock(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        workflow.request_correction(zjw, application.pk, ["租赁合同缺页"])
    with at(2026, 3, 4):
        workflow.resubmit(clerk, application.pk)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.received_on == datetime.date(2026, 3, 4)


def test_a_correction_not_made_within_30_days_closes_the_application_as_withdrawn(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        workflow.request_correction(zjw, application.pk, ["租赁合同缺页"])
    assert application.corrections.get().respond_by == datetime.date(2026, 4, 1)
    with at(2026, 4, 1):
        assert timers.close_unanswered_corrections() == 0
    with at(2026, 4, 2):
        assert timers.close_unanswered_corrections() == 1
        assert timers.close_unanswered_corrections() == 0
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    event = AuditEvent.objects.get(target_id=application.pk, to_state="withdrawn")
    assert event.actor is None and "2026-04-01" in event.reason
