"""Who sees which applications and tasks, and which are late: one selector per read."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission

from services.applications import selectors, timers, workflow
from services.models import Application

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int):
    return time_machine.travel(datetime.datetime(year, month, day, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def filed(world, draft) -> dict[str, Application]:
    """A draft and a submitted standard application, and a parallel one accepted."""
    applications = {"draft": draft("standard"), "submitted": draft("standard"), "parallel": draft("parallel")}
    for name in ("submitted", "parallel"):
        workflow.submit(world["clerk"], applications[name].pk)
    workflow.accept(world["officials"]["zjw1"], applications["parallel"].pk)
    return applications


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_each_official_sees_what_their_department_leads_or_reviews(world, filed, make_user):
    zjw, xfj, scj = (world["officials"][name] for name in ("zjw1", "xfj1", "scj1"))
    submitted, parallel = filed["submitted"].pk, filed["parallel"].pk
    root = make_user("root", is_staff=True, is_superuser=True)

    assert pks(selectors.applications_visible_to(zjw)) == {submitted, parallel}  # the lead: drafts never
    assert pks(selectors.applications_visible_to(xfj)) == {parallel}  # by its task only
    assert pks(selectors.applications_visible_to(root)) == {a.pk for a in filed.values()}
    assert pks(selectors.intake_of(zjw)) == {submitted, parallel}
    assert pks(selectors.intake_of(xfj)) == set()  # the fire department leads nothing
    assert {t.department.code for t in selectors.tasks_of(scj)} == {"SCJGJ"}
    # The parallel item's three review tasks, and each submission's acceptance task.
    assert selectors.tasks_of(root).count() == 5
    for outsider in (world["clerk"], make_user("nobody")):
        for read in (selectors.applications_visible_to, selectors.intake_of, selectors.tasks_of,
                     selectors.post_checks_of):
            assert not read(outsider).exists(), read.__name__
    assert pks(selectors.applications_of(world["clerk"])) == {a.pk for a in filed.values()}


def test_late_is_one_definition_for_the_board_and_the_timers(world, draft):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 2):
        unaccepted = draft("standard")
        workflow.submit(world["clerk"], unaccepted.pk)
        undecided = draft("standard")
        workflow.submit(world["clerk"], undecided.pk)
        workflow.accept(zjw, undecided.pk)
    undecided.refresh_from_db()
    today = undecided.decision_due + datetime.timedelta(days=1)
    with at(today.year, today.month, today.day):
        assert pks(selectors.overdue(zjw, today)) == {unaccepted.pk, undecided.pk}
        assert pks(selectors.overdue(world["officials"]["scj1"], today)) == set()
        timers.update_sla_levels()
        assert Application.objects.get(pk=undecided.pk).sla_level == "red"
        assert timers.auto_accept_overdue() == 1
        # Accepted by the timer, dated the day it was received: now late for its decision instead.
        late = selectors.overdue(zjw, today)
        assert pks(late.filter(selectors.late_for_decision(today))) == {unaccepted.pk, undecided.pk}


def test_a_draft_withdrawn_before_it_was_submitted_never_reaches_the_department(world, filed, client):
    withdrawn = filed["draft"]
    workflow.withdraw(world["clerk"], withdrawn.pk, "填错了事项")
    zjw = world["officials"]["zjw1"]

    assert withdrawn.pk not in pks(selectors.intake_of(zjw))
    assert withdrawn.pk not in pks(selectors.applications_visible_to(zjw))
    zjw.user_permissions.add(*Permission.objects.filter(codename__in=["view_application", "change_application"]))
    client.force_login(zjw)
    assert client.get(f"/admin/services/application/{filed['submitted'].pk}/change/").status_code == 200
    assert client.get(f"/admin/services/application/{withdrawn.pk}/change/").status_code == 302  # "not found"
    listed = client.get("/api/v1/intake/", HTTP_ACCEPT="application/json").json()["results"]
    assert withdrawn.pk not in [row["id"] for row in listed]
    # One that was submitted and then withdrawn stays in the department's records.
    workflow.withdraw(world["clerk"], filed["submitted"].pk, "不再需要")
    assert filed["submitted"].pk in pks(selectors.intake_of(zjw))
