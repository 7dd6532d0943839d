"""Eligibility of talent for the 丰才十条: rules as data, one verdict with every reason.

A policy's `rules` is an object of rule kinds and values, e.g.
`{"min_education": "master", "tiers": ["A", "B"], "max_age": 45}`. Each kind below knows
how to check its value, how to judge one talent (for the talent's page, with the reason
in the user's language) and how to select every eligible talent in one query (for the
matching run). The two must agree; the tests hold them to it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, TechTier
from talent import identity
from talent.models import EDUCATION_RANK, Education, Talent, TalentPolicy, Tier


@dataclass(frozen=True)
class RuleKind:
    label: Any
    # Checks and normalises the value; raises ValueError with the message.
    parse: Callable[[Any], Any]
    # The reason a talent fails the rule, or None.
    failure: Callable[[Talent, Any, datetime.date], str | None]
    # The talent who pass the rule, as a filter on Talent.
    query: Callable[[Any, datetime.date], Q]
    describe: Callable[[Any], str]
    # For a rule about time: the first day the talent will meet it and what is reached then, or None.
    ready_on: Callable[[Talent, Any, datetime.date], "tuple[datetime.date, str] | None"] | None = None


def first_day_when(start: datetime.date, delta: relativedelta) -> datetime.date:
    """The first day d with d - delta >= start: the day a rule "at least `delta` since `start`" is met.

    It agrees with the queries, which compare `start <= on - delta`: a start on 29 February or on the
    31st reaches a year or a month on the 1st of the next month, not on the last day of the short one.
    """
    day = start + delta
    while day - delta < start:
        day += datetime.timedelta(days=1)
    return day


def _choice_list(choices: type, what: str) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValueError(gettext("give a non-empty list of %(what)s") % {"what": what})
        unknown = [str(v) for v in value if v not in choices.values]
        if unknown:
            raise ValueError(gettext("unknown values %(values)s; allowed: %(allowed)s")
                             % {"values": ", ".join(unknown), "allowed": ", ".join(choices.values)})
        return sorted(set(value))
    return parse


def _whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(gettext("give a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
        return value
    return parse


def _must_be_true(value: Any) -> bool:
    if value is not True:
        raise ValueError(gettext("the only value is true; remove the rule to drop it"))
    return True


def _education_level(value: Any) -> str:
    if value not in (Education.BACHELOR, Education.MASTER, Education.DOCTORATE):
        raise ValueError(gettext("give one of bachelor, master, doctorate"))
    return value


def _labels(choices: type, values: list[str]) -> str:
    return "、".join(str(choices(v).label) for v in values)


# --- the rule kinds ----------------------------------------------------------------------

def _min_education_failure(talent: Talent, level: str, on: datetime.date) -> str | None:
    if EDUCATION_RANK[talent.education] >= EDUCATION_RANK[level]:
        return None
    return gettext("Highest education is %(actual)s, below the required %(required)s.") % {
        "actual": Education(talent.education).label, "required": Education(level).label}


def _min_education_query(level: str, on: datetime.date) -> Q:
    return Q(education__in=[e for e, rank in EDUCATION_RANK.items() if rank >= EDUCATION_RANK[level]])


def _tiers_failure(talent: Talent, tiers: list[str], on: datetime.date) -> str | None:
    if talent.tier in tiers:
        return None
    return gettext("Talent tier %(actual)s is not among %(allowed)s.") % {
        "actual": Tier(talent.tier).label, "allowed": _labels(Tier, tiers)}


def _max_age_failure(talent: Talent, limit: int, on: datetime.date) -> str | None:
    years = identity.age(talent.birth_date, on)
    if years <= limit:
        return None
    return gettext("Age %(age)s, above the limit of %(limit)s.") % {"age": years, "limit": limit}


def _max_age_query(limit: int, on: datetime.date) -> Q:
    # Age ≤ limit ⇔ born after this day; relativedelta takes 29 February to the 28th.
    return Q(birth_date__gt=on - relativedelta(years=limit + 1))


def _min_age_failure(talent: Talent, limit: int, on: datetime.date) -> str | None:
    years = identity.age(talent.birth_date, on)
    if years >= limit:
        return None
    return gettext("Age %(age)s, below the minimum of %(limit)s.") % {"age": years, "limit": limit}


def _min_age_ready(talent: Talent, limit: int, on: datetime.date) -> tuple[datetime.date, str]:
    return (first_day_when(talent.birth_date, relativedelta(years=limit)),
            gettext("the talent turns %(limit)s") % {"limit": limit})


def _min_age_query(limit: int, on: datetime.date) -> Q:
    # Age ≥ limit ⇔ born on or before this day.
    return Q(birth_date__lte=on - relativedelta(years=limit))


def _min_months_failure(talent: Talent, months: int, on: datetime.date) -> str | None:
    if talent.started_on <= on - relativedelta(months=months):
        return None
    delta = relativedelta(on, talent.started_on)
    served = max(delta.years * 12 + delta.months, 0)
    return gettext("%(served)s months in the district, fewer than the required %(required)s.") % {
        "served": served, "required": months}


def _min_months_ready(talent: Talent, months: int, on: datetime.date) -> tuple[datetime.date, str]:
    return (first_day_when(talent.started_on, relativedelta(months=months)),
            gettext("%(months)s months in the district are reached") % {"months": months})


def _employer_tiers_failure(talent: Talent, tiers: list[str], on: datetime.date) -> str | None:
    actual = talent.enterprise.tech_tier
    if actual in tiers:
        return None
    return gettext("The employer's technology tier is %(actual)s, not among %(allowed)s.") % {
        "actual": TechTier(actual).label, "allowed": _labels(TechTier, tiers)}


def _good_standing_failure(talent: Talent, value: bool, on: datetime.date) -> str | None:
    employer = talent.enterprise
    if employer.status != Enterprise.Status.VERIFIED:
        return gettext("The employer is not verified (%(status)s).") % {"status": Enterprise.Status(employer.status).label}
    if employer.on_credit_list(on):
        return gettext("The employer is on the credit list until %(date)s.") % {"date": employer.credit_listed_until}
    return None


def _good_standing_query(value: bool, on: datetime.date) -> Q:
    return Q(enterprise__status=Enterprise.Status.VERIFIED) & (
        Q(enterprise__credit_listed_until__isnull=True) | Q(enterprise__credit_listed_until__lt=on)
    )


def _returnee_failure(talent: Talent, value: bool, on: datetime.date) -> str | None:
    return None if talent.returnee else gettext("Only for returnees from overseas (海外人才回流).")


RULES: dict[str, RuleKind] = {
    "min_education": RuleKind(
        _("minimum education"), _education_level, _min_education_failure, _min_education_query,
        lambda level: gettext("education %(level)s or higher") % {"level": Education(level).label},
    ),
    "tiers": RuleKind(
        _("talent tiers"), _choice_list(Tier, "tiers"), _tiers_failure,
        lambda tiers, on: Q(tier__in=tiers),
        lambda tiers: gettext("talent tier %(tiers)s") % {"tiers": _labels(Tier, tiers)},
    ),
    "max_age": RuleKind(
        _("maximum age"), _whole_number(16, 100), _max_age_failure, _max_age_query,
        lambda limit: gettext("aged %(limit)s or under") % {"limit": limit},
    ),
    "min_age": RuleKind(
        _("minimum age"), _whole_number(16, 100), _min_age_failure, _min_age_query,
        lambda limit: gettext("aged %(limit)s or over") % {"limit": limit}, _min_age_ready,
    ),
    "min_months_in_district": RuleKind(
        _("minimum months in the district"), _whole_number(0, 600), _min_months_failure,
        lambda months, on: Q(started_on__lte=on - relativedelta(months=months)),
        lambda months: gettext("working in the district for %(months)s months or more") % {"months": months},
        _min_months_ready,
    ),
    "employer_tech_tiers": RuleKind(
        _("employer technology tiers"), _choice_list(TechTier, "technology tiers"), _employer_tiers_failure,
        lambda tiers, on: Q(enterprise__tech_tier__in=tiers),
        lambda tiers: gettext("employer is a %(tiers)s") % {"tiers": _labels(TechTier, tiers)},
    ),
    "employer_in_good_standing": RuleKind(
        _("employer verified and not on the credit list"), _must_be_true, _good_standing_failure,
        _good_standing_query, lambda value: gettext("employer verified and not on the credit list"),
    ),
    "returnee": RuleKind(
        _("returnees only"), _must_be_true, _returnee_failure, lambda value, on: Q(returnee=True),
        lambda value: gettext("returnee from overseas"),
    ),
}


def validate_rules(rules: Any) -> dict[str, Any]:
    """The rules, normalised; a malformed one is refused with a message naming it."""
    if rules in (None, ""):
        return {}
    if not isinstance(rules, dict):
        raise ValidationError(_("Write the rules as an object of rule names and values."), code="rules_not_object")
    normalised, errors = {}, []
    for name, value in rules.items():
        kind = RULES.get(name)
        if kind is None:
            errors.append(ValidationError(
                _("Unknown rule “%(rule)s”. Known rules: %(known)s."),
                code="unknown_rule", params={"rule": name, "known": ", ".join(RULES)},
            ))
            continue
        try:
            normalised[name] = kind.parse(value)
        except ValueError as problem:
            errors.append(ValidationError(
                _("Rule “%(rule)s” (%(label)s): %(problem)s."),
                code="bad_rule_value", params={"rule": name, "label": kind.label, "problem": problem},
            ))
    if errors:
        raise ValidationError(errors)
    return normalised


def _rules_of(policy: TalentPolicy) -> list[tuple[str, RuleKind, Any]]:
    """The policy's rules in the order of RULES, so reasons always read in the same order."""
    rules = policy.rules or {}
    return [(name, kind, rules[name]) for name, kind in RULES.items() if name in rules]


@dataclass
class Verdict:
    eligible: bool
    reasons: list[str] = field(default_factory=list)  # why not, one per failed rule
    # When every rule failed is about time: the first day all will be met (forward eligibility).
    eligible_from: datetime.date | None = None

    def __bool__(self) -> bool:
        return self.eligible


def forward(kinds: list[tuple[Any, Any]], row: Any, on: datetime.date,
            closes_on: datetime.date | None) -> tuple[datetime.date | None, str | None]:
    """The day every failed rule of `kinds` ((kind, value) pairs) will be met, and the sentence saying so.

    None when one of them is not about time (it will not pass by waiting) or when the policy closes first.
    """
    if not kinds:
        return None, None
    reached = []
    for kind, value in kinds:
        ready = kind.ready_on(row, value, on) if kind.ready_on else None
        if ready is None:
            return None, None
        reached.append(ready)
    day = max(when for when, _what in reached)
    if closes_on is not None and day > closes_on:
        return None, None
    return day, gettext("Eligible from %(date)s, when %(what)s.") % {
        "date": day.isoformat(), "what": gettext(", and ").join(what for _when, what in reached)}


def rule_failures(policy: TalentPolicy, talent: Talent, on: datetime.date | None = None) -> list[str]:
    """The reason of every rule the talent fails, in the active language."""
    on = on or timezone.localdate()
    reasons = []
    for _name, kind, value in _rules_of(policy):
        reason = kind.failure(talent, value, on)
        if reason:
            reasons.append(reason)
    return reasons


def verdict_of(policy: Any, row: Any, rules: list[tuple[str, Any, Any]], on: datetime.date) -> Verdict:
    """The verdict on `row` (a talent or an enterprise) for `policy` with its `rules`: the window counts,
    then every rule (each failure computed once), and from when if only time is missing."""
    reasons = []
    if not policy.service.is_active:
        reasons.append(gettext("This policy is not open for applications."))
    elif not policy.is_open(on):
        reasons.append(gettext("Applications are accepted from %(opens)s to %(closes)s.") % {
            "opens": policy.opens_on or "—", "closes": policy.closes_on or "—"})
    failures = [(kind, value, reason) for _name, kind, value in rules if (reason := kind.failure(row, value, on))]
    reasons += [reason for _kind, _value, reason in failures]
    eligible_from, sentence = (None, None) if not policy.is_open(on) else forward(
        [(kind, value) for kind, value, _reason in failures], row, on, policy.closes_on)
    if sentence:
        reasons.append(sentence)
    return Verdict(eligible=not reasons, reasons=reasons, eligible_from=eligible_from)


def condition_of(rules: list[tuple[str, Any, Any]], on: datetime.date) -> Q:
    """All the rules as one filter on the rows they are about (the matching run's query)."""
    condition = Q()
    for _name, kind, value in rules:
        condition &= kind.query(value, on)
    return condition


def evaluate(policy: TalentPolicy, talent: Talent, on: datetime.date | None = None) -> Verdict:
    """May the employer apply for `policy` for `talent` today?"""
    return verdict_of(policy, talent, _rules_of(policy), on or timezone.localdate())


def describe_rules(policy: TalentPolicy) -> list[str]:
    """The conditions of a policy in words, for the guide and the API."""
    return [kind.describe(value) for _name, kind, value in _rules_of(policy)]


def eligible_talent(policy: TalentPolicy, on: datetime.date | None = None) -> Q:
    """Every talent meeting all the rules of `policy`, as one filter (the matching run's query)."""
    return condition_of(_rules_of(policy), on or timezone.localdate())
