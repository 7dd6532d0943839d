"""The stories of 好差评 start from an application the departments of the world have decided."""

import pytest

from services.applications import workflow
from services.models import Task
from tests.helpers import approve_open_task


@pytest.fixture
def decided(world, draft):
    """A standard application of the world's clerk brought to `outcome`.

    "approved" and "completed": both steps approved, the fire brigade's (区消防救援支队) last;
    "rejected": rejected at the first step by 区住建委; "not_accepted": refused at intake by
    区住建委; "accepted": taken in, nothing decided yet; "withdrawn": withdrawn in review.
    """
    clerk, zjw, xfj = world["clerk"], world["officials"]["zjw1"], world["officials"]["xfj1"]

    def make(outcome: str = "approved"):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        if outcome == "not_accepted":
            workflow.refuse(zjw, application.pk, "本事项不属于本部门职权范围。")
        else:
            workflow.accept(zjw, application.pk)
        if outcome == "rejected":
            task = Task.objects.get(application=application, status=Task.Status.OPEN)
            workflow.decide(zjw, task.pk, "reject", "不符合规划要求。")
        if outcome in ("approved", "completed"):
            approve_open_task(zjw, application)
            approve_open_task(xfj, application)
        if outcome == "completed":
            workflow.complete(zjw, application.pk)
        if outcome == "withdrawn":
            workflow.withdraw(clerk, application.pk, "项目调整。")
        application.refresh_from_db()
        assert application.state == outcome
        return application

    return make
