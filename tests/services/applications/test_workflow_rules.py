"""Rules that hold for every state and under concurrency, on real PostgreSQL transactions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.applications import timers, workflow
from services.models import Application, CalendarDay, CalendarYear, Department, ReviewStep, State
from tests.helpers import in_threads

SHANGHAI = ZoneInfo("Asia/Shanghai")

ALLOWED = {
    "submit": {"draft"},
    "accept": {"submitted"},
    "refuse": {"submitted"},
    "request_correction": {"submitted", "accepted", "in_review"},
    "resubmit": {"correction_requested"},
    "withdraw": {"draft", "submitted", "correction_requested", "accepted", "in_review"},
    "extend": {"accepted", "in_review"},
    "complete": {"approved"},
    "suspend": {"approved_pending_documents", "accepted", "in_review"},
    "revoke": {"suspended", "approved"},
}


def act(action: str, world, application: Application) -> None:
    clerk, official = world["clerk"], world["officials"]["zjw1"]
    pk = application.pk
    calls = {
        "submit": lambda: workflow.submit(clerk, pk),
        "accept": lambda: workflow.accept(official, pk),
        "refuse": lambda: workflow.refuse(official, pk, "理由"),
        "request_correction": lambda: workflow.request_correction(official, pk, ["补正"]),
        "resubmit": lambda: workflow.resubmit(clerk, pk),
        "withdraw": lambda: workflow.withdraw(clerk, pk),
        "extend": lambda: workflow.extend(official, pk, "理由"),
        "complete": lambda: workflow.complete(official, pk),
        "suspend": lambda: workflow.suspend(pk, "理由", actor=official),
        "revoke": lambda: workflow.revoke(pk, "理由", actor=official),
    }
    calls[action]()


ILLEGAL = [(action, state) for action in ALLOWED for state in State.values if state not in ALLOWED[action]]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_every_illegal_transition_is_refused_and_changes_nothing(world, draft, action, state):
    application = draft("standard")
    Application.objects.filter(pk=application.pk).update(state=state)
    before = Application.objects.values().get(pk=application.pk)
    events = AuditEvent.objects.count()
    with pytest.raises(IllegalTransition):
        act(action, world, application)
    assert Application.objects.values().get(pk=application.pk) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_twenty_officials_deciding_the_last_parallel_tasks_resolve_exactly_once(world, draft, make_official):
    parallel = world["parallel"]
    parallel.review_steps.all().delete()
    officials = []
    for index in range(20):
        department = Department.objects.create(code=f"D{index:02d}", name=f"部门{index:02d}")
        ReviewStep.objects.create(service=parallel, order=1, name=f"审查{index}", department=department)
        officials.append(make_official(f"official{index:02d}", department))
    application = draft("parallel")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    tasks = {t.department.code: t.pk for t in application.tasks.select_related("department")}

    results = in_threads(20, lambda i: workflow.decide(officials[i], tasks[f"D{i:02d}"], "approve").state)

    assert not [r for r in results if isinstance(r, Exception)]
    application.refresh_from_db()
    assert application.state == "approved"
    events = AuditEvent.objects.filter(target_type="services.application", target_id=application.pk)
    assert events.filter(to_state="approved").count() == 1
    assert events.filter(action="application.step_approved").count() == 19


@pytest.mark.django_db(transaction=True)
def test_two_officials_accepting_at_once_one_wins(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    officials = [world["officials"]["zjw1"], world["officials"]["zjw2"]]

    results = in_threads(2, lambda i: workflow.accept(officials[i], application.pk).state)

    assert len([r for r in results if isinstance(r, IllegalTransition)]) == 1
    assert "accepted" in results
    assert AuditEvent.objects.filter(target_id=application.pk, to_state="accepted").count() == 1
    assert application.tasks.filter(kind="review").count() == world["standard"].review_steps.count()  # opened once


@pytest.mark.django_db(transaction=True)
def test_timers_run_twice_at_once_act_once(world, draft):
    moment = datetime.datetime(2026, 2, 13, 10, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        waiting = [draft("standard") for _ in range(3)]
        for application in waiting:
            workflow.submit(world["clerk"], application.pk)
        deferred = draft("deferred", skip=("lease",))
        workflow.submit(world["clerk"], deferred.pk, deferred_materials=["lease"], commitment_accepted=True)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False):
        accepted = in_threads(2, lambda i: timers.auto_accept_overdue())
        reminded = in_threads(2, lambda i: timers.remind_deferred_materials())
    assert sum(accepted) == 4  # three standard and the deferred one
    assert sum(reminded) == 1
    assert AuditEvent.objects.filter(action="application.accepted").count() == 4
    assert deferred.deferred.get().reminded_days == [3]


@pytest.mark.django_db
def test_a_december_filing_gets_a_provisional_2027_due_date_until_the_schedule_is_entered(world, draft, client):
    with time_machine.travel(datetime.datetime(2026, 12, 15, 10, tzinfo=SHANGHAI), tick=False):
        application = draft("standard")
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(world["officials"]["zjw1"], application.pk)
    application.refresh_from_db()
    assert application.dates_provisional
    assert application.statutory_due == datetime.date(2027, 1, 13)  # 2027-01-01 skipped, weekends off

    admin = world["clerk"].__class__.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert "2027" in client.get("/admin/").content.decode()

    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕示例")
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    CalendarDay.objects.create(date=datetime.date(2027, 1, 4), kind="holiday", name="示例调整")
    client.post("/admin/services/calendaryear/", {
        "action": "recompute_provisional_due_dates",
        "_selected_action": [CalendarYear.objects.get().pk],
    })
    application.refresh_from_db()
    assert not application.dates_provisional
    assert application.statutory_due == datetime.date(2027, 1, 14)
    event = AuditEvent.objects.get(target_id=application.pk, action="application.due_dates_recomputed")
    assert event.actor == admin and event.data["statutory_due"] == ["2027-01-13", "2027-01-14"]
