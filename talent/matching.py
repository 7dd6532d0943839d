"""免申即享 / 政策找人: the policies find the talent and the enterprises, who are told once.

A run takes each open talent policy in turn and, in the database, marks matches whose talent no
longer qualifies as lapsed, revives those that qualify again, and records a match for every talent
meeting all its rules (one INSERT … SELECT … RETURNING); the enterprise policies the same way
over the enterprises' registered data (`talent.offers.matching`). A policy enjoyed without applying
turns its matches into offers in the same transaction. The run then writes, in the same
transaction, one message per member of each enterprise with new matches, counting policies and
talent (`talent.offers.telling`). The number of queries depends on the number of policies, not of rows.
"""

import datetime
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


def match_policy(policy: TalentPolicy, on: datetime.date, now: datetime.datetime) -> tuple[list[tuple], int, int]:
    """Record the matches of one policy; returns (the new matches, lapsed, revived).

    The new matches come back as (enterprise, policy, talent, match id) rows and are marked notified
    at once: the run tells them in the same transaction (`talent.offers.telling`).
    """
    # No ORDER BY: the model's default ordering would sort every subquery for nothing.
    eligible = Talent.objects.filter(eligible_talent(policy, on)).order_by()
    still_eligible = Exists(eligible.filter(pk=OuterRef("talent_id")))
    matches = PolicyMatch.objects.filter(policy=policy)
    # Lapsing and reviving before the insert: the rows about to be written are eligible by definition,
    # so the first run of a policy checks nothing. NOT EXISTS plans as an anti-join; NOT IN could
    # rescan the subquery for every match.
    revived = matches.filter(lapsed_on__isnull=False).filter(still_eligible).update(lapsed_on=None)
    lapsed = matches.filter(lapsed_on__isnull=True).exclude(still_eligible).update(lapsed_on=on)
    table = PolicyMatch._meta.db_table
    # The talent already matched are left out by an anti-join, cheaper than a conflict per row on a
    # nightly run; ON CONFLICT stays the guard against a run at the same time.
    unmatched = eligible.exclude(Exists(matches.filter(talent_id=OuterRef("pk"))))
    select_sql, select_params = _sql(unmatched.values("id", "enterprise_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (policy_id, talent_id, enterprise_id, matched_on, notified_at) "
            # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
            f"SELECT %s, eligible.id, eligible.enterprise_id, %s, %s FROM ({select_sql}) AS eligible WHERE true "
            f"ON CONFLICT (policy_id, talent_id) DO NOTHING RETURNING enterprise_id, policy_id, talent_id, id",
            (policy.pk, on, now, *select_params),
        )
        new = cursor.fetchall()
    if policy.no_application:
        offer_talent_policy(policy, eligible, on)
    return new, lapsed, revived


def run_matching(on=None, progress: Callable[[TalentPolicy], None] | None = None) -> MatchingSummary:
    """Match every open policy against every talent and enterprise, then tell the enterprises newly matched.

    One transaction: the matches, the offers and the messages telling of them are written together,
    so a run that fails leaves nothing half told, and two runs at once tell each match once (the
    second waits on the first's new rows, then finds them taken).
    """
    started = time.perf_counter()
    on = on or timezone.localdate()
    now = timezone.now()
    summary = MatchingSummary(candidates=Talent.objects.count())
    runs = [(policy, match_policy, "talent") for policy in open_policies(on)]
    runs += [(policy, match_enterprise_policy, "enterprise") for policy in open_enterprise_policies(on)]
    found: dict[str, list[tuple]] = {"talent": [], "enterprise": []}
    with transaction.atomic():
        for policy, match, level in runs:
            new, lapsed, revived = match(policy, on, now)
            found[level] += new
            summary.policies += 1
            summary.new_matches += len(new)
            summary.lapsed += lapsed
            summary.revived += revived
            summary.per_policy[policy.code] = len(new)
            if progress:
                progress(policy)
        summary.enterprises_notified = notify_new_matches(found["talent"], found["enterprise"], now)
    summary.seconds = time.perf_counter() - started
    return summary


def matches_of(enterprise) -> list[PolicyMatch]:
    """The current matches of an enterprise, for its service package."""
    return list(
        PolicyMatch.objects.filter(enterprise=enterprise, lapsed_on__isnull=True, policy__service__is_active=True)
        .select_related("policy__service", "talent")
        .order_by("policy__service__code", "talent__name")
    )
