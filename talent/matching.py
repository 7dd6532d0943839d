"""免申即享 / 政策找人: the policies find the talent, and their employers are told once.

A run takes each open policy in turn and, in the database, records a match for every
talent meeting all its rules (one INSERT … SELECT), marks matches whose talent no longer
qualifies as lapsed, and revives those that qualify again. It then claims every match not
yet notified in one UPDATE and writes one inbox message per member of each enterprise
concerned. The number of queries depends on the number of policies, not of talent.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from enterprises.models import Membership
from notifications.models import WebhookEndpoint
from notifications.outbox import notify_many, publish
from talent.eligibility import eligible_talent
from talent.models import PolicyMatch, Talent, TalentPolicy


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
    return new, lapsed, revived


def notify_new_matches() -> int:
    """Tell each enterprise with matches not yet notified, once; returns the enterprises told.

    The UPDATE claims the rows, so two runs at the same time never notify the same match.
    """
    table = PolicyMatch._meta.db_table
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET notified_at = %s WHERE notified_at IS NULL AND lapsed_on IS NULL "
                f"RETURNING enterprise_id, policy_id, id",
                (now,),
            )
            claimed = cursor.fetchall()
        if not claimed:
            return 0
        by_enterprise: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        last_match: dict[int, int] = defaultdict(int)
        for enterprise_id, policy_id, match_id in claimed:
            by_enterprise[enterprise_id][policy_id] += 1
            last_match[enterprise_id] = max(last_match[enterprise_id], match_id)
        titles = {p.pk: str(p) for p in TalentPolicy.objects.select_related("service")}
        messages = []
        enterprise_ids = sorted(by_enterprise)
        for start in range(0, len(enterprise_ids), 5000):
            members = Membership.objects.filter(enterprise_id__in=enterprise_ids[start:start + 5000])
            for membership in members.select_related("user", "enterprise"):
                counts = by_enterprise[membership.enterprise_id]
                messages.append((membership.user, {
                    "enterprise": membership.enterprise.name,
                    "count": sum(counts.values()),
                    "policies": "、".join(titles[policy_id] for policy_id in sorted(counts)),
                }, f"{membership.enterprise_id}:{last_match[membership.enterprise_id]}",
                    f"/enterprises/{membership.enterprise_id}/package/"))
        notify_many("policy.matched", messages)
        codes = {p.pk: p.service.code for p in TalentPolicy.objects.select_related("service")}
        for enterprise_id in _subscribed_to_matches(by_enterprise):
            counts = by_enterprise[enterprise_id]
            publish(enterprise_id, "policy.matched", {
                "enterprise": enterprise_id, "count": sum(counts.values()),
                "policies": [codes[policy_id] for policy_id in sorted(counts)],
            }, key=f"{enterprise_id}:{last_match[enterprise_id]}")
    return len(by_enterprise)


def _subscribed_to_matches(enterprise_ids: Iterable[int]) -> list[int]:
    """The enterprises among `enterprise_ids` with an active webhook for "policy.matched"."""
    # Endpoints are few beside the enterprises matched: the event list is read in Python, which
    # also spares SQLite a JSON containment lookup it does not have.
    subscribed = {endpoint.enterprise_id for endpoint in WebhookEndpoint.objects.filter(is_active=True)
                  if "policy.matched" in endpoint.events}
    return sorted(subscribed.intersection(enterprise_ids))


def run_matching(on=None, progress: Callable[[TalentPolicy], None] | None = None) -> MatchingSummary:
    """Match every open policy against every talent, then notify the enterprises newly matched."""
    started = time.perf_counter()
    on = on or timezone.localdate()
    summary = MatchingSummary(candidates=Talent.objects.count())
    for policy in open_policies(on):
        with transaction.atomic():
            new, lapsed, revived = match_policy(policy, on)
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
