"""Personal data are kept only as long as the retention periods say; what is erased stays provable."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import DeliveryAttempt, Notification
from portal.core.digest import sm3_of_bytes
from portal.models import AuditEvent
from portal.retention import apply_retention, plan_retention
from services.applications import workflow
from services.models import Application, Document
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn_long_ago(world, draft):
    """An application submitted and withdrawn in 2014, with its files and form answers."""
    with at(2014, 3, 3):
        application = draft("standard")
        Application.objects.filter(pk=application.pk).update(form={"contact": "张三", "phone": "13800138000"})
        workflow.submit(world["clerk"], application.pk)
        workflow.withdraw(world["clerk"], application.pk, "不再需要")
    return Application.objects.get(pk=application.pk)


def stored_paths(application) -> list[Path]:
    return [Path(d.file.path) for d in Document.objects.filter(application=application)]


def test_a_dry_run_reports_what_would_be_erased_and_changes_nothing(withdrawn_long_ago, capsys):
    files = stored_paths(withdrawn_long_ago)
    call_command("apply_retention", "--dry-run")
    assert "finished applications with nothing since" in capsys.readouterr().out
    assert plan_retention().applications == 1
    assert all(path.exists() for path in files)
    assert Application.objects.get(pk=withdrawn_long_ago.pk).form["contact"] == "张三"


def test_a_finished_application_past_the_period_keeps_its_reference_and_timeline_not_its_files(
    withdrawn_long_ago, client, world, django_capture_on_commit_callbacks,
):
    files = stored_paths(withdrawn_long_ago)
    digests = {str(d.pk): sm3_of_bytes(Path(d.file.path).read_bytes())
               for d in Document.objects.filter(application=withdrawn_long_ago)}
    events_before = AuditEvent.objects.filter(target_id=withdrawn_long_ago.pk, target_type="services.application").count()

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are committed
        plan = apply_retention()

    assert plan.done["applications"] == 1
    application = Application.objects.get(pk=withdrawn_long_ago.pk)
    assert application.form == {} and application.state == "withdrawn"
    assert not any(path.exists() for path in files)
    erased = AuditEvent.objects.get(action="application.personal_data_erased", target_id=application.pk)
    assert erased.data["documents"] == digests  # what was erased can still be proved
    assert len(erased.data["form"]) == 64
    assert AuditEvent.objects.filter(
        target_id=application.pk, target_type="services.application").count() == events_before + 1

    client.force_login(world["clerk"])
    document = Document.objects.filter(application=application).first()
    assert client.get(f"/applications/{application.pk}/documents/{document.pk}/").status_code == 404
    page = client.get(f"/applications/{application.pk}/", headers={"accept-language": "en"}).content.decode()
    assert application.reference in page and document.original_name in page
    assert "erased at the end of its retention period" in page


def test_a_second_run_erases_nothing_more(withdrawn_long_ago):
    apply_retention()
    again = apply_retention()
    assert again.done == {"applications": 0, "talent": 0, "messages": 0}
    assert AuditEvent.objects.filter(action="application.personal_data_erased").count() == 1


def test_recent_or_open_applications_are_kept(world, draft):
    with at(2014, 3, 3):
        still_open = draft("standard")
        workflow.submit(world["clerk"], still_open.pk)
    with at(2025, 6, 2):
        recent = draft("standard")
        workflow.withdraw(world["clerk"], recent.pk)
    apply_retention()
    for application in (still_open, recent):
        assert all(path.exists() for path in stored_paths(application))


def test_message_bodies_are_purged_on_their_own_schedules(world):
    clerk = world["clerk"]
    now = timezone.now()

    def message(channel: str, days_old: int, status: str = "delivered", key: str = "") -> Notification:
        notification = Notification.objects.create(
            recipient=clerk, channel=channel, kind="application.accepted", template_key="application.accepted",
            language="zh-hans", subject="申请已受理", body="尊敬的张三：您的申请已受理。", status=status,
            idempotency_key=key or f"{channel}-{days_old}-{status}",
        )
        Notification.objects.filter(pk=notification.pk).update(created_at=now - datetime.timedelta(days=days_old))
        DeliveryAttempt.objects.create(notification=notification, number=1, outcome=status, response="OK 张三")
        return notification

    old_email = message("email", 400)
    young_email = message("email", 100)
    old_sms = message("sms", 100)
    young_sms = message("sms", 30)
    unsent = message("email", 400, status="created")

    plan = apply_retention()

    assert plan.done["messages"] == 2
    bodies = {n.pk: n.body for n in Notification.objects.all()}
    assert "张三" not in bodies[old_email.pk] and "张三" not in bodies[old_sms.pk]
    assert "张三" in bodies[young_email.pk] and "张三" in bodies[young_sms.pk]
    assert "张三" in bodies[unsent.pk]  # still to be sent: never purged
    assert DeliveryAttempt.objects.get(notification=old_sms).response == ""
    assert Notification.objects.get(pk=old_email.pk).subject == "申请已受理"  # that it was sent stays


def test_talent_untouched_since_the_period_are_forgotten_but_their_grants_stay_counted(
    world, make_talent, make_policy, talent_department,
):
    from talent import identity
    from talent.applications import apply_for_policy
    from talent.models import Talent, TalentApplication
    from tests.helpers import approve_open_task

    policy = make_policy(annual_quota=5)
    rcj = talent_department["official"]
    with at(2014, 3, 3):
        old = make_talent(world["enterprise"], "欧阳明", birth=datetime.date(1988, 8, 8))
        number = old.id_number
        granted = apply_for_policy(world["clerk"], old, policy)
        workflow.submit(world["clerk"], granted.pk)
        workflow.accept(rcj, granted.pk)
        approve_open_task(rcj, granted)
        workflow.complete(rcj, granted.pk)
        idle_but_open = make_talent(world["enterprise"], "钱七", birth=datetime.date(1991, 2, 3))
        waiting = apply_for_policy(world["clerk"], idle_but_open, policy)
        workflow.submit(world["clerk"], waiting.pk)
    recent = make_talent(world["enterprise"], "孙八", birth=datetime.date(1993, 4, 5))

    assert plan_retention().talent == 1
    plan = apply_retention()

    assert plan.done["talent"] == 1
    old = Talent.objects.get(pk=old.pk)
    assert (old.name, old.id_number, old.birth_date) == ("（已匿名）", "", datetime.date(1988, 1, 1))
    assert TalentApplication.objects.get(application=granted).granted_year == 2014  # the grant stays counted
    event = AuditEvent.objects.get(action="talent.anonymised", target_id=old.pk)
    assert event.data["id_number_lookup"] == identity.lookup(number)  # kept as its keyed digest
    assert Talent.objects.get(pk=idle_but_open.pk).name == "钱七"  # an application still open
    assert Talent.objects.get(pk=recent.pk).name == "孙八"
    # The person may be added afresh by the same employer: the forgotten row no longer matches.
    assert not identity.same_person(world["enterprise"], number).exists()
    make_talent(world["enterprise"], "欧阳明", birth=datetime.date(1988, 8, 8))


def test_a_file_reused_by_a_later_application_stays_for_it(world, draft, django_capture_on_commit_callbacks):
    with at(2014, 3, 3):
        old = draft("standard")
        workflow.submit(world["clerk"], old.pk)
        workflow.accept(world["officials"]["zjw1"], old.pk)
    with at(2014, 3, 4):
        lease = Document.objects.get(application=old, material__code="lease")
        later = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
        reused = workflow.reuse_document(world["clerk"], later.pk, lease.pk)
        workflow.withdraw(world["clerk"], old.pk)  # the later one is still a draft being prepared
    form = Document.objects.get(application=old, material__code="form")
    lease_path, form_path = Path(lease.file.path), Path(form.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention().done["applications"] == 1

    assert not form_path.exists()  # the old application's own file is gone
    assert lease_path.exists()  # the shared one stays for the later application
    assert Document.objects.get(pk=reused.pk).file.name == str(lease.file.name)
