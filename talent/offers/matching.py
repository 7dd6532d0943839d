"""The nightly run's part for enterprise policies and for offers (免申即享).

As for talent (`talent.matching.match_policy`), each policy costs a fixed number of statements
whatever the number of rows: one UPDATE of the revived matches and one of the lapsed, then one
INSERT … SELECT … RETURNING of the new ones; for a policy enjoyed without applying, one UPDATE of the
offers no longer eligible before they were confirmed and one INSERT … SELECT of the new offers (the
data each is based on built in the same statement, `JSONObject`).
"""

import datetime

from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from enterprises.models import Enterprise
from talent.models import Talent, TalentApplication, TalentPolicy
from talent.offers.enterprise_rules import BASIS_FIELDS, eligible_enterprises
from talent.offers.models import (
    LIVE_OFFER_STATES,
    EnterprisePolicy,
    EnterprisePolicyMatch,
    Offer,
    OfferStatus,
)
from talent.selectors import LIVE_STATES

# What a talent offer shows it was based on: the talent's and the employer's registered data.
TALENT_BASIS = {"tier": "tier", "education": "education", "birth_date": "birth_date", "started_on": "started_on",
                "returnee": "returnee", "employer_tech_tier": "enterprise__tech_tier",
                "employer_status": "enterprise__status"}


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def open_enterprise_policies(on: datetime.date | None = None) -> list[EnterprisePolicy]:
    on = on or timezone.localdate()
    policies = EnterprisePolicy.objects.select_related("service").filter(service__is_active=True)
    return [policy for policy in policies if policy.is_open(on)]


def match_enterprise_policy(policy: EnterprisePolicy, on: datetime.date,
                            now: datetime.datetime) -> tuple[list[tuple], int, int]:
    """Record the matches of one enterprise policy; returns (the new matches, lapsed, revived).

    As `talent.matching.match_policy`: lapsed and revived first, then the new ones inserted, marked
    notified and returned as (enterprise, policy, match id) rows for the run to tell.
    """
    eligible = Enterprise.objects.filter(eligible_enterprises(policy, on)).order_by()
    still_eligible = Exists(eligible.filter(pk=OuterRef("enterprise_id")))
    matches = EnterprisePolicyMatch.objects.filter(policy=policy)
    revived = matches.filter(lapsed_on__isnull=False).filter(still_eligible).update(lapsed_on=None)
    lapsed = matches.filter(lapsed_on__isnull=True).exclude(still_eligible).update(lapsed_on=on)
    unmatched = eligible.exclude(Exists(matches.filter(enterprise_id=OuterRef("pk"))))  # as for talent
    select_sql, select_params = _sql(unmatched.values("id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EnterprisePolicyMatch._meta.db_table} (policy_id, enterprise_id, matched_on, notified_at) "
            f"SELECT %s, eligible.id, %s, %s FROM ({select_sql}) AS eligible WHERE true "
            f"ON CONFLICT (policy_id, enterprise_id) DO NOTHING RETURNING enterprise_id, policy_id, id",
            (policy.pk, on, now, *select_params),
        )
        new = cursor.fetchall()
    if policy.no_application:
        make_offers(policy, eligible, on)
    return new, lapsed, revived


def _live_condition() -> str:
    # The predicate of the partial unique indexes, so ON CONFLICT finds them.
    states = ", ".join(f"'{state.value}'" for state in LIVE_OFFER_STATES)
    return f"status IN ({states})"


def _insert_offers(rows: QuerySet, conflict: str) -> int:
    """INSERT … SELECT the offers `rows` selects (its columns in the order of `columns`)."""
    columns = ["talent_policy_id", "enterprise_policy_id", "talent_id", "enterprise_id", "status", "offered_on",
               "basis"]
    select_sql, select_params = _sql(rows.values_list(*[f"o_{name}" for name in columns]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Offer._meta.db_table} ({', '.join(columns)}) "
            f"SELECT * FROM ({select_sql}) AS offered WHERE true "
            f"ON CONFLICT ({conflict}) WHERE {_live_condition()} DO NOTHING",
            select_params,
        )
        return cursor.rowcount


def _lapse_offers(subject: Q, still_eligible: Exists) -> int:
    """The unconfirmed offers no longer eligible lapse (before the insert, which adds only eligible ones)."""
    return Offer.objects.filter(subject, status=OfferStatus.OFFERED).exclude(still_eligible).update(
        status=OfferStatus.LAPSED)


def make_offers(policy: EnterprisePolicy | TalentPolicy, eligible: QuerySet, on: datetime.date) -> tuple[int, int]:
    """Offer `policy` to every eligible row without a live offer; lapse the unconfirmed offers no longer
    eligible. Returns (offered, lapsed)."""
    none = Cast(Value(None), IntegerField())
    common = {"o_status": Value(OfferStatus.OFFERED.value), "o_offered_on": Value(on)}
    if isinstance(policy, TalentPolicy):
        live_application = TalentApplication.objects.filter(
            policy=policy, talent=OuterRef("pk"), application__state__in=LIVE_STATES)
        live_offer = Offer.objects.filter(talent_policy=policy, talent=OuterRef("pk"), status__in=LIVE_OFFER_STATES)
        # Those already offered are left out before their data are built (ON CONFLICT stays the guard
        # against a run at the same time): a nightly run builds the basis of the new offers only.
        rows = eligible.exclude(Exists(live_application)).exclude(Exists(live_offer)).annotate(
            o_talent_policy_id=Value(policy.pk), o_enterprise_policy_id=none, o_talent_id=F("pk"),
            o_enterprise_id=F("enterprise_id"), **common,
            o_basis=JSONObject(**{key: F(path) for key, path in TALENT_BASIS.items()}))
        lapsed = _lapse_offers(Q(talent_policy=policy), Exists(eligible.filter(pk=OuterRef("talent_id"))))
        offered = _insert_offers(rows, "talent_policy_id, talent_id")
    else:
        fields = sorted({BASIS_FIELDS[name] for name in policy.rules or {} if name in BASIS_FIELDS} | {"status"})
        live_offer = Offer.objects.filter(enterprise_policy=policy, enterprise=OuterRef("pk"),
                                          status__in=LIVE_OFFER_STATES)
        rows = eligible.exclude(Exists(live_offer)).annotate(
            o_talent_policy_id=none, o_enterprise_policy_id=Value(policy.pk), o_talent_id=none,
            o_enterprise_id=F("pk"), **common, o_basis=JSONObject(**{name: F(name) for name in fields}))
        lapsed = _lapse_offers(Q(enterprise_policy=policy), Exists(eligible.filter(pk=OuterRef("enterprise_id"))))
        offered = _insert_offers(rows, "enterprise_policy_id, enterprise_id")
    return offered, lapsed


def offer_talent_policy(policy: TalentPolicy, eligible: QuerySet[Talent], on: datetime.date) -> tuple[int, int]:
    """The offers of a talent policy enjoyed without applying (called by `talent.matching.match_policy`)."""
    return make_offers(policy, eligible, on)
