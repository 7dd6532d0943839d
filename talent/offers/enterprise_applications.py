"""Applications for ordinary enterprise policies: those not enjoyed without applying (免申即享).

An enterprise applies for such a policy with an ordinary application of the policy's service item,
linked to the policy by an `EnterprisePolicyApplication`. `EnterprisePolicyRules` adds to the workflow
(`services.applications.workflow.extensions`) what the talent app's `TalentPolicyRules` adds for talent
policies: at creation the enterprise must meet the policy's rules and have no other application for
it under way; the draft is prefilled from the enterprise's registered data and does not ask for the
materials the district holds; at approval the rules are checked again and a grant of the quota and
budget is taken under a lock on the policy's row — the same lock as the offers' confirmations, so a
grant made either way is counted by the next (`talent.offers.quota.usage_of`). When fewer grants are
left than applications at their final decision, those wait in the order received. A revoked grant
gives its place back, and the first in line (an application, or an offer) can have it.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from services.applications import workflow
from services.applications.form_answers import fields_of, prefilled
from services.applications.models import REVIEW_STATES
from services.applications.workflow.extensions import ReviewPanel
from services.models import Application
from talent.applications import (
    Usage,
    quota_notes,
    require_grant_left,
    tell_those_now_decidable,
    waiting_place_panel,
)
from talent.offers.enterprise_rules import BASIS_FIELDS, describe_rules, evaluate, rule_failures
from talent.offers.models import EnterprisePolicy, EnterprisePolicyApplication
from talent.offers.quota import usage_of
from talent.selectors import LIVE_STATES, WaitingList, at_final_decision, waiting_list_of


def apply_for_enterprise_policy(user: Any, enterprise: Any, policy: EnterprisePolicy) -> Application:
    """A draft application of `enterprise` for `policy`, its form prefilled from the registered data."""
    service = policy.service
    return workflow.create_application(user, enterprise, service, form=prefilled(fields_of(service), enterprise))


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def basis_of(policy: EnterprisePolicy, enterprise: Any) -> dict[str, Any]:
    """The registered data the policy's rules read, as they are now (what an offer's `basis` holds)."""
    names = sorted({BASIS_FIELDS[rule] for rule in (policy.rules or {}) if rule in BASIS_FIELDS})
    return {name: _json(getattr(enterprise, name)) for name in names}


def basis_rows(basis: dict[str, Any]) -> list[tuple[str, str]]:
    """The data an application was made on, as (label, value) in the reader's language."""
    from enterprises.models import Enterprise

    rows = []
    for name, value in sorted((basis or {}).items()):
        field = next((f for f in Enterprise._meta.concrete_fields if f.name == name), None)
        label = str(field.verbose_name) if field is not None else name
        shown = dict(field.flatchoices).get(value, value) if field is not None and field.choices else value
        rows.append((label[:1].upper() + label[1:], "—" if shown in (None, "") else str(shown)))
    return rows


def live_applications_of(enterprise: Any) -> dict[int, Application]:
    """The enterprise's applications under way or granted, by enterprise policy: {policy id: application}."""
    claims = (EnterprisePolicyApplication.objects
              .filter(application__enterprise=enterprise, application__state__in=LIVE_STATES)
              .select_related("application").order_by("-application__created_at", "-id"))
    live: dict[int, Application] = {}
    for claim in claims:
        live.setdefault(claim.policy_id, claim.application)
    return live


def waiting_list(policy: EnterprisePolicy, year: int | None = None, *, used: Usage | None = None,
                 deciding: Application | None = None) -> WaitingList:
    """The applications for `policy` at their final decision, in the order received, while they outnumber
    the grants left in `year` (as `talent.selectors.waiting_list` for a talent policy)."""
    used = used or usage_of(policy, year)
    if used.grants_left(policy) is None:
        return waiting_list_of(policy, used, [])
    claims = at_final_decision(EnterprisePolicyApplication.objects.filter(policy=policy), deciding)
    return waiting_list_of(policy, used, claims)


def waiting_application_ids(year: int | None = None) -> set[int]:
    """Ids of the applications on any enterprise policy's waiting list (the admin's "waiting for quota")."""
    limited = Q(annual_quota__isnull=False) | Q(annual_budget__isnull=False, amount__gt=0)
    ids: set[int] = set()
    for policy in EnterprisePolicy.objects.filter(limited).select_related("service"):
        ids |= {entry.claim.application_id for entry in waiting_list(policy, year).entries}
    return ids


def _policy_of(application: Application) -> EnterprisePolicy | None:
    return EnterprisePolicy.objects.select_related("service").filter(service_id=application.service_id).first()


def _locked(policy: EnterprisePolicy) -> EnterprisePolicy:
    # The lock every change of the policy's grants takes first (`talent.offers.workflow._lock_policy`).
    return EnterprisePolicy.objects.select_related("service").select_for_update(of=("self",)).get(pk=policy.pk)


def _enjoyed_without_applying() -> str:
    return gettext("This policy is enjoyed without applying (免申即享): confirm its offer in the list of offers.")


class EnterprisePolicyRules:
    def on_create(self, application: Application, user: Any) -> None:
        policy = _policy_of(application)
        if policy is None:
            return
        if policy.no_application:
            raise ValidationError({"service": [_enjoyed_without_applying()]})
        # Under the policy's lock two clicks on "apply" at once make one application: the second sees
        # the first's link. (Not the enterprise's row: the new application already holds a key share of it.)
        policy = _locked(policy)
        enterprise = application.enterprise
        verdict = evaluate(policy, enterprise)
        if not verdict:
            raise ValidationError({"enterprise": verdict.reasons})
        live = live_applications_of(enterprise).get(policy.pk)
        if live is not None and live.pk != application.pk:
            raise ValidationError({"enterprise": [
                gettext("%(name)s already has an application for this policy: %(reference)s.")
                % {"name": enterprise.name, "reference": live.reference}]})
        EnterprisePolicyApplication.objects.create(application=application, policy=policy,
                                                   basis=basis_of(policy, enterprise))

    def submission_errors(self, application: Application) -> dict[str, list[str]]:
        policy = _policy_of(application)
        if policy is None:
            return {}
        if policy.no_application:
            return {"service": [_enjoyed_without_applying()]}
        verdict = evaluate(policy, application.enterprise)
        return {} if verdict else {"enterprise": verdict.reasons}

    def on_approve(self, application: Application) -> None:
        policy = _policy_of(application)
        if policy is None:
            return
        # Every approval and confirmation of this policy waits here for the one before it: the grants
        # counted below cannot change until this transaction ends.
        policy = _locked(policy)
        enterprise = application.enterprise
        reasons = rule_failures(policy, enterprise)
        if reasons:
            raise ValidationError({"decision": [
                gettext("The enterprise no longer meets the policy: %(reasons)s") % {"reasons": " ".join(reasons)}]})
        used = usage_of(policy)
        require_grant_left(application, used, waiting_list(policy, used=used, deciding=application))
        # An application made before its item was a policy's has no link yet: it gets one with its grant.
        claim = (EnterprisePolicyApplication.objects.filter(application=application).first()
                 or EnterprisePolicyApplication(application=application, policy=policy,
                                                basis=basis_of(policy, enterprise)))
        claim.granted_year, claim.granted_amount = used.year, policy.amount
        claim.save()

    def on_revoke(self, application: Application) -> None:
        """A revoked grant no longer counts: its quota and budget go back to the policy's year."""
        claim = EnterprisePolicyApplication.objects.filter(application=application, granted_year__isnull=False).first()
        if claim is None:
            return
        policy = _locked(claim.policy)
        before = waiting_list(policy)
        EnterprisePolicyApplication.objects.filter(pk=claim.pk).update(granted_year=None, granted_amount=None)
        tell_those_now_decidable(before, waiting_list(policy), key=f"enterprise-place-back:{claim.pk}")
        from talent.offers.workflow import promote_waiting  # here: the offers' workflow imports the quota

        promote_waiting(policy, None)  # confirmations waiting for the policy's grants, first in line first

    def held_materials(self, application: Application) -> set[str]:
        """An enterprise policy's application rests on the enterprise's registered data: it does not ask
        for the materials the policy lists as held by the district (licence, tax records…)."""
        policy = _policy_of(application)
        return set() if policy is None else set(policy.held_materials or [])

    def review_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """The policy, the enterprise's verdict today, the data it applied on, the grants left and the line."""
        claim = (EnterprisePolicyApplication.objects.select_related("policy__service", "application__enterprise")
                 .filter(application=application).first())
        if claim is None:
            return None
        policy = claim.policy
        used = usage_of(policy)
        line = waiting_list(policy, used=used)
        return ReviewPanel("admin/talent/enterprise_policy_panel.html", {
            "claim": claim, "policy": policy, "enterprise": claim.application.enterprise,
            "conditions": describe_rules(policy), "failures": rule_failures(policy, claim.application.enterprise),
            "basis": basis_rows(claim.basis), "year": used.year,
            "quota_remaining": used.quota_remaining(policy), "budget_remaining": used.budget_remaining(policy),
            "grants_left": line.places_left, "waiting": line.entries, "waiting_entry": line.entry_of(application.pk),
        })

    def applicant_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """The application's place on its policy's waiting list, as its own enterprise sees it."""
        if application.state not in REVIEW_STATES:
            return None
        claim = EnterprisePolicyApplication.objects.select_related("policy__service").filter(
            application=application).first()
        if claim is None:
            return None
        return waiting_place_panel(waiting_list(claim.policy), application)

    def rehearsal_notes(self, application: Application) -> list[str]:
        """The policy's quota and budget left this year, as the rehearsal of a submission tells them."""
        claim = EnterprisePolicyApplication.objects.select_related("policy__service").filter(
            application=application).first()
        return [] if claim is None else quota_notes(claim.policy, usage_of(claim.policy))

    def list_filters(self) -> list[type]:
        """None of its own: the talent app's "waiting for quota" filter counts these applications too."""
        return []
