"""Deadline warnings say what happened: a deadline ahead is "due on", one that has passed is overdue,
and no warning shows a colour's code ("red") instead of words."""

import datetime

import pytest
from django.utils.translation import override

from notifications.models import Notification
from notifications.outbox import VARIANTS, notify
from services.applications import timers, workflow
from services.calendar.working_days import add_working_days
from services.models import PostCheck
from tests.helpers import at

pytestmark = pytest.mark.django_db


def warnings_of(official) -> dict[str, Notification]:
    rows = Notification.objects.filter(recipient=official, kind="sla.warning", channel="inbox")
    return {row.context["level"]: row for row in rows}


def test_an_application_past_its_promise_is_overdue_not_due(world, draft, make_user):
    world["officials"]["zjw1"].language = "en"
    world["officials"]["zjw1"].save()
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(world["officials"]["zjw1"], application.pk)
    application.refresh_from_db()
    for day in (add_working_days(application.accepted_on, 8).date,
                application.decision_due + datetime.timedelta(days=1),
                application.statutory_due + datetime.timedelta(days=1)):
        with at(day.year, day.month, day.day):
            timers.update_sla_levels()
    told = warnings_of(world["officials"]["zjw1"])
    due = application.decision_due.isoformat()
    assert (told["yellow"].subject, told["yellow"].body) == (
        f"Deadline approaching: {application.reference}", f"Application {application.reference} for “事项STD” is due on {due}.")
    assert told["red"].subject == f"Overdue: {application.reference}"
    assert told["red"].body == f"Application {application.reference} for “事项STD” was due on {due} and is overdue."
    assert told["escalated"].subject == f"Past the statutory time limit: {application.reference}"
    assert "is past its statutory time limit" in told["escalated"].body
    for row in told.values():
        assert not any(colour in row.subject + row.body for colour in ("red", "yellow", "escalated)"))
    assert [told[level].template_key for level in ("yellow", "red", "escalated")] == [
        "sla.warning", "sla.warning:overdue", "sla.warning:escalated"]


def test_an_overdue_post_check_is_told_as_overdue(world, draft):
    scj = world["officials"]["scj1"]
    scj.language = "en"
    scj.save()
    with at(2026, 3, 2):
        application = draft("commitment")
        workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
        timers.sample_post_checks()
    check = PostCheck.objects.get(application=application)
    later = check.due_date + datetime.timedelta(days=1)
    with at(later.year, later.month, later.day):
        timers.flag_overdue_post_checks()
    row = warnings_of(scj)["red"]
    assert row.subject == f"Post-check overdue: {application.reference}"
    assert row.body.endswith(f"was due on {check.due_date.isoformat()} and is overdue.")


# The deadline warnings' wordings (other kinds' variants, e.g. the service manager's alerts, say other things).
DEADLINE_VARIANTS = sorted(v for v in VARIANTS if v.startswith("sla.warning:"))


@pytest.mark.parametrize("variant", DEADLINE_VARIANTS)
def test_every_variant_reads_in_english_with_its_figures(variant, make_user):
    kind, _, name = variant.partition(":")
    lee = notify(make_user("lee", language="en"), kind, variant=name, key="1",
                 context={"reference": "FT-2026-000001", "service": "消防审查", "due": "2026-03-12", "level": "red"})
    subject, body = VARIANTS[variant]
    with override("en"):
        assert (lee.subject, lee.body) == (str(subject) % lee.context, str(body) % lee.context)
    assert "FT-2026-000001" in lee.subject and "2026-03-12" in lee.body and "red" not in lee.body


@pytest.mark.parametrize("variant", DEADLINE_VARIANTS)
def test_every_variant_reads_in_chinese_without_saying_it_will_expire(variant, make_user):
    kind, _, name = variant.partition(":")
    context = {"reference": "FT-2026-000001", "service": "消防审查", "due": "2026-03-12", "level": "red"}
    lin = notify(make_user("lin", language="zh-hans"), kind, variant=name, key="1", context=context)
    lee = notify(make_user("lee", language="en"), kind, variant=name, key="1", context=context)
    assert lin.body != lee.body and "将于" not in lin.body
