"""Eligibility of enterprises for the enterprise policies: rules over the enterprise's registered data.

The same pattern as `talent.eligibility`: a policy's `rules` is an object of rule kinds and values,
e.g. `{"tech_tiers": ["gazelle"], "min_years_since_founding": 3, "in_good_standing": true}`. Each kind
checks its value, explains a failure in the user's language, selects every eligible enterprise in one
query (the matching run's) and, for a rule about time, says from which day it will be met.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseSize, Industry, Street, TaxCreditRating, TechTier
from talent.eligibility import Verdict, condition_of, first_day_when, verdict_of
from talent.offers.models import EnterprisePolicy, EnterprisePolicyApplication, Offer, OfferStatus

Ready = tuple[datetime.date, str] | None


@dataclass(frozen=True)
class RuleKind:
    label: Any
    parse: Callable[[Any], Any]
    failure: Callable[[Enterprise, Any, datetime.date], str | None]
    query: Callable[[Any, datetime.date], Q]
    describe: Callable[[Any], str]
    ready_on: Callable[[Enterprise, Any, datetime.date], Ready] | None = None


def _choices(choices: type, what: str) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValueError(gettext("give a non-empty list of %(what)s") % {"what": what})
        unknown = [str(v) for v in value if v not in choices.values]
        if unknown:
            raise ValueError(gettext("unknown values %(values)s; allowed: %(allowed)s")
                             % {"values": ", ".join(unknown), "allowed": ", ".join(choices.values)})
        return sorted(set(value))
    return parse


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(gettext("give a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
        return value
    return parse


def _amount(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite() or number < 0:
        raise ValueError(gettext("give an amount of 10,000 CNY, 0 or more"))
    return str(number)


def _true(value: Any) -> bool:
    if value is not True:
        raise ValueError(gettext("the only value is true; remove the rule to drop it"))
    return True


def _codes(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(gettext("give a non-empty list of policy codes"))
    return sorted({v.strip() for v in value})


def _labels(choices: type, values: list[str]) -> str:
    return "、".join(str(choices(v).label) for v in values)


def _among(attribute: str, choices: type, message: str) -> Callable[[Enterprise, list[str], datetime.date], str | None]:
    def failure(enterprise: Enterprise, allowed: list[str], on: datetime.date) -> str | None:
        actual = getattr(enterprise, attribute)
        if actual in allowed:
            return None
        shown = choices(actual).label if actual in choices.values else gettext("not recorded")
        return gettext(message) % {"actual": shown, "allowed": _labels(choices, allowed)}
    return failure


def _years(enterprise: Enterprise, since: datetime.date | None, on: datetime.date) -> int:
    return relativedelta(on, since).years if since else 0


def _founded_at_least(enterprise: Enterprise, years: int, on: datetime.date) -> str | None:
    if enterprise.founded_on <= on - relativedelta(years=years):
        return None
    return gettext("Founded on %(date)s: %(actual)s full year(s), fewer than the required %(years)s.") % {
        "date": enterprise.founded_on, "actual": _years(enterprise, enterprise.founded_on, on), "years": years}


def _founded_within(enterprise: Enterprise, years: int, on: datetime.date) -> str | None:
    if enterprise.founded_on > on - relativedelta(years=years):
        return None
    return gettext("Founded on %(date)s, more than %(years)s years ago.") % {"date": enterprise.founded_on,
                                                                             "years": years}


def _tier_years(enterprise: Enterprise, years: int, on: datetime.date) -> str | None:
    since = enterprise.tech_tier_since
    if since and since <= on - relativedelta(years=years):
        return None
    if since is None:
        return gettext("No date of recognition of the technology tier is recorded.")
    return gettext("Technology tier recognised on %(date)s, fewer than %(years)s years ago.") % {
        "date": since, "years": years}


def _at_least(attribute: str, message: str, number: Callable[[Any], Any] = Decimal):
    def failure(enterprise: Enterprise, minimum: Any, on: datetime.date) -> str | None:
        actual = getattr(enterprise, attribute)
        if actual is not None and actual >= number(minimum):
            return None
        return gettext(message) % {"actual": gettext("not recorded") if actual is None else actual,
                                   "minimum": minimum}
    return failure


def _employees_at_most(enterprise: Enterprise, maximum: int, on: datetime.date) -> str | None:
    if enterprise.employees is not None and enterprise.employees <= maximum:
        return None
    return gettext("%(actual)s employees, above the limit of %(maximum)s.") % {
        "actual": gettext("not recorded") if enterprise.employees is None else enterprise.employees,
        "maximum": maximum}


def _standing(enterprise: Enterprise, value: bool, on: datetime.date) -> str | None:
    if enterprise.status != Enterprise.Status.VERIFIED:
        return gettext("The enterprise is not verified (%(status)s).") % {
            "status": Enterprise.Status(enterprise.status).label}
    if enterprise.on_credit_list(on):
        return gettext("The enterprise is on the credit list until %(date)s.") % {
            "date": enterprise.credit_listed_until}
    return None


def _standing_ready(enterprise: Enterprise, value: bool, on: datetime.date) -> Ready:
    if enterprise.status != Enterprise.Status.VERIFIED:
        return None  # a registration to be decided is not a matter of time
    return (enterprise.credit_listed_until + datetime.timedelta(days=1),
            gettext("the credit listing ends"))


def _granted(codes: list[str]) -> Q:
    # Granted as an offer (免申即享) or by an approved application: a revoked grant no longer counts.
    return (Exists(Offer.objects.filter(enterprise=OuterRef("pk"), status=OfferStatus.GRANTED,
                                        enterprise_policy__service__code__in=codes))
            | Exists(EnterprisePolicyApplication.objects.filter(
                application__enterprise=OuterRef("pk"), granted_year__isnull=False, policy__service__code__in=codes)))


def _not_granted(enterprise: Enterprise, codes: list[str], on: datetime.date) -> str | None:
    offered = Offer.objects.filter(enterprise=enterprise, status=OfferStatus.GRANTED,
                                   enterprise_policy__service__code__in=codes)
    applied = EnterprisePolicyApplication.objects.filter(application__enterprise=enterprise, granted_year__isnull=False,
                                                         policy__service__code__in=codes)
    earlier = sorted(set(offered.values_list("enterprise_policy__service__code", flat=True))
                     | set(applied.values_list("policy__service__code", flat=True)))
    if not earlier:
        return None
    return gettext("Already granted %(policies)s, which this policy does not combine with.") % {
        "policies": "、".join(earlier)}


RULES: dict[str, RuleKind] = {
    "industries": RuleKind(
        _("industries (GB/T 4754)"), _choices(Industry, "industries"),
        _among("industry", Industry, "Industry %(actual)s is not among %(allowed)s."),
        lambda v, on: Q(industry__in=v), lambda v: gettext("industry %(list)s") % {"list": _labels(Industry, v)}),
    "sizes": RuleKind(
        _("enterprise sizes"), _choices(EnterpriseSize, "sizes"),
        _among("size", EnterpriseSize, "Size %(actual)s is not among %(allowed)s."),
        lambda v, on: Q(size__in=v), lambda v: gettext("size %(list)s") % {"list": _labels(EnterpriseSize, v)}),
    "tech_tiers": RuleKind(
        _("technology tiers"), _choices(TechTier, "technology tiers"),
        _among("tech_tier", TechTier, "Technology tier %(actual)s is not among %(allowed)s."),
        lambda v, on: Q(tech_tier__in=v), lambda v: gettext("a %(list)s") % {"list": _labels(TechTier, v)}),
    "streets": RuleKind(
        _("streets and towns"), _choices(Street, "streets"),
        _among("street", Street, "Registered in %(actual)s, not in %(allowed)s."),
        lambda v, on: Q(street__in=v), lambda v: gettext("registered in %(list)s") % {"list": _labels(Street, v)}),
    "min_years_since_founding": RuleKind(
        _("founded at least so many years ago"), _whole(0, 100), _founded_at_least,
        lambda v, on: Q(founded_on__lte=on - relativedelta(years=v)),
        lambda v: gettext("founded %(years)s years ago or more") % {"years": v},
        lambda e, v, on: (first_day_when(e.founded_on, relativedelta(years=v)),
                          gettext("%(years)s years since the founding are reached") % {"years": v})),
    "max_years_since_founding": RuleKind(
        _("founded at most so many years ago"), _whole(1, 100), _founded_within,
        lambda v, on: Q(founded_on__gt=on - relativedelta(years=v)),
        lambda v: gettext("founded less than %(years)s years ago") % {"years": v}),
    "min_years_in_tech_tier": RuleKind(
        _("years since the technology tier was recognised"), _whole(1, 50), _tier_years,
        lambda v, on: Q(tech_tier_since__lte=on - relativedelta(years=v)),
        lambda v: gettext("in its technology tier for %(years)s years or more") % {"years": v},
        lambda e, v, on: None if e.tech_tier_since is None else (
            first_day_when(e.tech_tier_since, relativedelta(years=v)),
            gettext("%(years)s years in its technology tier are reached") % {"years": v})),
    "min_registered_capital": RuleKind(
        _("minimum registered capital (10,000 CNY)"), _amount,
        _at_least("registered_capital", "Registered capital %(actual)s (10,000 CNY), below %(minimum)s."),
        lambda v, on: Q(registered_capital__gte=Decimal(v)),
        lambda v: gettext("registered capital of %(amount)s (10,000 CNY) or more") % {"amount": v}),
    "min_annual_revenue": RuleKind(
        _("minimum annual revenue (10,000 CNY)"), _amount,
        _at_least("annual_revenue", "Annual revenue %(actual)s (10,000 CNY), below %(minimum)s."),
        lambda v, on: Q(annual_revenue__gte=Decimal(v)),
        lambda v: gettext("annual revenue of %(amount)s (10,000 CNY) or more") % {"amount": v}),
    "min_employees": RuleKind(
        _("minimum employees"), _whole(0, 1_000_000),
        _at_least("employees", "%(actual)s employees, fewer than %(minimum)s.", int),
        lambda v, on: Q(employees__gte=v), lambda v: gettext("%(count)s employees or more") % {"count": v}),
    "max_employees": RuleKind(
        _("maximum employees"), _whole(0, 1_000_000), _employees_at_most,
        lambda v, on: Q(employees__lte=v), lambda v: gettext("%(count)s employees or fewer") % {"count": v}),
    "tax_credit_ratings": RuleKind(
        _("tax credit ratings"), _choices(TaxCreditRating, "ratings"),
        _among("tax_credit_rating", TaxCreditRating, "Tax credit rating %(actual)s is not among %(allowed)s."),
        lambda v, on: Q(tax_credit_rating__in=v),
        lambda v: gettext("tax credit rating %(list)s") % {"list": "、".join(v)}),
    "in_good_standing": RuleKind(
        _("verified and not on the credit list"), _true, _standing,
        lambda v, on: Q(status=Enterprise.Status.VERIFIED) & (
            Q(credit_listed_until__isnull=True) | Q(credit_listed_until__lt=on)),
        lambda v: gettext("verified and not on the credit list"), _standing_ready),
    "not_granted_before": RuleKind(
        _("not granted these policies before"), _codes, _not_granted,
        lambda codes, on: ~_granted(codes),
        lambda codes: gettext("not granted %(codes)s before") % {"codes": "、".join(codes)}),
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
            errors.append(ValidationError(_("Unknown rule “%(rule)s”. Known rules: %(known)s."), code="unknown_rule",
                                          params={"rule": name, "known": ", ".join(RULES)}))
            continue
        try:
            normalised[name] = kind.parse(value)
        except ValueError as problem:
            errors.append(ValidationError(_("Rule “%(rule)s” (%(label)s): %(problem)s."), code="bad_rule_value",
                                          params={"rule": name, "label": kind.label, "problem": problem}))
    if errors:
        raise ValidationError(errors)
    return normalised


def _rules_of(policy: EnterprisePolicy) -> list[tuple[str, RuleKind, Any]]:
    rules = policy.rules or {}
    return [(name, kind, rules[name]) for name, kind in RULES.items() if name in rules]


def rule_failures(policy: EnterprisePolicy, enterprise: Enterprise, on: datetime.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    return [reason for _n, kind, value in _rules_of(policy) if (reason := kind.failure(enterprise, value, on))]


def evaluate(policy: EnterprisePolicy, enterprise: Enterprise, on: datetime.date | None = None) -> Verdict:
    """May the enterprise have `policy` today? The window, every rule, and from when if only time is missing."""
    return verdict_of(policy, enterprise, _rules_of(policy), on or timezone.localdate())


def describe_rules(policy: EnterprisePolicy) -> list[str]:
    return [kind.describe(value) for _n, kind, value in _rules_of(policy)]


def eligible_enterprises(policy: EnterprisePolicy, on: datetime.date | None = None) -> Q:
    """Every enterprise meeting all the rules of `policy`, as one filter on Enterprise."""
    return condition_of(_rules_of(policy), on or timezone.localdate())


# What an offer shows it was based on: the registered data each rule read.
BASIS_FIELDS = {
    "industries": "industry", "sizes": "size", "tech_tiers": "tech_tier", "streets": "street",
    "min_years_since_founding": "founded_on", "max_years_since_founding": "founded_on",
    "min_years_in_tech_tier": "tech_tier_since", "min_registered_capital": "registered_capital",
    "min_annual_revenue": "annual_revenue", "min_employees": "employees", "max_employees": "employees",
    "tax_credit_ratings": "tax_credit_rating", "in_good_standing": "status",
}
