"""The obligations calendar (承诺与义务日历): every date the enterprise's approvals and grants create,
on its page and in an iCalendar feed at a secret address (an old or revoked one is "not found"),
with reminders 30, 7 and 1 days before, copied to the service manager, each once."""

import datetime
import re

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from enterprises.obligations.calendar import obligations_of
from enterprises.obligations.reminders import send_reminders, threshold_for
from notifications.models import Notification
from services.applications import workflow
from services.models import Application, ServiceItem
from talent.models import TalentApplication
from tests.conftest import licence_file

pytestmark = pytest.mark.django_db


def filed(world, mode: str, skip: tuple[str, ...] = (), **submit):
    clerk = world["clerk"]
    application = workflow.create_application(clerk, world["enterprise"], world[mode])
    for material in world[mode].materials.all():
        if material.code not in skip:
            workflow.attach_document(clerk, application.pk, material.code, licence_file(f"{material.code}.pdf"))
    return workflow.submit(clerk, application.pk, **submit)


@pytest.fixture
def seeded(portfolio, make_policy, make_talent):
    """The enterprise with one obligation of every kind."""
    today = timezone.localdate()
    official = portfolio["officials"]["zjw1"]
    # A commitment approval whose item grants a licence for 3 years and binds a condition for a year.
    ServiceItem.objects.filter(pk=portfolio["commitment"].pk).update(
        licence_valid_months=36, condition_months=12, condition_text="经营场所不得变更用途")
    commitment = filed(portfolio, "commitment", commitment_accepted=True)
    # A deferred material, not supplied yet.
    deferred = filed(portfolio, "deferred", skip=("lease",), deferred_materials=["lease"], commitment_accepted=True)
    # Corrections asked for.
    corrected = filed(portfolio, "standard")
    workflow.accept(official, corrected.pk)
    workflow.request_correction(official, corrected.pk, ["租赁合同缺少盖章页"])
    # A suspended approval in its grace period.
    suspended = filed(portfolio, "standard")
    Application.objects.filter(pk=suspended.pk).update(state="suspended", revocation_due=today + datetime.timedelta(days=12))
    # A talent grant whose policy binds the talent to stay 3 years.
    policy = make_policy("FC09")
    ServiceItem.objects.filter(pk=policy.service_id).update(condition_months=36, condition_text="人才须在本企业服务满3年")
    talent = make_talent(portfolio["enterprise"], name="欧阳明")
    grant = workflow.create_application(portfolio["clerk"], portfolio["enterprise"], policy.service,
                                        form={"talent": talent.pk})
    Application.objects.filter(pk=grant.pk).update(state="approved", decided_on=today)
    TalentApplication.objects.filter(application=grant).update(granted_year=today.year, granted_amount=policy.amount)
    expected = {f"postcheck-{commitment.pk}", f"licence-{commitment.pk}", f"condition-{commitment.pk}",
                f"deferred-{deferred.deferred.get().pk}", f"correction-{corrected.corrections.get().pk}",
                f"grace-{suspended.pk}", f"condition-{grant.pk}"}
    return {**portfolio, "expected": expected, "deferred_application": deferred}


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def feed_address(client: Client, enterprise) -> str:
    page = client.post(f"/enterprises/{enterprise.pk}/obligations/address/", {"action": "regenerate"})
    assert page.status_code == 200
    return re.search(r'value="(http[^"]+obligations\.ics)"', page.content.decode()).group(1)


def test_every_kind_of_obligation_is_on_the_calendar(seeded):
    items = obligations_of(seeded["enterprise"])
    assert {item.uid for item in items} == seeded["expected"]
    assert {item.kind for item in items} == {"post_check", "licence_expiry", "commitment", "deferred_material",
                                             "correction", "grace_period", "grant_condition"}
    grant = next(item for item in items if item.kind == "grant_condition")
    assert "欧阳明" in grant.title and grant.detail == "人才须在本企业服务满3年"
    assert (grant.on - timezone.localdate()).days in (1095, 1096)  # three years on, a leap day or not
    page = signed_in(seeded["clerk"]).get(f"/enterprises/{seeded['enterprise'].pk}/obligations/").content.decode()
    for uid in seeded["expected"]:
        assert f'id="obligation-{uid}"' in page, uid


def test_the_feed_parses_as_icalendar_and_lists_every_obligation(seeded):
    url = feed_address(signed_in(seeded["clerk"]), seeded["enterprise"])
    response = Client().get(url)  # no sign-in: calendar apps subscribe by the address
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert {str(event["UID"]).split("@")[0] for event in events} == seeded["expected"]
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    for event in events:
        assert isinstance(event.decoded("DTSTART"), datetime.date)
        assert [alarm.decoded("TRIGGER") for alarm in event.walk("VALARM")] == [
            datetime.timedelta(days=-30), datetime.timedelta(days=-7), datetime.timedelta(days=-1)]


def test_an_old_or_revoked_address_answers_404(seeded):
    clerk = signed_in(seeded["clerk"])
    enterprise = seeded["enterprise"]
    first = feed_address(clerk, enterprise)
    second = feed_address(clerk, enterprise)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    clerk.post(f"/enterprises/{enterprise.pk}/obligations/address/", {"action": "revoke"})
    assert Client().get(second).status_code == 404
    assert Client().get("/enterprises/calendar/made-up-token/obligations.ics").status_code == 404


def test_only_the_enterprises_people_see_the_calendar_and_make_its_address(seeded):
    stranger = signed_in(seeded["stranger"])
    enterprise = seeded["enterprise"]
    assert stranger.get(f"/enterprises/{enterprise.pk}/obligations/").status_code == 404
    assert stranger.post(f"/enterprises/{enterprise.pk}/obligations/address/",
                         {"action": "regenerate"}).status_code == 404


def test_the_thresholds():
    assert [threshold_for(days) for days in (45, 31, 30, 25, 8, 7, 2, 1, 0, -1)] == [
        None, None, 30, 30, 30, 7, 7, 1, 1, None]


def test_reminders_go_once_per_threshold_and_copy_the_manager(seeded):
    today = timezone.localdate()
    deferred = seeded["deferred_application"].deferred.get()
    type(deferred).objects.filter(pk=deferred.pk).update(due_date=today + datetime.timedelta(days=20))
    clerk, manager = seeded["clerk"], seeded["manager"]

    def reminders(user) -> list[str]:
        return sorted(n.idempotency_key.split(":", 3)[-1] for n in Notification.objects.filter(
            recipient=user, channel="inbox", kind="obligation.reminder") if f"deferred-{deferred.pk}" in n.idempotency_key)

    send_reminders(today)
    send_reminders(today)
    assert reminders(clerk) == [f"deferred-{deferred.pk}:30"] and reminders(manager) == [f"deferred-{deferred.pk}:30"]
    send_reminders(today + datetime.timedelta(days=1))  # still within 30: nothing new
    assert len(reminders(clerk)) == 1
    send_reminders(today + datetime.timedelta(days=15))  # 5 days left: the 7-day reminder
    send_reminders(today + datetime.timedelta(days=19))  # 1 day left
    send_reminders(today + datetime.timedelta(days=19))
    assert reminders(clerk) == sorted(f"deferred-{deferred.pk}:{t}" for t in (30, 7, 1))
    assert reminders(manager) == reminders(clerk)
    manager_copy = Notification.objects.filter(recipient=manager, kind="obligation.reminder", channel="inbox").first()
    assert manager_copy.link == f"/admin/enterprises/managedenterprise/{seeded['enterprise'].pk}/change/"
