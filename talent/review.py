"""What an official reviewing a talent application sees about the talent and the policy."""

from typing import Any

from django.utils import timezone

from services.models import Application
from talent import identity
from talent.applications import usage
from talent.eligibility import describe_rules, rule_failures
from talent.models import TalentApplication


def review_panel(application: Application, user: Any) -> dict[str, Any] | None:
    """The talent, the ID number as far as `user` may see it, today's verdict and the quota left."""
    claim = (TalentApplication.objects.select_related("talent__enterprise", "policy__service")
             .filter(application=application).first())
    if claim is None:
        return None
    talent, policy = claim.talent, claim.policy
    used = usage(policy)
    return {
        "claim": claim,
        "talent": talent,
        "id_number": identity.full_id_number(user, talent),
        "age": talent.age(timezone.localdate()),
        "policy": policy,
        "conditions": describe_rules(policy),
        "failures": rule_failures(policy, talent),
        "quota_remaining": used.quota_remaining(policy),
        "budget_remaining": used.budget_remaining(policy),
        "year": used.year,
    }
