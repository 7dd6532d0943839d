"""A revoked grant gives its place in the quota and its money back to the policy's year."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from services.applications import workflow
from services.models import State
from talent.applications import apply_for_policy, usage
from talent.models import TalentApplication
from tests.helpers import approve_open_task

pytestmark = pytest.mark.django_db


def test_revoking_a_grant_frees_the_quota_for_the_application_waiting(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    official = talent_department["official"]
    policy = make_policy(annual_quota=1, annual_budget=Decimal("10000"))
    granted, waiting = make_talent(alices_enterprise, "甲"), make_talent(alices_enterprise, "乙")
    applications = []
    for talent in (granted, waiting):
        application = apply_for_policy(alice, talent, policy)
        workflow.submit(alice, application.pk)
        workflow.accept(official, application.pk)
        applications.append(application)
    first, second = applications
    approve_open_task(official, first)
    with pytest.raises(ValidationError) as over_quota:
        approve_open_task(official, second)
    assert "decision" in over_quota.value.message_dict  # over the quota: it stays in review
    second.refresh_from_db()
    assert second.state in (State.ACCEPTED, State.IN_REVIEW)
    assert usage(policy).quota_remaining(policy) == 0

    workflow.revoke(first.pk, "材料造假，撤销补贴。", actor=official)

    first.refresh_from_db()
    assert first.state == State.REVOKED
    used = usage(policy)
    assert (used.granted, used.quota_remaining(policy), used.budget_remaining(policy)) == (0, 1, Decimal("10000"))
    assert TalentApplication.objects.get(application=first).granted_year is None
    approve_open_task(official, second)
    second.refresh_from_db()
    assert second.state == State.APPROVED
    assert usage(policy).quota_remaining(policy) == 0
