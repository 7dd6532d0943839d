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
from portal.core.access import reviews_registrations
from portal.core.audit import record_event
from portal.core.errors import IllegalTransition
from services.notifications.outbox import notify, publish

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


def duplicate_uscc_error() -> ValidationError:
    return ValidationError(
        {"uscc": ValidationError(
            _("An enterprise with this unified social credit code is already registered."),
            code="uscc_taken",
        )}
    )


def register_enterprise(user: Any, data: dict[str, Any], licence: Any) -> Enterprise:
    """Register an enterprise as `pending`, with `user` as its administrator.

    Raises ValidationError (by field) and stores nothing when anything is wrong.
    """
    values = {field: data.get(field) for field in REGISTRATION_FIELDS if data.get(field) is not None}
    values["uscc"] = normalize_uscc(str(values.get("uscc", "")))
    enterprise = Enterprise(**values, licence=licence, created_by=user)
    enterprise.full_clean(validate_unique=False)
    if Enterprise.objects.filter(uscc=enterprise.uscc).exists():
        raise duplicate_uscc_error()
    try:
        with transaction.atomic():
            enterprise.save()
            Membership.objects.create(user=user, enterprise=enterprise, role=Membership.Role.ADMIN)
            record_event(
                user, "enterprise.registered", enterprise, to_state=Enterprise.Status.PENDING
            )
    except IntegrityError:
        # Two registrations of one code at the same time: the database keeps the first.
        if enterprise.licence:
            enterprise.licence.delete(save=False)
        raise duplicate_uscc_error() from None
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
