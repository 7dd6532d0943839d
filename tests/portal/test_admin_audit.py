"""Every change an administrator makes in the admin is in the hash-chained audit trail."""

import datetime

import pytest
from django.conf import settings

from portal.core.audit_chain import verify_chain
from portal.models import AuditEvent
from services.models import CalendarDay

pytestmark = pytest.mark.django_db

CHANGELIST = f"/{settings.ADMIN_URL}services/calendarday/"


@pytest.fixture
def admin_client_of_root(client, superuser):
    client.force_login(superuser)
    return client


def admin_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_type="services.calendarday").order_by("id"))


def test_adding_changing_and_deleting_a_holiday_are_each_recorded_with_who_did_it(admin_client_of_root, superuser):
    answer = admin_client_of_root.post(
        f"{CHANGELIST}add/", {"date": "2031-10-08", "kind": "holiday", "name": "国庆节"}
    )
    assert answer.status_code == 302
    day = CalendarDay.objects.get(date=datetime.date(2031, 10, 8))
    [added] = admin_events("admin.added")
    assert (added.actor, added.target_id) == (superuser, day.pk)

    admin_client_of_root.post(f"{CHANGELIST}{day.pk}/change/", {"date": "2031-10-08", "kind": "holiday", "name": "国庆"})
    [changed] = admin_events("admin.changed")
    assert changed.target_id == day.pk
    assert changed.data["changed"] == [{"changed": {"fields": ["Name"]}}]

    admin_client_of_root.post(f"{CHANGELIST}{day.pk}/delete/", {"post": "yes"})
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    [deleted] = admin_events("admin.deleted")
    assert (deleted.actor, deleted.target_id) == (superuser, day.pk)
    assert verify_chain().first_broken is None


def test_deleting_several_at_once_records_each_one(admin_client_of_root):
    days = [CalendarDay.objects.create(date=datetime.date(2031, 5, d), kind="holiday", name="劳动节") for d in (1, 2, 3)]
    confirmation = admin_client_of_root.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [d.pk for d in days]}
    )
    assert confirmation.status_code == 200 and not admin_events("admin.deleted")  # asked first, nothing done

    admin_client_of_root.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"}
    )
    assert not CalendarDay.objects.filter(pk__in=[d.pk for d in days]).exists()
    assert sorted(e.target_id for e in admin_events("admin.deleted")) == sorted(d.pk for d in days)


def test_deleting_one_through_the_bulk_action_is_recorded_once(admin_client_of_root):
    day = CalendarDay.objects.create(date=datetime.date(2031, 1, 1), kind="holiday", name="元旦")
    admin_client_of_root.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"})
    assert [e.target_id for e in admin_events("admin.deleted")] == [day.pk]
