"""Signing in: what a user locked out after repeated wrong passwords gets (django-axes calls
`lockout_response`), the audit trail of staff sign-ins and failures, and signing out everywhere."""

from typing import Any

from django.contrib.auth import get_user_model, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from portal.core import access
from portal.core.api.errors import error_body
from portal.core.api.middleware import API_PREFIX
from portal.core.audit import record_event


def locked_message() -> str:
    return _("Too many wrong passwords for this user from this address: sign-in is locked for a while.")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: Any = None) -> HttpResponse:
    """403: for the API in its error shape (code `locked`), for a page in the user's language."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("locked", locked_message()), status=403,
                            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    return render(request, "registration/locked.html", status=403)


def proves_no_password(request: HttpRequest, credentials: dict | None = None) -> bool:
    """A sign-in on an identity provider's answer (the unified login: a nonce, no user name or
    password) guesses no password, so django-axes neither counts nor locks it: people refused
    there (unknown to the portal, say) must not lock everyone behind the same address out of it."""
    credentials = credentials or {}
    return "nonce" in credentials and not credentials.get("username") and not credentials.get("password")


def record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every sign-in of an official or administrator goes into the audit trail, with the address
    (and the way in, when a backend names it on the user, as the unified login does)."""
    if access.is_official(user):
        data = {"address": _address(request)}
        if method := getattr(user, "sign_in_method", ""):
            data["method"] = method
        record_event(user, "user.signed_in", user, data=data)


def record_failed_sign_in(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """A wrong password for an official's or administrator's account goes into the trail (the account as target)."""
    username = (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(username=username).first() if isinstance(username, str) else None
    if user is not None and access.is_official(user):
        record_event(None, "user.sign_in_failed", user, data={"address": _address(request)})


def sign_out_everywhere(request: HttpRequest) -> None:
    """End every session of the signed-in user, this one included, and delete every API token.

    Other sessions end at their next request: the user's session hash moves (`User.get_session_auth_hash`).
    """
    user = request.user
    with transaction.atomic():
        user.signed_out_everywhere_at = timezone.now()
        user.save(update_fields=["signed_out_everywhere_at"])
        tokens = AuthToken.objects.filter(user=user).delete()[1].get(AuthToken._meta.label, 0)
        record_event(user, "user.signed_out_everywhere", user, data={"address": _address(request), "tokens": tokens})
    logout(request)


def _address(request: HttpRequest | None) -> str:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "")
