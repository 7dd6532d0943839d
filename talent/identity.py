"""The resident ID number (居民身份证号): validation, what it tells, and who sees it.

This module is the one place that reads the raw number. Everything shown on a page or
returned by the API goes through `mask`; only `reveal_id_number` hands out the whole value, to
officials of the departments that review the talent's applications, when they ask for it, and
records that they did (`talent.id_number_viewed`).

The number is SM4-encrypted at rest (`Talent.id_number` is an encrypted field): the database
holds no plain number, and a search by number compares its keyed SM3 digest (`lookup`,
`same_person`).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from portal.core import access
from portal.core.audit import record_event

# No living person, and so no talent, was born before this.
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def normalize(value: str) -> str:
    return ric.compact(value or "")


def validate_id_number(value: str) -> None:
    """Refuse a number with a wrong length, an impossible birth date or a bad check digit."""
    number = normalize(value)
    try:
        if len(number) != 18:
            raise stdnum_errors.InvalidLength()
        if not number[:17].isdigit():
            raise stdnum_errors.InvalidFormat()
        ric.get_birth_date(number)  # an impossible date is named before the check digit
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a check digit (0–9 or X)."),
                              code="length") from None
    except stdnum_errors.InvalidComponent:
        raise ValidationError(_("The birth date in this ID number is not a real date."), code="birth_date") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("Enter an ID number of 17 digits and a check digit (0–9 or X)."),
                              code="format") from None
    try:
        ric.validate(number)
    except stdnum_errors.InvalidComponent:
        raise ValidationError(_("The first six digits of this ID number are not a known region code."),
                              code="region") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("The check digit of this ID number is wrong; check the number."),
                              code="checksum") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("Enter an ID number of 17 digits and a check digit (0–9 or X)."),
                              code="format") from None
    born = ric.get_birth_date(number)
    if born > timezone.localdate():
        raise ValidationError(_("The birth date in this ID number is in the future."), code="birth_date")
    if born < EARLIEST_BIRTH:
        raise ValidationError(_("The birth date in this ID number is before 1900; check the number."),
                              code="birth_date")


def derive(talent: Any) -> None:
    """Set the birth date and gender of a talent from its ID number (never typed twice)."""
    talent.id_number = normalize(talent.id_number)
    talent.birth_date = ric.get_birth_date(talent.id_number)
    talent.gender = "male" if int(talent.id_number[16]) % 2 else "female"


def mask(value: str) -> str:
    """110105********002X: the region and the last four characters."""
    number = normalize(value)
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def age(birth_date: datetime.date, on: datetime.date) -> int:
    """Full years on `on`; someone born on 29 February turns a year older on 1 March."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def may_see_full_id_number(user: Any, talent: Any) -> bool:
    """Officials of a department reviewing one of the talent's applications, and superusers."""
    if not access.is_official(user):
        return False
    if access.is_superuser(user):
        return True
    from services.models import Task

    # A review step, not the acceptance: taking an application in shows no more than before.
    return Task.objects.filter(
        application__talent_application__talent=talent, department__officials=user, kind=Task.Kind.REVIEW
    ).exists()


def full_id_number(user: Any, talent: Any) -> str:
    """The whole number for those entitled to it; the masked one for everyone else."""
    return talent.id_number if may_see_full_id_number(user, talent) else mask(talent.id_number)


def reveal_id_number(user: Any, talent: Any) -> str:
    """The whole number, for an entitled official who asked to see it; the asking is in the audit trail.

    Anyone else gets PermissionError, and nothing is recorded.
    """
    if not may_see_full_id_number(user, talent):
        raise PermissionError("not entitled to see the talent's ID number")
    record_event(user, "talent.id_number_viewed", talent, data={"enterprise": talent.enterprise_id})
    return talent.id_number


def lookup(value: str) -> str:
    """The stored digest of an ID number (as typed: it is normalised first)."""
    from talent.models import Talent

    return Talent._meta.get_field("id_number").lookup_of(normalize(value))


def same_person(enterprise: Any, value: str) -> Any:
    """The employer's talent with this ID number: a QuerySet of at most one."""
    from talent.models import Talent

    return Talent.objects.filter(enterprise=enterprise, id_number_lookup=lookup(value))
