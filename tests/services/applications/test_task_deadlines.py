"""Each department of a parallel item works to its own promise: its task turns yellow and red on
its own dates, its officials are told once, and the overdue board lists its late step."""

import pytest
from django.contrib.auth.models import Permission

from notifications.models import Notification
from services.applications import timers, workflow
from services.models import Task
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def parallel(world, draft):
    with at(2026, 3, 2):
        application = draft("parallel")
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(world["officials"]["zjw1"], application.pk)
    return application


def warnings_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, kind="sla.warning", channel="inbox")
                .values_list("idempotency_key", flat=True))


def test_the_market_departments_own_task_turns_yellow_then_red_and_it_is_told_once(world, parallel):
    market_task = parallel.tasks.get(department__code="SCJGJ")
    assert market_task.due_date.isoformat() == "2026-03-09"  # its own 5 working days
    scj, zjw = world["officials"]["scj1"], world["officials"]["zjw1"]

    with at(2026, 3, 6):  # 4 of its 5 days used
        timers.ALL_TIMERS["sla_levels"]()
        timers.ALL_TIMERS["sla_levels"]()
    market_task.refresh_from_db()
    assert market_task.sla_level == "yellow"
    assert len(warnings_to(scj)) == 1
    assert warnings_to(zjw) == []  # the application's own 12 days are far from over

    with at(2026, 3, 10):
        timers.ALL_TIMERS["sla_levels"]()
    market_task.refresh_from_db()
    parallel.refresh_from_db()
    assert market_task.sla_level == "red" and parallel.sla_level == ""
    assert len(warnings_to(scj)) == 2


def test_the_overdue_board_lists_a_departments_late_step(client, world, parallel):
    scj = world["officials"]["scj1"]
    scj.user_permissions.add(*Permission.objects.filter(content_type__app_label="services",
                                                        codename__in=["view_application", "change_application"]))
    client.force_login(scj)
    with at(2026, 3, 10):
        page = client.get("/admin/services/application/overdue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    market_board = page.split('id="department-SCJGJ"', 1)[1]
    assert parallel.reference in market_board and "市场审查" in market_board
    assert Task.objects.get(application=parallel, department__code="SCJGJ").status == "open"
