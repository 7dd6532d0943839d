"""What an official reviewing a talent application sees about the talent, the policy and its waiting list."""

from typing import Any

from django.utils import timezone

from services.models import Application
from talent import identity
from talent.applications import usage
from talent.eligibility import describe_rules, rule_failures
from talent.models import TalentApplication
from talent.selectors import waiting_list


def review_panel(application: Application, user: Any) -> dict[str, Any] | None:
    """The talent, the ID number masked (and whether `user` may ask for the whole), today's verdict, the quota left and the
    policy's waiting list, with this application's place on it."""
    claim = (TalentApplication.objects.select_related("talent__enterprise", "policy__service")
             .filter(application=application).first())
    if claim is None:
        return None
    talent, policy = claim.talent, claim.policy
    used = usage(policy)
    line = waiting_list(policy, used=used)
    return {
        "claim": claim,
        "talent": talent,
        "id_number": talent.masked_id_number,
        "may_reveal": identity.may_see_full_id_number(user, talent),
        "age": talent.age(timezone.localdate()),
        "policy": policy,
        "conditions": describe_rules(policy),
        "failures": rule_failures(policy, talent),
        "quota_remaining": used.quota_remaining(policy),
        "budget_remaining": used.budget_remaining(policy),
        "year": used.year,
        "grants_left": line.places_left,
        "waiting": line.entries,
        "waiting_entry": line.entry_of(application.pk),
    }
