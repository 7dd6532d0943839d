"""Each approval mode from submission to its end state, on the real 2026 calendar.

The clerk submits on Friday 2026-02-13, the last working day before the Spring Festival;
Saturday 2026-02-14 is an official make-up working day (调休), 02-15…02-23 are holidays.
"""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from enterprises.models import CreditRecord
from notifications.models import Notification
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.applications import workflow
from services.models import Application, PostCheck, Task
from tests.conftest import licence_file
from tests.helpers import at

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")



def states(application) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="services.application", target_id=application.pk)
        .exclude(to_state="").values_list("to_state", flat=True)
    )


def test_standard_from_submission_to_approval_across_the_spring_festival(world, draft):
    clerk, zjw, xfj = world["clerk"], world["officials"]["zjw1"], world["officials"]["xfj1"]
    with at(2026, 2, 13):
        application = draft("standard")
        assert application.reference.startswith("FT-2026-")
        workflow.submit(clerk, application.pk)
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.received_on == datetime.date(2026, 2, 13)
    # 02-14 (make-up Saturday), then 02-24…02-27 after the holiday: five working days.
    assert application.acceptance_due == datetime.date(2026, 2, 27)

    with at(2026, 2, 24):
        workflow.accept(zjw, application.pk)
    application.refresh_from_db()
    assert application.accepted_on == datetime.date(2026, 2, 24)
    assert application.decision_due == datetime.date(2026, 3, 9)  # 10 working days, 02-28 counts
    assert application.statutory_due == datetime.date(2026, 3, 23)  # 20 working days
    first, second = application.tasks.filter(kind="review").order_by("order")
    assert (first.status, second.status) == ("open", "waiting")

    with pytest.raises(PermissionError):
        workflow.decide(xfj, first.pk, "approve")  # not the first step's department
    workflow.decide(zjw, first.pk, "approve", "材料齐全")
    second.refresh_from_db()
    assert second.status == "open"
    workflow.decide(xfj, second.pk, "approve", "符合消防要求")
    application.refresh_from_db()
    assert application.state == "approved"
    workflow.complete(zjw, application.pk)
    assert states(application) == ["draft", "submitted", "accepted", "in_review", "approved", "completed"]
    assert Notification.objects.filter(recipient=clerk, kind="application.changed", channel="inbox").count() == 5


def test_standard_correction_stops_the_clock_and_restarts_on_resubmission(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 2, 13):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
    with at(2026, 2, 24):
        with pytest.raises(ValidationError):
            workflow.request_correction(zjw, application.pk, [])
        workflow.request_correction(zjw, application.pk, ["申请表缺少盖章", "租赁合同页码不全"])
    application.refresh_from_db()
    assert application.state == "correction_requested" and application.acceptance_due is None
    notice = application.corrections.get()
    assert notice.items == ["申请表缺少盖章", "租赁合同页码不全"]
    with at(2026, 3, 20):  # the clerk takes weeks; nothing is accepted automatically meanwhile
        from services.applications.timers import auto_accept_overdue

        assert auto_accept_overdue() == 0
        workflow.attach_document(clerk, application.pk, "form", licence_file("form-v2.pdf"))
        workflow.resubmit(clerk, application.pk)
    application.refresh_from_db()
    assert application.received_on == datetime.date(2026, 3, 20)
    assert application.acceptance_due == datetime.date(2026, 3, 27)
    assert notice.__class__.objects.get(pk=notice.pk).resolved_at is not None


def test_standard_refusal_and_rejection(world, draft):
    clerk, zjw, xfj = world["clerk"], world["officials"]["zjw1"], world["officials"]["xfj1"]
    refused = draft("standard")
    workflow.submit(clerk, refused.pk)
    with pytest.raises(ValidationError):
        workflow.refuse(zjw, refused.pk, "")
    workflow.refuse(zjw, refused.pk, "不属于本部门职权范围")
    assert Application.objects.get(pk=refused.pk).state == "not_accepted"

    rejected = draft("standard")
    workflow.submit(clerk, rejected.pk)
    workflow.accept(zjw, rejected.pk)
    first, second = rejected.tasks.filter(kind="review").order_by("order")
    workflow.decide(zjw, first.pk, "approve")
    with pytest.raises(ValidationError):
        workflow.decide(xfj, second.pk, "reject", "")
    workflow.decide(xfj, second.pk, "reject", "消防通道不符合规范")
    rejected.refresh_from_db()
    assert rejected.state == "rejected"
    assert AuditEvent.objects.filter(target_id=rejected.pk, to_state="rejected").get().reason == "消防通道不符合规范"


def test_standard_extension_once_with_reason(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        workflow.accept(zjw, application.pk)
    application.refresh_from_db()
    before = application.statutory_due
    with pytest.raises(ValidationError):
        workflow.extend(zjw, application.pk, " ")
    workflow.extend(zjw, application.pk, "需要现场勘验")
    application.refresh_from_db()
    assert application.extended and application.extension_reason == "需要现场勘验"
    assert application.statutory_due == datetime.date(2026, 4, 14)  # 10 more working days (Qingming 04-06 off)
    assert before == datetime.date(2026, 3, 30)
    with pytest.raises(IllegalTransition):
        workflow.extend(zjw, application.pk, "再次延期")


def test_withdraw_before_a_decision_only(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    application = draft("standard")
    workflow.submit(clerk, application.pk)
    workflow.withdraw(clerk, application.pk, "重复提交")
    assert Application.objects.get(pk=application.pk).state == "withdrawn"
    other = draft("deferred")
    workflow.submit(clerk, other.pk)
    workflow.accept(zjw, other.pk)
    workflow.decide(zjw, other.tasks.get(kind="review").pk, "approve")
    with pytest.raises(IllegalTransition):
        workflow.withdraw(clerk, other.pk)


def test_deferred_documents_supplied_and_checked(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 2, 13):
        application = draft("deferred", skip=("lease",))
        with pytest.raises(ValidationError) as missing:
            workflow.submit(clerk, application.pk)
        assert "materials" in missing.value.message_dict
        with pytest.raises(ValidationError) as essential:
            workflow.submit(clerk, application.pk, deferred_materials=["form"], commitment_accepted=True)
        assert "deferred_materials" in essential.value.message_dict
        with pytest.raises(ValidationError) as unsigned:
            workflow.submit(clerk, application.pk, deferred_materials=["lease"])
        assert "commitment_accepted" in unsigned.value.message_dict
        workflow.submit(clerk, application.pk, deferred_materials=["lease"], commitment_accepted=True)
    deferred = application.deferred.get()
    assert deferred.due_date == datetime.date(2026, 3, 5)  # 10 working days
    assert application.commitment.digest and len(application.commitment.digest) == 64
    workflow.accept(zjw, application.pk)
    workflow.decide(zjw, application.tasks.get(kind="review").pk, "approve")
    application.refresh_from_db()
    assert application.state == "approved_pending_documents"
    workflow.supply_deferred(clerk, application.pk, "lease", licence_file("lease.pdf"))
    workflow.check_deferred(zjw, deferred.pk)
    application.refresh_from_db()
    assert application.state == "approved"


def test_deferred_documents_overdue_suspend_then_revoke_with_credit_record(world, draft):
    from services.applications import timers

    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 2, 13):
        application = draft("deferred", skip=("lease",))
        workflow.submit(clerk, application.pk, deferred_materials=["lease"], commitment_accepted=True)
        workflow.accept(zjw, application.pk)
        workflow.decide(zjw, application.tasks.get(kind="review").pk, "approve")
    with at(2026, 3, 3):  # 2 working days before the due date: one reminder
        assert timers.remind_deferred_materials() == 0
    with at(2026, 3, 2):
        assert timers.remind_deferred_materials() == 1
        assert timers.remind_deferred_materials() == 0
    with at(2026, 3, 6):  # the day after the due date
        assert timers.suspend_overdue_deferred() == 1
    application.refresh_from_db()
    assert application.state == "suspended"
    with at(2026, 3, 20):  # the last day of the 10 working days' grace
        assert timers.revoke_after_grace() == 0
    with at(2026, 3, 21):
        assert timers.revoke_after_grace() == 1
    application.refresh_from_db()
    assert application.state == "revoked"
    record = CreditRecord.objects.get(application=application)
    assert record.enterprise.credit_listed_until == datetime.date(2027, 3, 21)


def test_parallel_all_departments_at_once_longest_promise(world, draft):
    clerk = world["clerk"]
    o = world["officials"]
    with at(2026, 3, 2):
        application = draft("parallel")
        workflow.submit(clerk, application.pk)
        workflow.accept(o["zjw1"], application.pk)
    application.refresh_from_db()
    tasks = list(application.tasks.filter(kind="review"))
    assert {t.status for t in tasks} == {"open"} and len(tasks) == 3
    assert application.decision_due == datetime.date(2026, 3, 18)  # 12 working days, the longest
    by_department = {t.department.code: t for t in tasks}
    workflow.decide(o["scj1"], by_department["SCJGJ"].pk, "approve")
    workflow.decide(o["zjw2"], by_department["ZJW"].pk, "approve")
    assert Application.objects.get(pk=application.pk).state == "in_review"
    workflow.decide(o["xfj1"], by_department["XFJ"].pk, "approve")
    assert Application.objects.get(pk=application.pk).state == "approved"


def test_parallel_one_rejection_rejects_and_cancels_the_rest(world, draft):
    clerk, o = world["clerk"], world["officials"]
    application = draft("parallel")
    workflow.submit(clerk, application.pk)
    workflow.accept(o["zjw1"], application.pk)
    fire = application.tasks.get(department__code="XFJ")
    workflow.decide(o["xfj1"], fire.pk, "reject", "不符合消防条件")
    assert Application.objects.get(pk=application.pk).state == "rejected"
    assert set(application.tasks.filter(kind="review").exclude(pk=fire.pk).values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(IllegalTransition):
        workflow.decide(o["scj1"], application.tasks.get(department__code="SCJGJ").pk, "approve")


def test_commitment_granted_on_the_spot_then_post_check_fails(world, draft):
    clerk, scj = world["clerk"], world["officials"]["scj1"]
    with at(2026, 3, 2):
        application = draft("commitment")
        with pytest.raises(ValidationError):
            workflow.submit(clerk, application.pk)
        workflow.submit(clerk, application.pk, commitment_accepted=True)
    application.refresh_from_db()
    assert application.state == "approved"
    commitment = application.commitment
    assert commitment.text == "本单位承诺所填信息真实有效。" and commitment.signer == clerk
    # The digest covers the text, the signer, the enterprise, the application and the time.
    assert commitment.digest == workflow.sm3_digest(commitment.canonical_record())
    assert commitment.digest != workflow.sm3_digest("本单位承诺所填信息真实有效。")
    with at(2026, 3, 3):
        check = workflow.sample_post_check(application.pk, random.Random(7))
    assert check.assignee == scj and check.due_date == datetime.date(2026, 3, 31)
    assert workflow.sample_post_check(application.pk) is None  # drawn once only
    workflow.run_post_check(scj, check.pk, passed=False, note="现场核查经营场所与承诺不符")
    application.refresh_from_db()
    assert application.state == "revoked"
    assert application.enterprise.on_credit_list()

    again = draft("commitment")
    with pytest.raises(ValidationError) as barred:
        workflow.submit(clerk, again.pk, commitment_accepted=True)
    assert "enterprise" in barred.value.message_dict


def test_commitment_post_check_passes_and_completes(world, draft):
    clerk, scj = world["clerk"], world["officials"]["scj1"]
    application = draft("commitment")
    workflow.submit(clerk, application.pk, commitment_accepted=True)
    check = workflow.sample_post_check(application.pk)
    with pytest.raises(PermissionError):
        workflow.run_post_check(world["officials"]["zjw1"], check.pk, passed=True)
    workflow.run_post_check(scj, check.pk, passed=True, note="核查无误")
    assert Application.objects.get(pk=application.pk).state == "completed"
    assert PostCheck.objects.get().result == "passed"


def test_commitment_not_sampled_below_the_ratio(world, draft):
    world["commitment"].post_check_ratio = 0
    world["commitment"].save()
    application = draft("commitment")
    workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
    assert workflow.sample_post_check(application.pk) is None
    assert not PostCheck.objects.exists()


def test_auto_acceptance_after_five_working_days_dated_the_day_received(world, draft):
    from services.applications import timers

    with at(2026, 2, 13):
        application = draft("standard")
        workflow.submit(world["clerk"], application.pk)
    with at(2026, 2, 27, 18):  # the due day itself: still time to act
        assert timers.auto_accept_overdue() == 0
    with at(2026, 2, 28):  # a make-up working Saturday, past the due date
        assert timers.auto_accept_overdue() == 1
        assert timers.auto_accept_overdue() == 0
    application.refresh_from_db()
    assert application.state == "accepted" and application.accepted_on == datetime.date(2026, 2, 13)
    event = AuditEvent.objects.get(target_id=application.pk, to_state="accepted")
    assert event.actor is None and "Art. 32" in event.reason or "第三十二条" in event.reason
    assert Task.objects.filter(application=application, status="open").count() == 1


def test_a_commitment_approval_cannot_be_completed_while_its_post_check_is_pending(world, draft):
    clerk, scj = world["clerk"], world["officials"]["scj1"]
    application = draft("commitment")
    workflow.submit(clerk, application.pk, commitment_accepted=True)
    check = workflow.sample_post_check(application.pk)
    with pytest.raises(IllegalTransition):
        workflow.complete(scj, application.pk)
    workflow.run_post_check(scj, check.pk, passed=False, note="承诺不实")
    assert Application.objects.get(pk=application.pk).state == "revoked"


def test_deadline_colours_yellow_red_escalated_and_officials_told_once(world, draft):
    from services.applications import timers
    from services.calendar.working_days import add_working_days

    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(world["officials"]["zjw1"], application.pk)
    application.refresh_from_db()
    eighty_percent = add_working_days(application.accepted_on, 8).date
    moments = [
        (add_working_days(application.accepted_on, 7).date, ""),
        (eighty_percent, "yellow"),
        (application.decision_due + datetime.timedelta(days=1), "red"),
        (application.statutory_due + datetime.timedelta(days=1), "escalated"),
    ]
    for day, colour in moments:
        with at(day.year, day.month, day.day):
            timers.update_sla_levels()
            timers.update_sla_levels()
        assert Application.objects.get(pk=application.pk).sla_level == colour, day
    warnings = Notification.objects.filter(recipient=world["officials"]["zjw1"], kind="sla.warning", channel="inbox")
    assert sorted(warnings.values_list("context__level", flat=True)) == ["escalated", "red", "yellow"]


def test_post_check_timers_draw_commitment_approvals_and_flag_overdue_checks_once(world, draft):
    from services.applications import timers

    with at(2026, 3, 2):
        application = draft("commitment")
        workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
        assert timers.sample_post_checks() == 1  # ratio 1: every approval is checked
        assert timers.sample_post_checks() == 0
    check = PostCheck.objects.get(application=application)
    later = check.due_date + datetime.timedelta(days=1)
    with at(later.year, later.month, later.day):
        assert timers.flag_overdue_post_checks() == 1
        assert timers.flag_overdue_post_checks() == 0
