"""The unified social credit code (统一社会信用代码, GB 32100-2015), checked with python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength

# Letters GB 32100 never uses, because they look like digits or each other.
FORBIDDEN_LETTERS = set("IOSVZ")
# The first two digits of the administrative division code (GB/T 2260) in characters 3–8:
# "10" for registrations at the national level, then the provinces.
DIVISIONS = {
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}


def normalize_uscc(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_uscc(value: str) -> None:
    """Raise a ValidationError that tells the clerk what exactly is wrong with the code."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    forbidden = sorted(set(code) & FORBIDDEN_LETTERS)
    if forbidden:
        raise ValidationError(
            _("A unified social credit code never contains the letters I, O, S, V or Z (found: %(letters)s)."),
            code="uscc_letters",
            params={"letters": ", ".join(forbidden)},
        )
    if code[:8].isdigit():
        _check_plausible(code)
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong; please check it against the business licence."),
            code="uscc_checksum",
        ) from None
    except InvalidLength:  # pragma: no cover - length is checked above
        raise ValidationError(_("Wrong length."), code="uscc_length") from None
    except Exception:
        raise ValidationError(
            _("This is not a valid unified social credit code."), code="uscc_format"
        ) from None


def _check_plausible(code: str) -> None:
    """What a checksum cannot tell: no registration authority, type or region is numbered 0."""
    if code[0] == "0" or code[1] == "0":
        raise ValidationError(
            _("The first two characters of a unified social credit code name the registering authority and "
              "the kind of organisation; neither is 0."),
            code="uscc_authority",
        )
    if code[2:4] not in DIVISIONS:
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region where it was registered; "
              "%(region)s is not a region code."),
            code="uscc_region", params={"region": code[2:8]},
        )
