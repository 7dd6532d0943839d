"""Registering an enterprise, its verification by an official, and its members.

Every view, admin action and API view calls these functions; none repeats their rules.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.identifiers import normalize_uscc
from enterprises.models import Enterprise, Membership
from notifications.outbox import notify, publish
from portal.core.access import reviews_registrations
from portal.core.audit import record_event
from portal.core.errors import IllegalTransition

REGISTRATION_FIELDS = [
    "name",
    "uscc",
    "legal_representative",
    "registered_address",
    "street",
    "industry",
    "size",
    "tech_tier",
    "founded_on",
    "registered_capital",
    "contact_name",
    "contact_phone",
    "contact_email",
]


def _code_held_error(holder: Enterprise) -> ValidationError:
    if holder.status == Enterprise.Status.PENDING:
        return ValidationError(
            _("A registration with this unified social credit code is under review; wait for the district's "
              "decision, or ask the person who registered it."),
            code="uscc_under_review",
        )
    return ValidationError(
        _("An enterprise with this unified social credit code is already registered."), code="uscc_taken"
    )


def code_holder(uscc: str, *, other_than: int | None = None) -> Enterprise | None:
    """The enterprise that holds the code: a pending, verified or suspended one (a rejected one never)."""
    holders = Enterprise.objects.filter(uscc=uscc, status__in=Enterprise.CODE_HOLDING_STATES)
    if other_than is not None:
        holders = holders.exclude(pk=other_than)
    return holders.first()


def _registration_values(data: dict[str, Any]) -> dict[str, Any]:
    """The registration fields given (an empty one counts as missing), the code normalised."""
    values = {field: data.get(field) for field in REGISTRATION_FIELDS if data.get(field) not in (None, "")}
    values["uscc"] = normalize_uscc(str(values.get("uscc", "")))
    return values


def _check_registration(enterprise: Enterprise) -> None:
    """Every problem of the registration in one error, the code's check included (一次性告知)."""
    errors: dict[str, list] = {}
    try:
        enterprise.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = dict(error.error_dict)
    if "uscc" not in errors:
        holder = code_holder(enterprise.uscc, other_than=enterprise.pk)
        if holder is not None:
            errors["uscc"] = [_code_held_error(holder)]
    if errors:
        raise ValidationError(errors)


def registration_problems(data: dict[str, Any], licence: Any) -> dict[str, list[str]]:
    """What `register_enterprise` would refuse in this data, by field; nothing is stored.

    The API asks it when its own parsing already failed, so that one answer names every field.
    """
    try:
        _check_registration(Enterprise(**_registration_values(data), licence=licence))
    except ValidationError as error:
        return error.message_dict if hasattr(error, "error_dict") else {}
    except (TypeError, ValueError):
        return {}  # values of the wrong type: the API's own parsing has named them already
    return {}


def _save_registration(enterprise: Enterprise, save: Any) -> None:
    """Save under the database's guard: two registrations of one code at once keep the first."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        holder = code_holder(enterprise.uscc, other_than=enterprise.pk)
        raise ValidationError({"uscc": [_code_held_error(holder) if holder else _code_held_error(enterprise)]}) from None


def register_enterprise(user: Any, data: dict[str, Any], licence: Any) -> Enterprise:
    """Register an enterprise as `pending`, with `user` as its administrator.

    Raises ValidationError (by field, every field at once) and stores nothing when anything is wrong.
    """
    enterprise = Enterprise(**_registration_values(data), licence=licence, created_by=user)
    _check_registration(enterprise)

    def save() -> None:
        enterprise.save()
        Membership.objects.create(user=user, enterprise=enterprise, role=Membership.Role.ADMIN)
        record_event(user, "enterprise.registered", enterprise, to_state=Enterprise.Status.PENDING)

    try:
        _save_registration(enterprise, save)
    except ValidationError:
        if enterprise.licence:
            enterprise.licence.delete(save=False)
        raise
    return enterprise


def resubmit_registration(user: Any, enterprise_id: int, data: dict[str, Any], licence: Any = None) -> Enterprise:
    """A rejected registration, corrected by its administrator, goes back to the district as `pending`.

    `data` holds the corrected fields (the others keep their values); without a new `licence` the one
    on file stays. The code must not be held by another enterprise meanwhile.
    """
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if not is_enterprise_admin(user, enterprise):
            raise PermissionError("only the enterprise's administrator corrects its registration")
        if enterprise.status != Enterprise.Status.REJECTED:
            raise IllegalTransition(
                _("Only a rejected registration can be corrected and submitted again."),
                current_state=enterprise.status, action="resubmit",
            )
        for field in REGISTRATION_FIELDS:
            if data.get(field) is not None:
                setattr(enterprise, field, data[field])
        enterprise.uscc = normalize_uscc(str(enterprise.uscc))
        old_licence = enterprise.licence.name if licence is not None else None
        if licence is not None:
            enterprise.licence = licence
        _check_registration(enterprise)
        rejection = enterprise.status_reason
        enterprise.status = Enterprise.Status.PENDING
        enterprise.status_reason = ""
        enterprise.decided_at = None
        enterprise.decided_by = None

        def save() -> None:
            enterprise.save()
            record_event(user, "enterprise.resubmitted", enterprise, from_state=Enterprise.Status.REJECTED,
                         to_state=Enterprise.Status.PENDING, data={"rejection": rejection})

        _save_registration(enterprise, save)
    if old_licence and old_licence != enterprise.licence.name:
        enterprise.licence.storage.delete(old_licence)
    return enterprise


def _decide(official: Any, enterprise_id: int, to_state: str, reason: str) -> Enterprise:
    if not reviews_registrations(official):
        raise PermissionError("only registration officials decide on enterprises")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if enterprise.status != Enterprise.Status.PENDING:
            raise IllegalTransition(
                _("Only a registration pending verification can be verified or rejected."),
                current_state=enterprise.status,
                action=to_state,
            )
        from_state = enterprise.status
        enterprise.status = to_state
        enterprise.status_reason = reason
        enterprise.decided_at = timezone.now()
        enterprise.decided_by = official
        enterprise.save(update_fields=["status", "status_reason", "decided_at", "decided_by"])
        record_event(
            official,
            f"enterprise.{to_state}",
            enterprise,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )
        kind = "enterprise.verified" if to_state == Enterprise.Status.VERIFIED else "enterprise.rejected"
        link = reverse("enterprise_detail", args=[enterprise.pk])
        for member in enterprise.members.all():
            notify(
                member,
                kind,
                context={"enterprise": enterprise.name, "uscc": enterprise.uscc, "reason": reason},
                key=f"{enterprise.pk}",
                link=link,
            )
        publish(enterprise, "enterprise.status_changed",
                {"enterprise": enterprise.pk, "uscc": enterprise.uscc, "status": to_state, "reason": reason},
                key=f"{enterprise.pk}:{to_state}")
    return enterprise


def verify_enterprise(official: Any, enterprise_id: int, reason: str = "") -> Enterprise:
    return _decide(official, enterprise_id, Enterprise.Status.VERIFIED, reason)


def reject_enterprise(official: Any, enterprise_id: int, reason: str) -> Enterprise:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the rejection; the clerk will read it.")})
    return _decide(official, enterprise_id, Enterprise.Status.REJECTED, reason.strip())


def is_enterprise_admin(user: Any, enterprise: Enterprise) -> bool:
    return Membership.objects.filter(
        user=user, enterprise=enterprise, role=Membership.Role.ADMIN
    ).exists()


def invite_member(
    inviter: Any, enterprise: Enterprise, identifier: str, role: str = Membership.Role.CLERK
) -> Membership:
    """Add an existing portal user, found by user name or e-mail, to the enterprise."""
    if not is_enterprise_admin(inviter, enterprise):
        raise PermissionError("only an enterprise administrator adds members")
    identifier = (identifier or "").strip()
    if not identifier:
        raise ValidationError({"identifier": _("Enter the user name or e-mail of the person to add.")})
    User = get_user_model()
    matches = list(User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier))[:2])
    if len(matches) != 1:
        raise ValidationError(
            {"identifier": _("No single portal account has this user name or e-mail; ask the person to sign up first.")}
        )
    invitee = matches[0]
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=invitee, enterprise=enterprise, defaults={"role": role}
        )
        if not created:
            raise ValidationError({"identifier": _("This person is already a member of the enterprise.")})
        record_event(inviter, "enterprise.member_added", enterprise, data={"user": invitee.username, "role": role})
        notify(
            invitee,
            "enterprise.invited",
            context={
                "enterprise": enterprise.name,
                "inviter": str(inviter),
                "role": membership.get_role_display(),
            },
            key=f"{enterprise.pk}:{membership.pk}",
            link=reverse("enterprise_detail", args=[enterprise.pk]),
        )
    return membership
