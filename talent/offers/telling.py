"""Telling the right people of a run's new matches: one message per enterprise, counting policies.

The run hands over its new matches (marked notified as they were inserted, in the same transaction,
so two runs at once never tell the same match twice), claims any other match not yet notified (one
UPDATE … RETURNING per kind, over a partial index of those rows) and writes, for each member of each enterprise
concerned, one message counting the policies and the talent they benefit ("3 项政策，惠及 12 名人才"),
leaving out the policies the member turned off. The enterprise's service manager gets one message per
enterprise and run (`manager.matched`), integrating systems one `policy.matched` event.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import Enterprise, Membership
from notifications.models import WebhookEndpoint
from notifications.outbox import notify_many, publish
from talent.models import PolicyMatch, TalentPolicy
from talent.offers.models import EnterprisePolicy, EnterprisePolicyMatch, PolicyMessageOptOut

BATCH = 5000


class _News:
    """What one enterprise is told: talent per talent policy, and its enterprise policies."""

    def __init__(self) -> None:
        self.talent: dict[int, set[int]] = defaultdict(set)
        self.enterprise: set[int] = set()
        self.last = ""

    def pairs(self) -> int:
        return sum(len(people) for people in self.talent.values()) + len(self.enterprise)


def _claim(table: str, columns: str, now) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET notified_at = %s WHERE notified_at IS NULL AND lapsed_on IS NULL "
                       f"RETURNING {columns}", (now,))
        return cursor.fetchall()


def _opt_outs(user_ids: Iterable[int]) -> dict[int, tuple[set[int], set[int]]]:
    """{user: (talent policies, enterprise policies)} each turned off."""
    off: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    rows = PolicyMessageOptOut.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "talent_policy_id", "enterprise_policy_id")
    for user_id, talent_policy, enterprise_policy in rows:
        if talent_policy:
            off[user_id][0].add(talent_policy)
        else:
            off[user_id][1].add(enterprise_policy)
    return off


def _context(name: str, news: _News, titles: dict[str, dict[int, str]], off=(frozenset(), frozenset())) -> dict:
    talent_policies = sorted(p for p in news.talent if p not in off[0])
    enterprise_policies = sorted(p for p in news.enterprise if p not in off[1])
    people = set().union(*(news.talent[p] for p in talent_policies)) if talent_policies else set()
    names = [titles["talent"][p] for p in talent_policies] + [titles["enterprise"][p] for p in enterprise_policies]
    return {"enterprise": name, "count": len(names), "talent": len(people),
            "talent_policies": len(talent_policies), "enterprise_policies": len(enterprise_policies),
            "policies": "、".join(names)}


def notify_new_matches(talent_rows: Iterable[tuple] = (), enterprise_rows: Iterable[tuple] = (),
                       now: datetime.datetime | None = None) -> int:
    """Tell each enterprise of its new matches, once; returns the enterprises told.

    `talent_rows` (enterprise, policy, talent, match id) and `enterprise_rows` (enterprise, policy,
    match id) are the run's new matches, already marked notified in its transaction; matches written
    elsewhere and not yet notified are claimed here too.
    """
    now = now or timezone.now()
    with transaction.atomic():
        news: dict[int, _News] = defaultdict(_News)
        talent_rows = [*talent_rows, *_claim(PolicyMatch._meta.db_table, "enterprise_id, policy_id, talent_id, id", now)]
        enterprise_rows = [*enterprise_rows,
                           *_claim(EnterprisePolicyMatch._meta.db_table, "enterprise_id, policy_id, id", now)]
        for enterprise_id, policy_id, talent_id, match_id in talent_rows:
            news[enterprise_id].talent[policy_id].add(talent_id)
            news[enterprise_id].last = max(news[enterprise_id].last, f"t{match_id:012d}")
        for enterprise_id, policy_id, match_id in enterprise_rows:
            news[enterprise_id].enterprise.add(policy_id)
            news[enterprise_id].last = max(news[enterprise_id].last, f"e{match_id:012d}")
        if not news:
            return 0
        titles = {"talent": {p.pk: str(p) for p in TalentPolicy.objects.select_related("service")},
                  "enterprise": {p.pk: str(p) for p in EnterprisePolicy.objects.select_related("service")}}
        enterprise_ids = sorted(news)
        for start in range(0, len(enterprise_ids), BATCH):
            _tell_members(enterprise_ids[start:start + BATCH], news, titles)
            _tell_managers(enterprise_ids[start:start + BATCH], news, titles)
        codes = {"talent": {p.pk: p.service.code for p in TalentPolicy.objects.select_related("service")},
                 "enterprise": {p.pk: p.service.code for p in EnterprisePolicy.objects.select_related("service")}}
        for enterprise_id in _subscribed_to_matches(news):
            item = news[enterprise_id]
            publish(enterprise_id, "policy.matched", {
                "enterprise": enterprise_id, "count": item.pairs(),
                "policies": [codes["talent"][p] for p in sorted(item.talent)],
                "enterprise_policies": [codes["enterprise"][p] for p in sorted(item.enterprise)],
                "talent": len(set().union(*item.talent.values())) if item.talent else 0,
            }, key=f"{enterprise_id}:{item.last}")
    return len(news)


def _tell_members(enterprise_ids: list[int], news: dict[int, _News], titles: dict) -> None:
    # Only what a message needs: the recipient's address, phone and language, the enterprise's name.
    members = list(Membership.objects.filter(enterprise_id__in=enterprise_ids).select_related("user", "enterprise")
                   .only("enterprise_id", "user_id", "enterprise__name", "user__email", "user__phone", "user__language"))
    off = _opt_outs({m.user_id for m in members})
    messages = []
    for membership in members:
        item = news[membership.enterprise_id]
        context = _context(membership.enterprise.name, item, titles, off.get(membership.user_id, (set(), set())))
        if not context["count"]:
            continue  # every policy of this run is one the member turned off
        messages.append((membership.user, context, f"{membership.enterprise_id}:{item.last}",
                         f"/enterprises/{membership.enterprise_id}/package/"))
    notify_many("policy.matched", messages)


def _tell_managers(enterprise_ids: list[int], news: dict[int, _News], titles: dict) -> None:
    """The service manager (服务管家) of each enterprise: one `manager.matched` message per enterprise and run.

    Their workbench hooks on this kind (and on `manager.offer_confirmed`) in the outbox.
    """
    managed = (Enterprise.objects.filter(pk__in=enterprise_ids, service_manager__isnull=False)
               .select_related("service_manager").only("id", "name", "service_manager"))
    messages = [(enterprise.service_manager, _context(enterprise.name, news[enterprise.pk], titles),
                 f"{enterprise.pk}:{news[enterprise.pk].last}", f"/admin/enterprises/enterprise/{enterprise.pk}/change/")
                for enterprise in managed]
    if messages:
        notify_many("manager.matched", messages)


def _subscribed_to_matches(enterprise_ids: Iterable[int]) -> list[int]:
    """The enterprises among `enterprise_ids` with an active webhook for "policy.matched"."""
    # Endpoints are few beside the enterprises matched: the event list is read in Python, which
    # also spares SQLite a JSON containment lookup it does not have.
    subscribed = {endpoint.enterprise_id for endpoint in WebhookEndpoint.objects.filter(is_active=True)
                  if "policy.matched" in endpoint.events}
    return sorted(subscribed.intersection(enterprise_ids))
