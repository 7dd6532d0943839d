"""How much of a policy's quota and budget is left, for talent and enterprise policies alike."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from services.applications.workflow.core import today
from talent.applications import Usage, usage
from talent.models import TalentPolicy
from talent.offers.models import Offer


def usage_of(policy: Any, year: int | None = None) -> Usage:
    """The grants and money of `policy` in `year`: a talent policy's applications and offers
    (`talent.applications.usage`), an enterprise policy's granted offers."""
    if isinstance(policy, TalentPolicy):
        return usage(policy, year)
    year = year or today().year
    totals = Offer.objects.filter(enterprise_policy=policy, granted_year=year).aggregate(
        granted=Count("id"), spent=Sum("granted_amount"))
    return Usage(year=year, granted=totals["granted"], spent=totals["spent"] or Decimal("0"))
