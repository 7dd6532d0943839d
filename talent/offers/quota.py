"""How much of a policy's quota and budget is left, for talent and enterprise policies alike."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from services.applications.workflow.core import today
from talent.applications import Usage, usage
from talent.models import TalentPolicy
from talent.offers.models import EnterprisePolicyApplication, Offer


def usage_of(policy: Any, year: int | None = None) -> Usage:
    """The grants and money of `policy` in `year`: a talent policy's applications and offers
    (`talent.applications.usage`), an enterprise policy's approved applications and granted offers.

    The offers' confirmation and the applications' approval both read it under the policy's row lock,
    so a grant made either way is seen by the next one made either way.
    """
    if isinstance(policy, TalentPolicy):
        return usage(policy, year)
    year = year or today().year
    granted, spent = 0, Decimal("0")
    for rows in (Offer.objects.filter(enterprise_policy=policy, granted_year=year),
                 EnterprisePolicyApplication.objects.filter(policy=policy, granted_year=year)):
        totals = rows.aggregate(granted=Count("id"), spent=Sum("granted_amount"))
        granted, spent = granted + totals["granted"], spent + (totals["spent"] or Decimal("0"))
    return Usage(year=year, granted=granted, spent=spent)
