"""Talent applications: an employer applies to a policy for one of its talent.

They are ordinary applications of the policy's service item. `TalentPolicyRules` adds
what is particular to them to the workflow (see `services.applications.workflow.extensions`): the talent
is named at creation, eligibility is checked again at submission and at approval, and
approval spends the policy's annual quota and budget under a lock on the policy row, so
concurrent approvals never overspend.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.utils.translation import gettext

from services.applications import workflow
from services.applications.workflow.core import today
from services.applications.workflow.extensions import ReviewPanel
from services.models import Application
from talent.eligibility import evaluate, rule_failures
from talent.models import Talent, TalentApplication, TalentPolicy
from talent.selectors import LIVE_STATES as LIVE_STATES  # re-exported: portal.package reads it here
from talent.selectors import live_application_of


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


def usage(policy: TalentPolicy, year: int | None = None) -> Usage:
    """Grants made and money committed by `policy` in `year` (this year by default).

    The one source of the figures the page, the API, the admin and the approval show. A policy
    annotated by `with_usage` for that year is read without a query, so lists stay one query.
    """
    annotated_year = getattr(policy, "usage_year", None)
    year = year or annotated_year or today().year
    if annotated_year == year:
        return Usage(year=year, granted=policy.granted_this_year, spent=policy.spent_this_year or Decimal("0"))
    totals = TalentApplication.objects.filter(policy=policy, granted_year=year).aggregate(
        granted=Count("id"), spent=Sum("granted_amount"))
    return Usage(year=year, granted=totals["granted"], spent=totals["spent"] or Decimal("0"))


def with_usage(policies: Any, year: int | None = None) -> Any:
    """Annotate a queryset of policies with their usage in `year`, in one query, for `usage()`."""
    year = year or today().year
    this_year = Q(applications__granted_year=year)
    return policies.annotate(
        usage_year=Value(year, output_field=IntegerField()),
        granted_this_year=Count("applications", filter=this_year),
        spent_this_year=Sum("applications__granted_amount", filter=this_year),
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
        if policy.annual_quota is not None and used.granted >= policy.annual_quota:
            raise ValidationError({"decision": [
                gettext("The %(year)s quota of %(quota)s grants is used up; the application stays in review "
                   "on the waiting list.") % {"year": used.year, "quota": policy.annual_quota}]})
        if policy.annual_budget is not None and used.spent + policy.amount > policy.annual_budget:
            raise ValidationError({"decision": [
                gettext("The %(year)s budget has %(left)s CNY left, less than the %(amount)s CNY of this grant; "
                   "the application stays in review on the waiting list.")
                % {"year": used.year, "left": used.budget_remaining(policy), "amount": policy.amount}]})
        claim.granted_year, claim.granted_amount = used.year, policy.amount
        claim.save(update_fields=["granted_year", "granted_amount"])

    def on_revoke(self, application: Application) -> None:
        """A revoked grant no longer counts: its quota and budget go back to the policy's year."""
        claim = TalentApplication.objects.filter(application=application, granted_year__isnull=False).first()
        if claim is None:
            return
        # The same lock as an approval's, so a concurrent approval sees the freed place at once.
        TalentPolicy.objects.select_for_update().get(pk=claim.policy_id)
        TalentApplication.objects.filter(pk=claim.pk).update(granted_year=None, granted_amount=None)

    def review_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """The talent and the policy, as the official reviewing a talent application sees them."""
        from talent.review import review_panel  # here: talent.review imports this module

        context = review_panel(application, user)
        return None if context is None else ReviewPanel("admin/talent/review_panel.html", context)
