"""The audit trail is a hash chain that only grows: what was written cannot be rewritten unseen."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from gmssl import func, sm3

from notifications.models import Notification
from portal.core.audit import record_event
from portal.core.audit_chain import GENESIS, link_hash
from portal.core.errors import AppendOnly
from portal.models import AuditEvent
from portal.tasks import verify_audit_chain
from services.applications import workflow
from tests.helpers import in_threads

TRIGGER = "services_auditevent_append_only"
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def chain() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def as_attacker(sql: str, params: list) -> None:
    """Run SQL as someone with DDL rights on the table: the trigger switched off around it."""
    with connection.cursor() as cursor:
        # The test's transaction still holds the deferred foreign-key checks of its inserts,
        # and PostgreSQL alters no table while they are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE services_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE services_auditevent ENABLE TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def decided(world, draft):
    """An application created, submitted and accepted: a trail of several linked events."""
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    return application


def test_a_workflow_run_writes_events_each_linked_to_the_one_before(decided):
    events = chain()
    actions = [event.action for event in events]
    assert {"application.created", "application.submitted", "application.accepted"} <= set(actions)
    assert events[0].previous_hash == GENESIS
    for before, event in zip(events, events[1:], strict=False):
        assert event.previous_hash == before.hash
    for event in events:
        # SM3 by gmssl, independently of the portal's digest function.
        expected = sm3.sm3_hash(func.bytes_to_list((event.previous_hash + event.canonical_record()).encode()))
        assert event.hash == expected == link_hash(event.previous_hash, event.canonical_record())

    assert verify() == f"{len(events)} events, chain intact\n"


def test_the_canonical_record_is_sorted_compact_json_of_the_id_independent_fields(make_user):
    actor = make_user("wang")
    event = AuditEvent(
        at=datetime.datetime(2026, 3, 2, 10, 0, 0, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        actor=actor, action="application.refused", target_type="services.application", target_id=7,
        from_state="submitted", to_state="refused", reason="材料不全", data={"b": [1, 2], "a": "é"},
    )
    assert event.canonical_record() == (
        f'{{"action":"application.refused","actor":{actor.pk},"at":"2026-03-02T02:00:00.000005+00:00",'
        '"data":{"a":"é","b":[1,2]},"from_state":"submitted","reason":"材料不全","target_id":7,'
        '"target_type":"services.application","to_state":"refused"}'
    )


@on_postgresql
def test_one_row_changed_by_raw_sql_is_named_by_verify_audit(decided):
    submitted = AuditEvent.objects.get(action="application.submitted", target_id=decided.pk)
    as_attacker("UPDATE services_auditevent SET reason = %s WHERE id = %s", ["无异议", submitted.pk])

    with pytest.raises(CommandError) as broken:
        verify()
    assert broken.value.returncode == 1
    message = str(broken.value)
    assert message.startswith(f"broken at event #{submitted.pk} (at {submitted.at.isoformat()}, "
                              f"action application.submitted): stored hash {submitted.hash} expected ")
    assert "1 broken link(s)" in message


@on_postgresql
def test_a_row_removed_by_raw_sql_is_found_at_the_event_after_the_gap(decided):
    first, removed, after, *_rest = chain()
    as_attacker("DELETE FROM services_auditevent WHERE id = %s", [removed.pk])

    with pytest.raises(CommandError, match=rf"^broken at event #{after.pk} .*stored previous hash {removed.hash} "
                                           rf"expected {first.hash}"):
        verify()


def test_the_orm_refuses_to_change_or_delete_an_event(decided):
    before = [(e.pk, e.reason, e.hash) for e in chain()]
    event = AuditEvent.objects.get(action="application.submitted")

    event.reason = "改过的理由"
    with pytest.raises(AppendOnly, match="append-only"):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="改过的理由")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_update([event], ["reason"])
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(action="x", target_type="x", target_id=1)])

    assert [(e.pk, e.reason, e.hash) for e in chain()] == before
    assert verify().endswith("chain intact\n")


@on_postgresql
@pytest.mark.parametrize("sql", [
    "UPDATE services_auditevent SET reason = 'x' WHERE id = %s",
    "UPDATE services_auditevent SET hash = previous_hash WHERE id = %s",
    "DELETE FROM services_auditevent WHERE id = %s",
])
def test_the_database_refuses_raw_sql_updates_and_deletes(decided, sql):
    event = AuditEvent.objects.get(action="application.submitted")
    with pytest.raises(DatabaseError, match="the audit trail is append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason
    assert verify().endswith("chain intact\n")


@pytest.mark.django_db(transaction=True)
def test_appends_from_four_threads_at_once_make_one_unbroken_chain(make_user):
    targets = [make_user(f"user{i}") for i in range(4)]

    def append(index: int) -> int:
        for n in range(25):
            with transaction.atomic():
                record_event(None, "test.appended", targets[index], data={"n": n})
        return index

    results = in_threads(4, append)

    assert results == [0, 1, 2, 3]
    events = chain()
    assert len(events) == 100
    assert [e.previous_hash for e in events] == [GENESIS] + [e.hash for e in events[:-1]]
    assert verify() == "100 events, chain intact\n"


@on_postgresql
def test_the_nightly_check_alerts_every_superuser_when_the_chain_is_broken(decided, make_user, superuser, client):
    other = make_user("root2", is_staff=True, is_superuser=True, language="en")
    assert verify_audit_chain() is True
    assert not Notification.objects.filter(kind="audit.chain_broken").exists()

    accepted = AuditEvent.objects.get(action="application.accepted")
    as_attacker("UPDATE services_auditevent SET to_state = %s WHERE id = %s", ["refused", accepted.pk])
    assert verify_audit_chain() is False
    assert verify_audit_chain() is False  # the same finding again: no second alert

    # The superusers only: the officials and the clerk of the world hear nothing of it.
    alerts = Notification.objects.filter(kind="audit.chain_broken")
    assert {(n.recipient.username, n.channel) for n in alerts} == {
        ("root", "inbox"), ("root", "email"), ("root2", "inbox"), ("root2", "email")}
    english = alerts.get(recipient=other, channel="inbox")
    assert english.subject == f"The audit trail is broken at event #{accepted.pk}"
    assert "action application.accepted" in english.body and accepted.hash in english.body
    assert english.link == reverse("admin:portal_auditevent_change", args=[accepted.pk])
    client.force_login(superuser)
    page = client.get(english.link)
    assert page.status_code == 200 and accepted.hash in page.content.decode()
