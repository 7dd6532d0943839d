"""The reports' story: a month of applications (March 2026) across departments and weeks.

区住建委 (ZJW) leads the standard, deferred and parallel items, 区市场监管局 (SCJGJ) the commitment
item, 区人才工作局 (RCJ) a talent policy. Around March lie one application of February and one of
April, which a March dashboard must leave out.
"""

import datetime
import random
from decimal import Decimal

import pytest

from services.applications import workflow
from services.models import PostCheck, Task
from talent.applications import apply_for_policy
from tests.helpers import approve_open_task, at


def _submit(world, draft, mode: str, **kwargs):
    application = draft(mode)
    workflow.submit(world["clerk"], application.pk, **kwargs)
    return application


def _approve_all_steps(world, application) -> None:
    """Each review step by an official of its department, in order."""
    by_department = {"ZJW": world["officials"]["zjw1"], "XFJ": world["officials"]["xfj1"],
                     "SCJGJ": world["officials"]["scj1"]}
    while task := Task.objects.filter(application=application, status=Task.Status.OPEN).first():
        workflow.decide(by_department[task.department.code], task.pk, "approve", "符合要求")


@pytest.fixture
def month(world, draft, make_talent, make_policy, talent_department) -> dict:
    zjw, scj = world["officials"]["zjw1"], world["officials"]["scj1"]
    made = {}
    with at(2026, 2, 24):
        made["february"] = _submit(world, draft, "standard")
        workflow.accept(zjw, made["february"].pk)
    with at(2026, 2, 27):
        _approve_all_steps(world, made["february"])
    with at(2026, 3, 2):
        made["on_time"] = _submit(world, draft, "standard")
        made["late"] = _submit(world, draft, "standard")
        workflow.accept(zjw, made["late"].pk)
    with at(2026, 3, 3):
        workflow.accept(zjw, made["on_time"].pk)
        made["corrected"] = _submit(world, draft, "deferred")
    with at(2026, 3, 4):
        workflow.request_correction(zjw, made["corrected"].pk, ["租赁合同缺少盖章页", "申请表未签字"])
        made["commitment_checked"] = _submit(world, draft, "commitment", commitment_accepted=True)
        checked = workflow.sample_post_check(made["commitment_checked"].pk, random.Random(1))
    with at(2026, 3, 5):
        workflow.resubmit(world["clerk"], made["corrected"].pk)
    with at(2026, 3, 6):
        workflow.accept(zjw, made["corrected"].pk)
    with at(2026, 3, 10):
        _approve_all_steps(world, made["on_time"])
    with at(2026, 3, 11):
        made["commitment_pending"] = _submit(world, draft, "commitment", commitment_accepted=True)
        workflow.sample_post_check(made["commitment_pending"].pk, random.Random(1))
    with at(2026, 3, 12):
        task = Task.objects.get(application=made["corrected"], status=Task.Status.OPEN)
        workflow.decide(zjw, task.pk, "reject", "不符合规划要求")
    with at(2026, 3, 16):
        made["parallel"] = _submit(world, draft, "parallel")
    with at(2026, 3, 17):
        workflow.accept(zjw, made["parallel"].pk)
        made["waiting"] = _submit(world, draft, "standard")
    with at(2026, 3, 18):
        _approve_all_steps(world, made["late"])
    with at(2026, 3, 20):
        workflow.run_post_check(scj, checked.pk, passed=True, note="现场核查一致")
    policy = make_policy(annual_quota=4, annual_budget=Decimal("50000"))
    talent = make_talent(world["enterprise"], "欧阳明", birth=datetime.date(1988, 8, 8))
    rcj = talent_department["official"]
    with at(2026, 3, 23):
        made["talent"] = apply_for_policy(world["clerk"], talent, policy)
        workflow.submit(world["clerk"], made["talent"].pk)
        workflow.accept(rcj, made["talent"].pk)
    with at(2026, 3, 25):
        approve_open_task(rcj, made["talent"])
    with at(2026, 4, 1):
        made["april"] = _submit(world, draft, "standard")
    for application in made.values():
        application.refresh_from_db()
    assert PostCheck.objects.count() == 2
    return {**made, "policy": policy, "talent_person": talent, "rcj": rcj}
