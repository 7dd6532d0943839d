"""The second factor of officials and administrators: a TOTP app, and ten single-use recovery codes.

Staff sign in with their password, then confirm the session with a one-time code (the middleware
in `portal/core/security.py` keeps them on these pages until then); an API token for staff is
issued only with a code (`portal/api/auth.py`) and remembers the device that accepted it
(`TokenVerification`). A staff user without a device sets one up at the first sign-in. Every
verification, failure, enrolment and reset is in the audit trail, with the address.

Wrong codes have their own lockout: django-otp's back-off per device (`OTP_TOTP_THROTTLE_FACTOR`):
after n wrong codes in a row the next is refused for 2^(n-1) seconds; a right code ends it.
"""

import base64
from typing import Any

import django_otp
import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from portal.core import access
from portal.core.audit import record_event
from portal.models import TokenVerification

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"


def required(user: Any) -> bool:
    """Officials and administrators need a second factor; company clerks do not."""
    return access.is_official(user)


def app_of(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_verified(request: HttpRequest) -> bool:
    """Whether this session was confirmed with a one-time code (django-otp's middleware tells)."""
    is_verified = getattr(getattr(request, "user", None), "is_verified", None)
    return bool(is_verified and is_verified())


def token_verified(token: AuthToken) -> bool:
    """Whether the token was issued with a code of a device the user still has."""
    return TokenVerification.objects.filter(token=token).exists()


# --- enrolment ---------------------------------------------------------------------------------


def start_enrolment(user: Any) -> TOTPDevice:
    """The app being set up: one unconfirmed device, the same on every visit until confirmed.

    Refused once an app is confirmed: another device is added only after a reset, never with the
    password alone.
    """
    if is_enrolled(user):
        raise PermissionError("the second factor is set up already")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_code(device: TOTPDevice) -> str:
    """The app's setup address as an SVG QR code, a `data:` URI for an <img> (no script, no request)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(request: HttpRequest, code: str) -> list[str]:
    """The first code from the new app confirms it: the session is verified, recovery codes issued.

    API tokens issued before the enrolment are deleted (they were issued without a code).
    Returns the ten recovery codes, to be shown once. A wrong code: ValidationError, audited.
    """
    user = request.user
    device = start_enrolment(user)
    _require_allowed(device, user, request, "enrolment")
    with transaction.atomic():
        accepted = django_otp.verify_token(user, device.persistent_id, _normalised(code))
        if accepted is not None:
            accepted.confirmed = True
            accepted.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            AuthToken.objects.filter(user=user).delete()
            record_event(user, "user.second_factor_enrolled", user, data={"address": _address(request)})
            codes = _new_recovery_codes(user)
    if accepted is None:
        _refused(user, request, "wrong_code", "enrolment")
        raise ValidationError(_("The code is wrong: enter the six digits the app shows now."), code="wrong_code")
    _verify_session(request, accepted)
    return codes


def issue_recovery_codes(request: HttpRequest) -> list[str]:
    """Ten new recovery codes for the signed-in user; the old ones stop working. Shown once."""
    user = request.user
    if not is_enrolled(user):
        raise PermissionError("no second factor to recover")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_event(user, "user.recovery_codes_issued", user, data={"address": _address(request)})
    return codes


def _new_recovery_codes(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


# --- verification ------------------------------------------------------------------------------


def verify(user: Any, code: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts `code`: six digits from the app, or a recovery code (used up).

    Refused with a ValidationError (code `wrong_code`, `locked` or `not_enrolled`), each refusal
    in the audit trail; a success is recorded too.
    """
    if not is_enrolled(user):
        raise ValidationError(
            _("No second factor is set up for this account: sign in on the portal's pages to set it up."),
            code="not_enrolled",
        )
    code = _normalised(code)
    by_app = code.isdigit() and len(code) == 6
    device = app_of(user) if by_app else StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        _refused(user, request, "wrong_code", "recovery_code")
        raise ValidationError(_("The code is wrong or was used already."), code="wrong_code")
    _require_allowed(device, user, request, _method(by_app))
    with transaction.atomic():
        accepted = django_otp.verify_token(user, device.persistent_id, code)
        if accepted is not None:
            record_event(user, "user.second_factor_verified", user, data={
                "address": _address(request), "method": _method(by_app),
                "recovery_codes_left": recovery_codes_left(user),
            })
    if accepted is None:
        _refused(user, request, "wrong_code", _method(by_app))
        raise ValidationError(_("The code is wrong or was used already."), code="wrong_code")
    return accepted


def verify_session(request: HttpRequest, code: str) -> Device:
    """Confirm the signed-in staff user's session with a code (see `verify`)."""
    device = verify(request.user, code, request)
    _verify_session(request, device)
    return device


def remember_token(token: AuthToken, device: Device) -> TokenVerification:
    """Record that the token was issued with a code of `device`."""
    if isinstance(device, TOTPDevice):
        return TokenVerification.objects.create(token=token, totp_device=device)
    return TokenVerification.objects.create(token=token, recovery_codes=device)


def _verify_session(request: HttpRequest, device: Device) -> None:
    # A new session key once verified: a key seen before the code cannot ride on it.
    request.session.cycle_key()
    django_otp.login(request, device)


# --- reset -------------------------------------------------------------------------------------


def reset(actor: Any, user: Any, request: HttpRequest | None = None) -> None:
    """Remove the user's app and recovery codes: the user sets up a new app at the next sign-in.

    By the user (whose session is verified) or by a superuser for anyone. Sessions verified with
    the old devices are no longer verified, and every API token of the user is deleted.
    """
    if actor.pk != user.pk and not access.is_superuser(actor):
        raise PermissionError("only a superuser resets another user's second factor")
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        AuthToken.objects.filter(user=user).delete()
        record_event(actor, "user.second_factor_reset", user, data={
            "address": _address(request), "by": "self" if actor.pk == user.pk else "superuser", "had_device": had,
        })


# --- helpers -----------------------------------------------------------------------------------


def _normalised(code: Any) -> str:
    """As people type codes: with spaces or dashes, recovery codes in either case."""
    if not isinstance(code, str):
        return ""
    return "".join(code.split()).replace("-", "").lower()[:32]


def _require_allowed(device: Device, user: Any, request: HttpRequest | None, method: str) -> None:
    """The back-off after wrong codes: refused, and audited, until it has passed."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        _refused(user, request, "locked", method)
        until = timezone.localtime((details or {}).get("locked_until") or timezone.now())
        raise ValidationError(
            _("Too many wrong codes: the next one is accepted from %(time)s.")
            % {"time": formats.time_format(until, "H:i:s")},
            code="locked",
        )


def _method(by_app: bool) -> str:
    return "app" if by_app else "recovery_code"


def _refused(user: Any, request: HttpRequest | None, reason: str, method: str) -> None:
    record_event(None, "user.second_factor_failed", user, data={
        "address": _address(request), "reason": reason, "method": method,
    })


def _address(request: HttpRequest | None) -> str:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "")
