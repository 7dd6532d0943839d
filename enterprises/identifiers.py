"""The unified social credit code (统一社会信用代码, GB 32100-2015), checked with python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength

# Letters GB 32100 never uses, because they look like digits or each other.
FORBIDDEN_LETTERS = set("IOSVZ")


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
