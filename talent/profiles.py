"""Adding and changing talent profiles. Pages and the API call these; neither repeats their rules."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from portal.core.audit import record_event
from talent import identity
from talent.models import Talent

PROFILE_FIELDS = ["name", "id_number", "education", "title", "field", "tier", "returnee", "started_on"]


def _duplicate() -> ValidationError:
    return ValidationError({"id_number": ValidationError(
        _("This person is already among the enterprise's talent."), code="talent_taken")})


def _save(user: Any, talent: Talent, action: str) -> Talent:
    talent.full_clean(validate_unique=False, validate_constraints=False)
    duplicates = identity.same_person(talent.enterprise, talent.id_number)
    if duplicates.exclude(pk=talent.pk).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            talent.save()
            # The audit trail never holds the ID number.
            record_event(user, f"talent.{action}", talent, data={"enterprise": talent.enterprise_id})
    except IntegrityError:  # the same person added twice at the same moment
        raise _duplicate() from None
    return talent


def add_talent(user: Any, enterprise: Enterprise, data: dict[str, Any]) -> Talent:
    """Add a talent to `enterprise`, of which `user` must be a member. Raises ValidationError by field.

    Only a verified employer may: its talent are there to apply for policies, which it cannot.
    """
    if not Enterprise.objects.of_member(user).filter(pk=enterprise.pk).exists():
        raise PermissionError("not a member of the enterprise")
    status = Enterprise.objects.values_list("status", flat=True).get(pk=enterprise.pk)
    if status != Enterprise.Status.VERIFIED:
        raise ValidationError({"enterprise": ValidationError(
            _("The employer is not verified (%(status)s)."), code="employer_not_verified",
            params={"status": Enterprise.Status(status).label})})
    values = {name: data[name] for name in PROFILE_FIELDS if data.get(name) is not None}
    return _save(user, Talent(enterprise=enterprise, **values), "added")


def update_talent(user: Any, talent: Talent, data: dict[str, Any]) -> Talent:
    """Change a talent's profile; only members of the employer may, and the employer stays.

    `data` may name the employer (`enterprise`, an Enterprise or its id): another one is refused.
    """
    if not Talent.objects.of_member(user).filter(pk=talent.pk).exists():
        raise PermissionError("not a member of the employer")
    employer = data.get("enterprise")
    if employer is not None and getattr(employer, "pk", employer) != talent.enterprise_id:
        raise ValidationError({"enterprise": ValidationError(
            _("A talent's employer cannot be changed; add the talent to the other enterprise."),
            code="employer_fixed")})
    for name in PROFILE_FIELDS:
        if name in data and data[name] is not None:
            setattr(talent, name, data[name])
    return _save(user, talent, "updated")
