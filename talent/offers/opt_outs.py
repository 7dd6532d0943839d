"""A person turns one policy's messages off, and on again (`PolicyMessageOptOut`).

The opt-out is the person's own: it silences that policy in the messages the nightly run writes to
them (`talent.offers.telling`), never the enterprise's other members, its service manager or its
webhooks. The pages and the API both go through these functions.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from talent.models import TalentPolicy
from talent.offers.models import EnterprisePolicy, PolicyMessageOptOut

LEVELS = ("talent", "enterprise")


def policy_of(level: Any, code: Any) -> TalentPolicy | EnterprisePolicy:
    """The talent or enterprise policy of that code; a wrong level or unknown code is refused, naming the field."""
    if level not in LEVELS:
        raise ValidationError({"level": [gettext("Give the level of the policy: talent or enterprise.")]})
    model = TalentPolicy if level == "talent" else EnterprisePolicy
    policy = (model.objects.select_related("service").filter(service__code=code).first()
              if isinstance(code, str) and code and "\x00" not in code else None)
    if policy is None:
        raise ValidationError({"policy": [gettext("No %(level)s policy has the code “%(code)s”.") % {
            "level": level_label(level), "code": str(code)[:50].replace("\x00", "")}]})
    return policy


def level_label(level: str) -> str:
    return gettext("talent") if level == "talent" else gettext("enterprise")


def level_of(policy: Any) -> str:
    return "talent" if isinstance(policy, TalentPolicy) else "enterprise"


def _of_policy(policy: Any) -> dict[str, Any]:
    return {"talent_policy": policy} if isinstance(policy, TalentPolicy) else {"enterprise_policy": policy}


def opt_outs_of(user: Any) -> QuerySet[PolicyMessageOptOut]:
    """The user's own opt-outs, newest first: nobody sees another's."""
    return (PolicyMessageOptOut.objects.filter(user=user)
            .select_related("talent_policy__service", "enterprise_policy__service").order_by("-created_at", "-id"))


@dataclass(frozen=True)
class TurnedOff:
    """The policies a user turned off, by level: ids, for a page marking each policy it lists."""

    talent: set[int] = field(default_factory=set)
    enterprise: set[int] = field(default_factory=set)

    def __contains__(self, policy: Any) -> bool:
        return policy.pk in (self.talent if isinstance(policy, TalentPolicy) else self.enterprise)


def turned_off(user: Any) -> TurnedOff:
    """Every policy the user turned off, in one query."""
    off = TurnedOff()
    for talent_policy, enterprise_policy in PolicyMessageOptOut.objects.filter(user=user).values_list(
            "talent_policy_id", "enterprise_policy_id"):
        if talent_policy:
            off.talent.add(talent_policy)
        else:
            off.enterprise.add(enterprise_policy)
    return off


def turn_off(user: Any, policy: Any) -> tuple[PolicyMessageOptOut, bool]:
    """Stop telling `user` about `policy`; (the opt-out, whether it is new). Twice is once."""
    try:
        with transaction.atomic():
            return PolicyMessageOptOut.objects.get_or_create(user=user, **_of_policy(policy))
    except IntegrityError:  # the same click twice at once: the other one stored it
        return PolicyMessageOptOut.objects.get(user=user, **_of_policy(policy)), False


def turn_on(user: Any, policy: Any) -> bool:
    """Tell `user` about `policy` again; whether it had been turned off."""
    deleted, _rows = PolicyMessageOptOut.objects.filter(user=user, **_of_policy(policy)).delete()
    return bool(deleted)
