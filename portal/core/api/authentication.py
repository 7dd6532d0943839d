"""The API's ways in, token and session, each refusing staff not confirmed with a one-time code.

A staff token counts only if it was issued with a code (`POST /api/v1/auth/token/` with
`otp_code`) of a device the user still has; a staff session only once confirmed on the
second-factor page. Company clerks are not asked for a code.
"""

import binascii
from hmac import compare_digest
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_authentication
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portal.core import second_factor


class SecondFactorRequired(exceptions.AuthenticationFailed):
    default_code = "second_factor_required"


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's tokens; a staff token issued without a one-time code (before enrolment) is refused.

    Two indexed queries per request: the token with whether it was issued with a code, then its
    user by primary key. (Joined in one query, PostgreSQL may merge-join through the users' primary
    key from the first user up to the token's: 190 ms for an official created after 200,000 clerks.)
    knox itself reads the user's other tokens on every request to delete the expired ones; here an
    expired token is refused by its expiry and deleted when presented, and the others are purged
    by the hourly `portal.purge_expired_tokens`.
    """

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        refused = exceptions.AuthenticationFailed(_("Invalid token."))
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, binascii.Error) as error:
            raise refused from error
        from portal.models import TokenVerification

        verified = TokenVerification.objects.filter(token=OuterRef("pk"))
        candidates = (get_token_model().objects.filter(token_key=text[:CONSTANTS.TOKEN_KEY_LENGTH])
                      .annotate(issued_with_code=Exists(verified)))
        now = timezone.now()
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry < now:
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            if compare_digest(digest, auth_token.digest):
                auth_token.user = get_user_model().objects.get(pk=auth_token.user_id)
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise refused

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        verified = getattr(token, "issued_with_code", None)
        if verified is None:
            verified = second_factor.token_verified(token)
        if second_factor.required(user) and not verified:
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
