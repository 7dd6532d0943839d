"""免申即享 / 政策找人: the policies find the talent and the enterprises, who are told once.

A run takes each open talent policy in turn and, in the database, records a match for every
talent meeting all its rules (one INSERT … SELECT), marks matches whose talent no longer
qualifies as lapsed, and revives those that qualify again; the enterprise policies the same way
over the enterprises' registered data (`talent.offers.matching`). A policy enjoyed without applying
turns its matches into offers in the same transaction. The run then claims every match not yet
notified and writes one message per member of each enterprise concerned, counting policies and
talent (`talent.offers.telling`). The number of queries depends on the number of policies, not of rows.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from talent.eligibility import eligible_talent
from talent.models import PolicyMatch, Talent, TalentPolicy
from talent.offers.matching import match_enterprise_policy, offer_talent_policy, open_enterprise_policies
from talent.offers.telling import notify_new_matches


@dataclass
class MatchingSummary:
    policies: int = 0
    candidates: int = 0
    new_matches: int = 0
    lapsed: int = 0
    revived: int = 0
    enterprises_notified: int = 0
    seconds: float = 0.0
    per_policy: dict[str, int] = field(default_factory=dict)


def open_policies(on=None) -> list[TalentPolicy]:
    on = on or timezone.localdate()
    policies = TalentPolicy.objects.select_related("service").filter(service__is_active=True)
    return [policy for policy in policies if policy.is_open(on)]


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def match_policy(policy: TalentPolicy, on) -> tuple[int, int, int]:
    """Record the matches of one policy; returns (new, lapsed, revived)."""
    # No ORDER BY: the model's default ordering would sort every subquery for nothing.
    eligible = Talent.objects.filter(eligible_talent(policy, on)).order_by()
    still_eligible = Exists(eligible.filter(pk=OuterRef("talent_id")))
    matches = PolicyMatch.objects.filter(policy=policy)
    revived = matches.filter(lapsed_on__isnull=False).filter(still_eligible).update(lapsed_on=None)
    table = PolicyMatch._meta.db_table
    select_sql, select_params = _sql(eligible.values("id", "enterprise_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (policy_id, talent_id, enterprise_id, matched_on) "
            # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
            f"SELECT %s, eligible.id, eligible.enterprise_id, %s FROM ({select_sql}) AS eligible WHERE true "
            f"ON CONFLICT (policy_id, talent_id) DO NOTHING",
            (policy.pk, on, *select_params),
        )
        new = cursor.rowcount
    # NOT EXISTS plans as an anti-join; NOT IN could rescan the subquery for every match.
    lapsed = matches.filter(lapsed_on__isnull=True).exclude(still_eligible).update(lapsed_on=on)
    if policy.no_application:
        offer_talent_policy(policy, eligible, on)
    return new, lapsed, revived


def run_matching(on=None, progress: Callable[[TalentPolicy], None] | None = None) -> MatchingSummary:
    """Match every open policy against every talent, then notify the enterprises newly matched."""
    started = time.perf_counter()
    on = on or timezone.localdate()
    summary = MatchingSummary(candidates=Talent.objects.count())
    runs = [(policy, match_policy) for policy in open_policies(on)]
    runs += [(policy, match_enterprise_policy) for policy in open_enterprise_policies(on)]
    for policy, match in runs:
        with transaction.atomic():
            new, lapsed, revived = match(policy, on)
        summary.policies += 1
        summary.new_matches += new
        summary.lapsed += lapsed
        summary.revived += revived
        summary.per_policy[policy.code] = new
        if progress:
            progress(policy)
    summary.enterprises_notified = notify_new_matches()
    summary.seconds = time.perf_counter() - started
    return summary


def matches_of(enterprise) -> list[PolicyMatch]:
    """The current matches of an enterprise, for its service package."""
    return list(
        PolicyMatch.objects.filter(enterprise=enterprise, lapsed_on__isnull=True, policy__service__is_active=True)
        .select_related("policy__service", "talent")
        .order_by("policy__service__code", "talent__name")
    )
