"""免申即享: confirming an offer in one step, the grant, the waiting list, revocation and payment.

Every change locks the policy's row first (`select_for_update`, the same lock as a talent
application's approval), then the offer's: so the grants left, the waiting line and the decision are
read and written in one serialised moment, and concurrent confirmations, approvals and revocations
never overspend a quota or budget nor promote one waiting offer twice. Each change writes one audit
event (the offer's timeline) and its notifications in the same transaction.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.outbox import notify
from portal.core import access
from portal.core.audit import record_event
from portal.core.digest import sm3_digest
from portal.core.errors import IllegalTransition
from services.calendar.working_days import add_working_days
from talent.models import TalentPolicy
from talent.offers.models import Disbursement, EnterprisePolicy, Offer, OfferStatus
from talent.offers.quota import usage_of

# The payment is scheduled so many working days after the grant; the finance official changes it.
PAYMENT_WORKING_DAYS = 20

COMMITMENT_TEXT = _("I confirm, for the enterprise, that the data this offer is based on are true and "
                    "complete, and I accept that a grant obtained on untrue data is revoked and repaid.")
CONSENT_TEXT = _("The talent %(name)s has consented to this benefit being confirmed on their behalf and to "
                 "being told of it.")


def _state_label(status: str) -> str:
    return str(OfferStatus(status).label)


_state_label_lazy = lazy(_state_label, str)


def offers_of_member(user: Any):
    """The offers of the user's enterprises: the only ones a clerk may see or confirm."""
    return Offer.objects.filter(enterprise__in=access.member_enterprises(user))


def _lock_policy(offer: Offer) -> TalentPolicy | EnterprisePolicy:
    model = TalentPolicy if offer.talent_policy_id else EnterprisePolicy
    return model.objects.select_related("service").select_for_update(of=("self",)).get(
        pk=offer.talent_policy_id or offer.enterprise_policy_id)


def _locked(offer_id: int, queryset=None) -> tuple[Offer, TalentPolicy | EnterprisePolicy]:
    """The offer and its policy, locked in that order (policy first, as every change does)."""
    queryset = Offer.objects.all() if queryset is None else queryset
    found = queryset.filter(pk=offer_id).only("id", "talent_policy_id", "enterprise_policy_id").first()
    if found is None:
        raise Http404
    policy = _lock_policy(found)
    offer = (Offer.objects.select_for_update(of=("self",))
             .select_related("enterprise", "talent", "talent_policy__service", "enterprise_policy__service")
             .get(pk=offer_id))
    return offer, policy


def _tell_enterprise(offer: Offer, reason: str = "", key: str = "") -> None:
    subject = offer.talent.name if offer.talent_id else offer.enterprise.name
    for member in offer.enterprise.members.all():
        notify(member, "offer.changed", context={
            "policy": str(offer.policy), "subject": subject, "state": _state_label_lazy(offer.status),
            "reason": reason}, key=f"{offer.pk}:{key or offer.status}", link=f"/offers/{offer.pk}/")


def _failures(offer: Offer, on: datetime.date) -> list[str]:
    if offer.talent_policy_id:
        from talent.eligibility import rule_failures

        return rule_failures(offer.talent_policy, offer.talent, on)
    from talent.offers.enterprise_rules import rule_failures

    return rule_failures(offer.enterprise_policy, offer.enterprise, on)


def _grant_or_wait(offer: Offer, policy: Any, actor: Any, *, reason: str = "") -> Offer:
    """Grant the confirmed offer if a grant is left and nobody waits ahead of it; else put it in line.

    The caller holds the policy's lock.
    """
    return _decided(offer, policy)(actor, reason)


def _decided(offer: Offer, policy: Any):
    """Read what is left and who waits ahead (under the policy's lock), and return the change to make.

    Reading and writing are apart so that a caller reads before it writes any audit event: the
    trail's chain serialises whoever writes one, which must not be what keeps grants right.
    """
    used = usage_of(policy)
    left = used.grants_left(policy)
    ahead = Offer.objects.filter(status=OfferStatus.WAITING, **_same_policy(offer)).exclude(pk=offer.pk)
    if offer.status == OfferStatus.WAITING:
        ahead = ahead.filter(Q(confirmed_at__lt=offer.confirmed_at) | Q(confirmed_at=offer.confirmed_at,
                                                                         pk__lt=offer.pk))
    waits = left is not None and (left <= 0 or ahead.exists())

    def apply(actor: Any, reason: str = "") -> Offer:
        before = offer.status
        if waits:
            offer.status = OfferStatus.WAITING
            offer.save(update_fields=["status"])
            if before != OfferStatus.WAITING:
                record_event(actor, "offer.waiting", offer, from_state=before, to_state=offer.status,
                             reason=reason or gettext("No grant of the %(year)s quota or budget is left.") % {
                                 "year": used.year})
                _tell_enterprise(offer, gettext("It is on the policy's waiting list."))
            return offer
        offer.status, offer.granted_year, offer.granted_amount = OfferStatus.GRANTED, used.year, policy.amount
        offer.decided_at, offer.decided_by = timezone.now(), actor if getattr(actor, "pk", None) else None
        offer.save(update_fields=["status", "granted_year", "granted_amount", "decided_at", "decided_by"])
        scheduled = add_working_days(timezone.localdate(), PAYMENT_WORKING_DAYS).date
        payment, _created = Disbursement.objects.update_or_create(offer=offer, defaults={
            "amount": policy.amount, "scheduled_on": scheduled, "paid_on": None, "reference": ""})
        record_event(actor, "offer.granted", offer, from_state=before, to_state=offer.status, reason=reason,
                     data={"amount": str(policy.amount), "year": used.year, "scheduled_on": scheduled.isoformat()})
        _tell_enterprise(offer, gettext("Payment of %(amount)s CNY is scheduled for %(date)s.") % {
            "amount": payment.amount, "date": scheduled.isoformat()})
        return offer

    return apply


def _same_policy(offer: Offer) -> dict[str, int]:
    if offer.talent_policy_id:
        return {"talent_policy_id": offer.talent_policy_id}
    return {"enterprise_policy_id": offer.enterprise_policy_id}


def confirm(user: Any, offer_id: int, *, commitment_accepted: bool, consent_recorded: bool = False) -> Offer:
    """意愿确认: the enterprise confirms an offer in one step; the grant follows from the rules.

    A second confirmation of a confirmed offer changes nothing and returns it as it is (idempotent).
    A personal benefit needs the talent's consent, recorded by the clerk who confirms for them.
    """
    with transaction.atomic():
        offer, policy = _locked(offer_id, offers_of_member(user))
        if offer.confirmed_at is not None:
            return offer  # already confirmed: nothing to do
        if offer.status != OfferStatus.OFFERED:
            raise IllegalTransition(gettext("This offer is %(state)s: it can no longer be confirmed.") % {
                "state": OfferStatus(offer.status).label}, current_state=offer.status, action="confirm")
        errors = {}
        if commitment_accepted is not True:
            errors["commitment_accepted"] = [gettext("Confirm that the data the offer is based on are true.")]
        if offer.personal and consent_recorded is not True:
            errors["consent_recorded"] = [gettext(
                "This benefit is the talent's own: record that %(name)s consents to it.") % {"name": offer.talent.name}]
        if errors:
            raise ValidationError(errors)
        today = timezone.localdate()
        if not policy.is_open(today):
            raise ValidationError({"offer": [gettext("The policy is closed: the offer can no longer be confirmed.")]})
        reasons = _failures(offer, today)
        if reasons:
            raise ValidationError({"offer": [gettext("The data no longer meet the policy: %(reasons)s") % {
                "reasons": " ".join(reasons)}]})
        offer.confirmed_at, offer.confirmed_by = timezone.now(), user
        offer.commitment_text = str(COMMITMENT_TEXT)
        offer.consent_text = str(CONSENT_TEXT % {"name": offer.talent.name}) if offer.personal else ""
        offer.commitment_digest = sm3_digest(offer.canonical_record())
        offer.status = OfferStatus.IN_REVIEW if policy.review_required else offer.status
        offer.save(update_fields=["confirmed_at", "confirmed_by", "commitment_text", "consent_text",
                                  "commitment_digest", "status"])
        decision = None if policy.review_required else _decided(offer, policy)
        record_event(user, "offer.confirmed", offer, from_state=OfferStatus.OFFERED, to_state=offer.status,
                     data={"digest": offer.commitment_digest, "consent": bool(offer.consent_text)})
        if decision is None:
            _tell_enterprise(offer, gettext("An official reviews the confirmation."))
        else:
            decision(user)
        _tell_talent(offer)
        _tell_manager(offer)
    return offer


def _tell_talent(offer: Offer) -> None:
    """The talent is told of a personal benefit confirmed with their consent, when they have an account."""
    account = getattr(offer.talent, "account", None) if offer.talent_id and offer.consent_text else None
    if account is None:
        return
    notify(account.user, "benefit.confirmed", context={
        "policy": str(offer.policy), "enterprise": offer.enterprise.name, "state": _state_label_lazy(offer.status)},
        key=f"{offer.pk}", link="")


def _tell_manager(offer: Offer) -> None:
    """The enterprise's service manager hears of the confirmation (their workbench hooks on this kind)."""
    manager = offer.enterprise.service_manager
    if manager is None:
        return
    notify(manager, "manager.offer_confirmed", context={
        "enterprise": offer.enterprise.name, "policy": str(offer.policy), "state": _state_label_lazy(offer.status)},
        key=f"{offer.pk}", link=f"/admin/talent/offer/{offer.pk}/change/")


def review(official: Any, offer_id: int, decision: str, reason: str = "") -> Offer:
    """An official of the policy's lead department approves (grant or waiting list) or refuses a confirmation."""
    if decision not in ("approve", "refuse"):
        raise ValidationError({"decision": [gettext("Decide approve or refuse.")]})
    with transaction.atomic():
        offer, policy = _locked(offer_id)
        _require_official(official, policy)
        if offer.status != OfferStatus.IN_REVIEW:
            raise IllegalTransition(gettext("Only a confirmation in review can be decided."),
                                    current_state=offer.status, action=decision)
        if decision == "refuse":
            if not reason.strip():
                raise ValidationError({"reason": [gettext("Give the reason the enterprise is told.")]})
            offer.status, offer.reason = OfferStatus.REFUSED, reason
            offer.decided_at, offer.decided_by = timezone.now(), official
            offer.save(update_fields=["status", "reason", "decided_at", "decided_by"])
            record_event(official, "offer.refused", offer, from_state=OfferStatus.IN_REVIEW,
                         to_state=offer.status, reason=reason)
            _tell_enterprise(offer, reason)
            return offer
        return _grant_or_wait(offer, policy, official, reason=reason)


def _require_official(official: Any, policy: Any) -> None:
    if not (access.is_superuser(official) or access.is_official_of(official, policy.service.lead_department)):
        raise PermissionError(gettext("Only an official of the policy's department decides its offers."))


def revoke(official: Any, offer_id: int, reason: str) -> Offer:
    """Revoke a grant: its quota and budget go back, and the first in line is granted in its place."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [gettext("Give the reason the enterprise is told.")]})
    with transaction.atomic():
        offer, policy = _locked(offer_id)
        _require_official(official, policy)
        if offer.status != OfferStatus.GRANTED:
            raise IllegalTransition(gettext("Only a granted offer can be revoked."), current_state=offer.status,
                                    action="revoke")
        offer.status, offer.reason, offer.granted_year, offer.granted_amount = OfferStatus.REVOKED, reason, None, None
        offer.save(update_fields=["status", "reason", "granted_year", "granted_amount"])
        promote_waiting(policy, official, because=offer)
        record_event(official, "offer.revoked", offer, from_state=OfferStatus.GRANTED, to_state=offer.status,
                     reason=reason)
        _tell_enterprise(offer, reason)
    return offer


def withdraw(user: Any, offer_id: int) -> Offer:
    """The enterprise withdraws its confirmation, or gives back a grant not yet paid."""
    with transaction.atomic():
        offer, policy = _locked(offer_id, offers_of_member(user))
        paid = offer.status == OfferStatus.GRANTED and Disbursement.objects.filter(
            offer=offer, paid_on__isnull=False).exists()
        if offer.status not in (OfferStatus.OFFERED, OfferStatus.IN_REVIEW, OfferStatus.WAITING,
                                OfferStatus.GRANTED) or paid:
            raise IllegalTransition(gettext("This offer can no longer be withdrawn."), current_state=offer.status,
                                    action="withdraw")
        before, gave_back = offer.status, offer.status == OfferStatus.GRANTED
        offer.status, offer.granted_year, offer.granted_amount = OfferStatus.WITHDRAWN, None, None
        offer.save(update_fields=["status", "granted_year", "granted_amount"])
        if gave_back or before == OfferStatus.WAITING:
            promote_waiting(policy, user, because=offer)
        record_event(user, "offer.withdrawn", offer, from_state=before, to_state=offer.status)
    return offer


def promote_waiting(policy: Any, actor: Any, because: Offer | None = None) -> list[Offer]:
    """Grant the waiting offers of `policy`, first in line first, while grants are left. Under its lock.

    Called wherever a grant comes back (a revoked or withdrawn offer, a revoked talent application).
    """
    from talent.offers.selectors import waiting_line

    promoted = []
    for waiting in waiting_line(policy):
        left = usage_of(policy).grants_left(policy)
        if left is not None and left <= 0:
            break
        waiting = Offer.objects.select_for_update(of=("self",)).select_related(
            "enterprise", "talent", "talent_policy__service", "enterprise_policy__service").get(pk=waiting.pk)
        # The timeline says a grant came back, never whose: that is another enterprise's.
        reason = gettext("A grant of the policy came back: the first on the waiting list is granted.")
        _grant_or_wait(waiting, policy, actor, reason=reason)
        promoted.append(waiting)
    return promoted


def record_payment(official: Any, offer_id: int, *, paid_on: datetime.date | None, reference: str = "",
                   scheduled_on: datetime.date | None = None) -> Disbursement:
    """The finance official records the payment (拨付到账) or moves its date; the enterprise is told."""
    if not (access.is_superuser(official) or official.has_perm("talent.record_payment")):
        raise PermissionError(gettext("Only the finance office records payments."))
    with transaction.atomic():
        payment = Disbursement.objects.select_for_update().select_related("offer").filter(offer_id=offer_id).first()
        if payment is None:
            raise Http404
        if paid_on is not None and not (reference or "").strip():
            raise ValidationError({"reference": [gettext("Give the payment's reference.")]})
        if paid_on is not None and paid_on > timezone.localdate():
            raise ValidationError({"paid_on": [gettext("A payment date cannot be in the future.")]})
        payment.paid_on, payment.reference = paid_on, (reference or "").strip()
        payment.scheduled_on = scheduled_on or payment.scheduled_on
        payment.updated_by = official
        payment.save()
        offer = Offer.objects.select_related("enterprise", "talent", "talent_policy__service",
                                             "enterprise_policy__service").get(pk=offer_id)
        record_event(official, "offer.paid" if paid_on else "offer.payment_scheduled", offer,
                     data={"paid_on": paid_on.isoformat() if paid_on else "", "reference": payment.reference,
                           "scheduled_on": payment.scheduled_on.isoformat()})
        if paid_on:
            _tell_enterprise(offer, gettext("%(amount)s CNY paid on %(date)s (reference %(reference)s).") % {
                "amount": payment.amount, "date": paid_on.isoformat(), "reference": payment.reference}, key="paid")
    return payment
