"""What a user locked out after repeated wrong passwords gets (django-axes calls `lockout_response`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.core.api.errors import error_body
from portal.core.api.middleware import API_PREFIX


def locked_message() -> str:
    return _("Too many wrong passwords for this user from this address: sign-in is locked for a while.")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: Any = None) -> HttpResponse:
    """403: for the API in its error shape (code `locked`), for a page in the user's language."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("locked", locked_message()), status=403,
                            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    return render(request, "registration/locked.html", status=403)
