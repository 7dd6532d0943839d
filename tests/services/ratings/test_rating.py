"""The applicant rates a decided application (好差评); a bad rating makes the deciding department rectify.

The rules by the domain functions, which the page, the API and the admin all call.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from enterprises.models import Membership
from notifications.models import Notification
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Task
from services.ratings.models import Rating, Rectification
from services.ratings.rules import RATABLE_STATES
from services.ratings.workflow import close_rectification, rate_application
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The stories read the portal's words in English (the catalogue's Chinese may come later)."""
    with override("en"):
        yield


def events(application, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="services.application", target_id=application.pk,
                                          action=action).order_by("id"))


@pytest.mark.parametrize("outcome", ["approved", "completed", "rejected", "not_accepted"])
def test_a_member_rates_an_application_once_its_decision_is_made(world, decided, outcome):
    application = decided(outcome)
    rating = rate_application(world["clerk"], application, 5, "  办理很快，窗口热情。 ")

    assert (rating.round, rating.score, rating.get_score_display(), rating.comment) == (
        1, 5, "Very satisfied", "办理很快，窗口热情。")
    assert not Rectification.objects.exists()
    [event] = events(application, "application.rated")
    assert event.actor == world["clerk"] and event.data["score"] == 5 and event.reason == "办理很快，窗口热情。"


@pytest.mark.parametrize("outcome", ["accepted", "withdrawn"])
def test_no_rating_before_the_decision_nor_of_a_withdrawal(world, decided, outcome):
    application = decided(outcome)
    with pytest.raises(IllegalTransition) as refused:
        rate_application(world["clerk"], application, 4)
    assert "once its decision is made" in str(refused.value.message)
    assert not Rating.objects.exists() and not events(application, "application.rated")
    assert outcome not in RATABLE_STATES


def test_another_enterprise_cannot_rate(world, decided, make_enterprise, charlie):
    application = decided("approved")
    make_enterprise(charlie, uscc="91110106MA01FTCC3R")
    with pytest.raises(PermissionError):
        rate_application(charlie, application, 1, "差")
    with pytest.raises(PermissionError):  # an official of the deciding department is no applicant either
        rate_application(world["officials"]["xfj1"], application, 5)
    assert not Rating.objects.exists()


def test_any_member_of_the_enterprise_rates_but_only_once_for_all_of_them(world, decided, bob):
    application = decided("approved")
    Membership.objects.create(user=bob, enterprise=world["enterprise"], role=Membership.Role.CLERK)
    rate_application(bob, application, 4)
    with pytest.raises(IllegalTransition) as refused:
        rate_application(world["clerk"], application, 1, "再评一次")
    assert str(refused.value.message) == "This application has already been rated; each application is rated once."
    assert Rating.objects.get().score == 4


@pytest.mark.parametrize(("score", "comment", "field"), [
    (0, "", "score"), (6, "", "score"), ("很好", "", "score"), (None, "", "score"), (True, "", "score"),
    (4.5, "", "score"), (5, "长" * 501, "comment"),
])
def test_bad_input_names_the_field_and_changes_nothing(world, decided, score, comment, field):
    application = decided("approved")
    with pytest.raises(ValidationError) as refused:
        rate_application(world["clerk"], application, score, comment)
    assert list(refused.value.message_dict) == [field]
    assert not Rating.objects.exists()


def test_a_comment_of_the_full_length_is_kept(world, decided):
    rating = rate_application(world["clerk"], decided("approved"), "3", "长" * 500)
    assert (rating.score, len(rating.comment)) == (3, 500)


def test_a_bad_rating_opens_a_rectification_for_the_deciding_department_due_in_15_working_days(world, decided):
    """Rated Monday 2026-09-21: 09-25 (中秋) and 10-01…10-07 (国庆) are holidays, Saturday 10-10 a
    make-up working day (调休): the 15th working day is Monday 10-19, not 10-12 as weekdays alone give."""
    application = decided("approved")  # the fire brigade's step decided it
    with at(2026, 9, 21):
        rating = rate_application(world["clerk"], application, 2, "消防审查意见前后不一。")

    rectification = Rectification.objects.get()
    assert rectification.rating == rating and rectification.application == application
    assert rectification.department == world["departments"]["XFJ"] == rating.department
    assert (rectification.status, rectification.opened_on) == ("open", datetime.date(2026, 9, 21))
    assert rectification.due_date == datetime.date(2026, 10, 19)
    assert rectification.due_provisional is False
    [event] = events(application, "application.rated")
    assert event.data["rectification"] == rectification.pk and event.data["due"] == "2026-10-19"
    # The fire brigade's official hears of it in the inbox, with the link to the rectification.
    told = Notification.objects.get(recipient=world["officials"]["xfj1"], channel="inbox",
                                    idempotency_key__contains=f"rectification:{rectification.pk}")
    assert told.link == f"/admin/services/rectification/{rectification.pk}/change/"
    assert not Notification.objects.filter(recipient=world["officials"]["zjw1"],
                                           idempotency_key__contains="rectification").exists()


@pytest.mark.parametrize(("outcome", "department"), [("rejected", "ZJW"), ("not_accepted", "ZJW"),
                                                      ("approved", "XFJ")])
def test_the_rectification_goes_to_the_department_whose_decision_was_rated(world, decided, outcome, department):
    rate_application(world["clerk"], decided(outcome), 1)
    assert Rectification.objects.get().department == world["departments"][department]


def test_a_parallel_approval_is_the_lead_departments_and_a_commitment_approval_too(world, draft):
    parallel = draft("parallel")
    workflow.submit(world["clerk"], parallel.pk)
    workflow.accept(world["officials"]["zjw1"], parallel.pk)
    for name in ("xfj1", "scj1", "zjw1"):  # the lead department's approval comes last
        official = world["officials"][name]
        task = Task.objects.get(application=parallel, status="open", department__officials=official)
        workflow.decide(official, task.pk, "approve")
    commitment = draft("commitment")
    workflow.submit(world["clerk"], commitment.pk, commitment_accepted=True)  # approved on the spot

    assert rate_application(world["clerk"], parallel, 1).department == world["departments"]["ZJW"]
    assert rate_application(world["clerk"], commitment, 2).department == world["departments"]["SCJGJ"]


def test_a_fair_rating_opens_no_rectification(world, decided):
    rate_application(world["clerk"], decided("approved"), 3)
    assert not Rectification.objects.exists()


def test_only_an_official_of_the_department_closes_the_rectification(world, decided, make_official):
    with at(2026, 9, 21):
        rate_application(world["clerk"], decided("approved"), 1, "态度差")
    rectification = Rectification.objects.get()
    for stranger in (world["officials"]["zjw1"], world["clerk"]):
        with pytest.raises(PermissionError):
            close_rectification(stranger, rectification, "已整改。")
    rectification.refresh_from_db()
    assert rectification.status == "open"

    with pytest.raises(ValidationError) as refused:
        close_rectification(world["officials"]["xfj1"], rectification, "   ")
    assert list(refused.value.message_dict) == ["outcome"]
    with pytest.raises(ValidationError):
        close_rectification(world["officials"]["xfj1"], rectification, "改" * 2001)
    rectification.refresh_from_db()
    assert rectification.status == "open" and not rectification.outcome


def test_closing_tells_the_applicant_the_outcome_and_allows_one_final_rating(world, decided):
    clerk, xfj = world["clerk"], world["officials"]["xfj1"]
    application = decided("approved")
    with at(2026, 9, 21):
        rate_application(clerk, application, 2, "消防审查意见前后不一。")
    rectification = Rectification.objects.get()

    # While the department rectifies, no second rating.
    with pytest.raises(IllegalTransition) as waiting:
        rate_application(clerk, application, 5)
    assert "2026-10-19" in str(waiting.value.message)

    with at(2026, 10, 12, 15, 20):
        close_rectification(xfj, rectification, "经核查，审查标准告知不清；已统一告知口径并培训。")
    rectification.refresh_from_db()
    assert (rectification.status, rectification.closed_by) == ("closed", xfj)
    [event] = events(application, "application.rectification_closed")
    assert event.actor == xfj and event.reason == "经核查，审查标准告知不清；已统一告知口径并培训。"
    told = Notification.objects.get(recipient=clerk, kind="rectification.closed", channel="inbox")
    assert "经核查，审查标准告知不清" in told.body and told.link == f"/applications/{application.pk}/"

    # Closed once: not again.
    with pytest.raises(IllegalTransition):
        close_rectification(xfj, rectification, "再次关闭")

    again = rate_application(clerk, application, 4, "整改后满意。")
    assert (again.round, again.is_final, again.department) == (2, True, world["departments"]["XFJ"])
    with pytest.raises(IllegalTransition) as final:
        rate_application(clerk, application, 5)
    assert "final" in str(final.value.message)
    assert Rating.objects.filter(application=application).count() == 2


def test_a_bad_final_rating_is_rectified_too_but_not_rated_a_third_time(world, decided):
    clerk, xfj = world["clerk"], world["officials"]["xfj1"]
    application = decided("approved")
    rate_application(clerk, application, 1)
    close_rectification(xfj, Rectification.objects.get(), "已整改。")
    rate_application(clerk, application, 2, "仍不满意。")
    second = Rectification.objects.get(rating__round=2)
    close_rectification(xfj, second, "再次核查并回访。")
    with pytest.raises(IllegalTransition):
        rate_application(clerk, application, 5)
    assert Rating.objects.filter(application=application).count() == 2
