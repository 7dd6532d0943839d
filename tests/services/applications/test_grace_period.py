"""A company that complies during the grace period keeps its approval (容缺受理, DESIGN §3).

The deferred lease was due on 5 March 2026; the approval was suspended on the 6th; the grace
period of 10 working days ends on the 20th.
"""

import pytest

from enterprises.models import CreditRecord
from portal.models import AuditEvent
from services.applications import timers, workflow
from tests.conftest import licence_file
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(world, draft):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 2, 13):
        application = draft("deferred", skip=("lease",))
        workflow.submit(clerk, application.pk, deferred_materials=["lease"], commitment_accepted=True)
        workflow.accept(zjw, application.pk)
        workflow.decide(zjw, application.tasks.get(kind="review").pk, "approve")
    with at(2026, 3, 6):
        assert timers.suspend_overdue_deferred() == 1
    application.refresh_from_db()
    assert application.state == "suspended"
    return application


def test_supplied_and_checked_in_the_grace_period_the_approval_is_back_and_never_revoked(world, suspended):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 12):
        workflow.supply_deferred(clerk, suspended.pk, "lease", licence_file("lease.pdf"))
        workflow.check_deferred(zjw, suspended.deferred.get().pk)
    suspended.refresh_from_db()
    assert suspended.state == "approved"
    assert suspended.revocation_due is None
    restored = AuditEvent.objects.get(target_id=suspended.pk, action="application.restored")
    assert (restored.from_state, restored.to_state, restored.actor) == ("suspended", "approved", zjw)

    with at(2026, 3, 23):
        assert timers.revoke_after_grace() == 0
    suspended.refresh_from_db()
    assert suspended.state == "approved"
    assert not CreditRecord.objects.filter(enterprise=world["enterprise"]).exists()


def test_supplied_in_time_but_checked_after_the_grace_period_is_neither_revoked_nor_left_suspended(
    world, suspended
):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 19):
        workflow.supply_deferred(clerk, suspended.pk, "lease", licence_file("lease.pdf"))
    with at(2026, 3, 23):  # the grace period is over, but nothing is missing: no revocation
        assert timers.revoke_after_grace() == 0
        workflow.check_deferred(zjw, suspended.deferred.get().pk)
    suspended.refresh_from_db()
    assert suspended.state == "approved"
    assert not CreditRecord.objects.exists()


def test_still_missing_at_the_end_of_the_grace_period_is_revoked(world, suspended):
    with at(2026, 3, 23):
        assert timers.revoke_after_grace() == 1
    suspended.refresh_from_db()
    assert suspended.state == "revoked"
    assert CreditRecord.objects.filter(application=suspended).exists()


def test_supplied_but_not_yet_checked_the_application_stays_suspended(world, suspended):
    with at(2026, 3, 12):
        workflow.supply_deferred(world["clerk"], suspended.pk, "lease", licence_file("lease.pdf"))
    suspended.refresh_from_db()
    assert suspended.state == "suspended"
