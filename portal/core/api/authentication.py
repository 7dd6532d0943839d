"""The API's ways in, token and session, each refusing staff not confirmed with a one-time code.

A staff token counts only if it was issued with a code (`POST /api/v1/auth/token/` with
`otp_code`) of a device the user still has; a staff session only once confirmed on the
second-factor page. Company clerks are not asked for a code.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_authentication
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portal.core import second_factor


class SecondFactorRequired(exceptions.AuthenticationFailed):
    default_code = "second_factor_required"


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's tokens; a staff token issued without a one-time code (before enrolment) is refused."""

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        if second_factor.required(user) and not second_factor.token_verified(token):
            raise SecondFactorRequired(_(
                "This token was issued without a one-time code: officials and administrators obtain "
                "a new one with their password and otp_code."
            ))
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """The portal's session; a staff session counts once confirmed with a one-time code."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None and second_factor.required(result[0]) \
                and not second_factor.session_verified(request._request):
            raise SecondFactorRequired(_(
                "Confirm this session with a one-time code first, on the portal's second-factor page."
            ))
        return result


# The schema describes both as drf-spectacular describes the classes they extend.
class TokenScheme(KnoxTokenScheme):
    target_class = "portal.core.api.authentication.TokenAuthentication"


class SessionScheme(spectacular_authentication.SessionScheme):
    target_class = "portal.core.api.authentication.SessionAuthentication"
