"""Talent applications: an employer applies to a policy for one of its talent.

They are ordinary applications of the policy's service item. `TalentPolicyRules` adds
what is particular to them to the workflow (see `services.applications.workflow.extensions`): the talent
is named at creation, eligibility is checked again at submission and at approval, and
approval spends the policy's annual quota and budget under a lock on the policy row, so
concurrent approvals never overspend. When fewer grants are left than applications at their final
decision, those applications form the policy's waiting list (`talent.selectors.waiting_list`) and
the grants left go to them in the order received: a later one is refused while an earlier one
waits. A revoked grant gives its place back under the same lock, and the enterprise of the
application that can now be decided is told.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.utils.functional import lazy
from django.utils.translation import gettext

from notifications.outbox import notify
from services.applications import workflow
from services.applications.models import REVIEW_STATES
from services.applications.workflow.core import today
from services.applications.workflow.extensions import ReviewPanel
from services.models import Application, State
from talent.eligibility import evaluate, rule_failures
from talent.models import Offer, Talent, TalentApplication, TalentPolicy
from talent.selectors import LIVE_STATES as LIVE_STATES  # re-exported: portal.package reads it here
from talent.selectors import WaitingEntry, WaitingList, live_application_of, waiting_list


def apply_for_policy(user: Any, talent: Talent, policy: TalentPolicy) -> Application:
    """A draft application of the talent's employer for `policy`, for `talent`."""
    return workflow.create_application(user, talent.enterprise, policy.service, form={"talent": talent.pk})


@dataclass
class Usage:
    """What a policy granted and spent in one year, and so what is left of its quota and budget."""

    year: int
    granted: int
    spent: Decimal

    def quota_remaining(self, policy: TalentPolicy) -> int | None:
        """Grants left this year; None when the policy has no quota."""
        return None if policy.annual_quota is None else max(policy.annual_quota - self.granted, 0)

    def budget_remaining(self, policy: TalentPolicy) -> Decimal | None:
        """Money left this year; None when the policy has no budget."""
        return None if policy.annual_budget is None else max(policy.annual_budget - self.spent, Decimal("0"))

    def grants_left(self, policy: TalentPolicy) -> int | None:
        """How many more grants the quota and the budget both allow this year; None when neither limits."""
        limits = []
        if (quota := self.quota_remaining(policy)) is not None:
            limits.append(quota)
        budget = self.budget_remaining(policy)
        if budget is not None and policy.amount > 0:  # a grant of no money never runs the budget out
            limits.append(int(budget // policy.amount))
        return min(limits) if limits else None


def usage(policy: TalentPolicy, year: int | None = None) -> Usage:
    """Grants made and money committed by `policy` in `year` (this year by default): its approved
    applications and its granted offers (免申即享, `talent.offers`).

    The one source of the figures the page, the API, the admin and the approval show. A policy
    annotated by `with_usage` for that year is read without a query, so lists stay one query.
    """
    annotated_year = getattr(policy, "usage_year", None)
    year = year or annotated_year or today().year
    if annotated_year == year:
        return Usage(year=year, granted=policy.granted_this_year + (policy.offers_granted_this_year or 0),
                     spent=(policy.spent_this_year or Decimal("0")) + (policy.offers_spent_this_year or Decimal("0")))
    totals = TalentApplication.objects.filter(policy=policy, granted_year=year).aggregate(
        granted=Count("id"), spent=Sum("granted_amount"))
    offers = Offer.objects.filter(talent_policy=policy, granted_year=year).aggregate(
        granted=Count("id"), spent=Sum("granted_amount"))
    return Usage(year=year, granted=totals["granted"] + offers["granted"],
                 spent=(totals["spent"] or Decimal("0")) + (offers["spent"] or Decimal("0")))


def with_usage(policies: Any, year: int | None = None) -> Any:
    """Annotate a queryset of policies with their usage in `year`, in one query, for `usage()`."""
    year = year or today().year
    this_year = Q(applications__granted_year=year)
    offers = Offer.objects.filter(talent_policy=OuterRef("pk"), granted_year=year).order_by().values("talent_policy")
    return policies.annotate(
        usage_year=Value(year, output_field=IntegerField()),
        granted_this_year=Count("applications", filter=this_year),
        spent_this_year=Sum("applications__granted_amount", filter=this_year),
        offers_granted_this_year=Subquery(offers.annotate(n=Count("id")).values("n")[:1],
                                          output_field=IntegerField()),
        offers_spent_this_year=Subquery(offers.annotate(total=Sum("granted_amount")).values("total")[:1],
                                        output_field=DecimalField(max_digits=14, decimal_places=2)),
    )


def _policy_of(application: Application) -> TalentPolicy | None:
    return TalentPolicy.objects.filter(service_id=application.service_id).first()


class TalentPolicyRules:
    def on_create(self, application: Application, user: Any) -> None:
        policy = _policy_of(application)
        if policy is None:
            return
        talent_id = (application.form or {}).get("talent")
        talent = None
        if isinstance(talent_id, int) or (isinstance(talent_id, str) and talent_id.isdigit()):
            # Locking the talent makes two clicks on "apply" at once create one application.
            talent = Talent.objects.select_for_update(of=("self",)).select_related("enterprise").filter(
                pk=int(talent_id), enterprise=application.enterprise).first()
        if talent is None:
            raise ValidationError({"talent": [gettext("Name one of the enterprise's talent (form field “talent”).")]})
        if policy.no_application:
            raise ValidationError({"talent": [gettext(
                "This policy is enjoyed without applying (免申即享): confirm its offer in the list of offers.")]})
        verdict = evaluate(policy, talent)
        if not verdict:
            raise ValidationError({"talent": verdict.reasons})
        live = live_application_of(talent, policy)
        if live is not None and live.pk != application.pk:
            raise ValidationError({"talent": [
                gettext("%(name)s already has an application for this policy.") % {"name": talent.name}]})
        TalentApplication.objects.create(application=application, policy=policy, talent=talent)

    def submission_errors(self, application: Application) -> dict[str, list[str]]:
        policy = _policy_of(application)
        if policy is None:
            return {}
        claim = TalentApplication.objects.select_related("talent__enterprise").filter(application=application).first()
        if claim is None:
            return {"talent": [gettext("This application names no talent.")]}
        verdict = evaluate(policy, claim.talent)
        return {} if verdict else {"talent": verdict.reasons}

    def on_approve(self, application: Application) -> None:
        claim = (TalentApplication.objects.select_related("talent__enterprise")
                 .filter(application=application).first())
        if claim is None:
            return
        # Every approval of this policy waits here for the one before it: the count and
        # sum below cannot change until this transaction ends.
        policy = TalentPolicy.objects.select_for_update().get(pk=claim.policy_id)
        reasons = rule_failures(policy, claim.talent)
        if reasons:
            raise ValidationError({"decision": [
                gettext("The talent no longer meets the policy: %(reasons)s") % {"reasons": " ".join(reasons)}]})
        used = usage(policy)
        # Read under the same lock as the usage above: no grant can come or go in between.
        require_grant_left(application, used, waiting_list(policy, used=used, deciding=application))
        claim.granted_year, claim.granted_amount = used.year, policy.amount
        claim.save(update_fields=["granted_year", "granted_amount"])

    def on_revoke(self, application: Application) -> None:
        """A revoked grant no longer counts: its quota and budget go back to the policy's year."""
        claim = TalentApplication.objects.filter(application=application, granted_year__isnull=False).first()
        if claim is None:
            return
        # The same lock as an approval's, so a concurrent approval sees the freed place at once.
        policy = TalentPolicy.objects.select_for_update().get(pk=claim.policy_id)
        before = waiting_list(policy)
        TalentApplication.objects.filter(pk=claim.pk).update(granted_year=None, granted_amount=None)
        tell_those_now_decidable(before, waiting_list(policy), key=f"place-back:{claim.pk}")
        from talent.offers.workflow import promote_waiting  # here: talent.offers imports this module

        promote_waiting(policy, None)  # confirmations waiting for the policy's grants, first in line first

    def held_materials(self, application: Application) -> set[str]:
        """A talent application is made from the district's records of the talent: it does not ask for
        the materials the policy lists as held (ID card, degree, social insurance…)."""
        policy = _policy_of(application)
        if policy is None or not TalentApplication.objects.filter(application=application).exists():
            return set()
        return set(policy.held_materials or [])

    def review_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """The talent and the policy, as the official reviewing a talent application sees them."""
        from talent.review import review_panel  # here: talent.review imports this module

        context = review_panel(application, user)
        return None if context is None else ReviewPanel("admin/talent/review_panel.html", context)

    def applicant_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """The application's place on its policy's waiting list, as its own enterprise sees it."""
        if application.state not in REVIEW_STATES:
            return None
        claim = TalentApplication.objects.select_related("policy").filter(application=application).first()
        if claim is None:
            return None
        return waiting_place_panel(waiting_list(claim.policy), application)

    def rehearsal_notes(self, application: Application) -> list[str]:
        """The policy's quota and budget left this year, as the rehearsal of a submission tells them."""
        claim = TalentApplication.objects.select_related("policy").filter(application=application).first()
        if claim is None:
            return []
        return quota_notes(claim.policy, usage(claim.policy))

    def list_filters(self) -> list[type]:
        """The applications' admin list can show the applications waiting for a policy's quota."""
        from talent.admin import WaitingForQuotaFilter  # here: talent.admin imports this module

        return [WaitingForQuotaFilter]


def require_grant_left(application: Application, used: Usage, line: WaitingList) -> None:
    """Refuse the final approval of `application` when its policy's quota or budget is used up, or when
    applications received before it wait for the grants left (talent and enterprise policies alike).

    The caller holds the policy's lock and read `used` and `line` under it.
    """
    policy = line.policy
    entry = line.entry_of(application.pk)
    place = [gettext("It is number %(position)s of %(count)s on the waiting list.")
             % {"position": entry.position, "count": len(line)}] if entry else []
    if policy.annual_quota is not None and used.granted >= policy.annual_quota:
        raise ValidationError({"decision": [
            gettext("The %(year)s quota of %(quota)s grants is used up; the application stays in review "
               "on the waiting list.") % {"year": used.year, "quota": policy.annual_quota}, *place]})
    if policy.annual_budget is not None and used.spent + policy.amount > policy.annual_budget:
        raise ValidationError({"decision": [
            gettext("The %(year)s budget has %(left)s CNY left, less than the %(amount)s CNY of this grant; "
               "the application stays in review on the waiting list.")
            % {"year": used.year, "left": used.budget_remaining(policy), "amount": policy.amount}, *place]})
    if entry is not None and not entry.decidable:
        raise ValidationError({"decision": [not_before_those_ahead(line, entry, used)]})


def waiting_place_panel(line: WaitingList, application: Application) -> ReviewPanel | None:
    """The application's place on a policy's waiting list, as its own enterprise sees it (talent and
    enterprise policies alike); None when it is not on the list."""
    entry = line.entry_of(application.pk)
    if entry is None:
        return None
    # Only the application's own position and the list's length: the other entries are
    # other enterprises' applications.
    return ReviewPanel("talent/_waiting_place.html", {
        "position": entry.position, "count": len(line), "decidable": entry.decidable,
        "places_left": line.places_left, "year": line.year,
    })


def quota_notes(policy: Any, used: Usage) -> list[str]:
    """A policy's quota and budget left this year in words (talent and enterprise policies alike)."""
    quota, left = policy.annual_quota, used.grants_left(policy)
    if quota is None and left is None:
        return [gettext("%(policy)s has no annual quota.") % {"policy": policy}]
    notes = []
    if quota is not None:
        notes.append(gettext("%(policy)s: %(left)s of its %(quota)s grants of %(year)s are left.") % {
            "policy": policy, "left": used.quota_remaining(policy), "quota": quota, "year": used.year})
    if left is not None and left == 0:
        notes.append(gettext("No grant is left this year: an application would wait on the policy's "
                             "waiting list."))
    elif policy.annual_budget is not None:
        notes.append(gettext("Its budget allows %(count)s more grants this year.") % {"count": left})
    return notes


def not_before_those_ahead(line: WaitingList, entry: WaitingEntry, used: Usage) -> str:
    """Why a later application on the waiting list may not take a grant before the earlier ones
    (talent and enterprise policies alike)."""
    policy = line.policy
    ahead = ", ".join(gettext("%(reference)s (number %(position)s)")
                      % {"reference": earlier.reference, "position": earlier.position} for earlier in line.ahead)
    values = {"reference": entry.reference, "position": entry.position, "count": len(line),
              "left": line.places_left, "year": line.year, "ahead": ahead}
    if policy.annual_quota is not None and used.quota_remaining(policy) == line.places_left:
        return gettext(
            "%(reference)s is number %(position)s of %(count)s on the waiting list. The %(left)s grant(s) left of "
            "the %(year)s quota of %(quota)s go first to the applications received before it: decide %(ahead)s "
            "first.") % {**values, "quota": policy.annual_quota}
    return gettext(
        "%(reference)s is number %(position)s of %(count)s on the waiting list. The %(year)s budget has %(budget)s "
        "CNY left, enough for %(left)s grant(s), which go first to the applications received before it: decide "
        "%(ahead)s first.") % {**values, "budget": used.budget_remaining(policy)}


def _place_back_reason(position: int) -> str:
    return gettext("A grant of the policy came back: the application is number %(position)s on the waiting list "
                   "and can now be decided.") % {"position": position}


# Rendered when the message is written, in each recipient's own language.
_place_back_reason_lazy = lazy(_place_back_reason, str)


def tell_those_now_decidable(before: WaitingList, after: WaitingList, key: str) -> None:
    """Tell the enterprises whose waiting application a returned grant now lets be decided (talent and
    enterprise policies alike)."""
    if not before.short:
        return  # nobody was waiting
    already = {entry.claim.application_id for entry in before.line if entry.decidable}
    for entry in after.line:
        if not entry.decidable or entry.claim.application_id in already:
            continue
        application = entry.application
        for member in application.enterprise.members.all():
            notify(member, "application.changed", context={
                "reference": application.reference, "service": application.service.name,
                "state": State(application.state).label, "reason": _place_back_reason_lazy(entry.position),
            }, key=f"{application.pk}:{key}", link=f"/applications/{application.pk}/")
