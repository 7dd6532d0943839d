"""API tokens (django-rest-knox: stored hashed, expiring after REST_KNOX["TOKEN_TTL"], revocable).

- `POST /api/v1/auth/token/ {username, password}` → `{token, expiry}`; the token is shown once.
  Officials and administrators add `otp_code`: the code their authenticator app shows now, or one
  of their recovery codes (portal/core/second_factor.py).
- `GET /api/v1/auth/tokens/` → the caller's live tokens, by `token_key` (the token's first
  characters), never the token itself.
- `DELETE /api/v1/auth/tokens/{token_key}/` → revoke one of them (204).
- `POST /api/v1/auth/logout/` → revoke the token of this request (204).

Token creation has its own throttle scope ("token", per IP), stricter than the general limits.
"""

from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core import second_factor


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("user name"))
    password = serializers.CharField(label=_("password"), style={"input_type": "password"})
    otp_code = serializers.CharField(
        label=_("one-time code"), required=False, allow_blank=True, max_length=32,
        help_text=_("Officials and administrators only, and required of them: the six digits their "
                    "authenticator app shows now, or one of their recovery codes (each works once)."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`; it is shown only once."))
    expiry = serializers.DateTimeField(allow_null=True)


class TokenInfoSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text=_("Whether this request was made with this token."))

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: AuthToken) -> bool:
        current = self.context["request"].auth
        return isinstance(current, AuthToken) and current.digest == token.digest


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[],
    examples=[
        OpenApiExample("Credentials", value={"username": "clerk1", "password": "xfg-demo-2026"}, request_only=True),
        OpenApiExample("An official's credentials", request_only=True, value={
            "username": "official_kxj", "password": "xfg-demo-2026", "otp_code": "492039",
        }),
        OpenApiExample("A new token", response_only=True, value={
            "token": "1f0c4b0e9a7d3c2b5e8f6a1d4c7b9e2f3a5d8c1b4e7f0a2d5c8b1e4f7a0d3c6b",
            "expiry": "2026-12-28T10:00:00+08:00",
        }),
    ],
)
class ObtainTokenView(APIView):
    """Exchange a user name and password (and, for officials, a one-time code) for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request: AxesMiddleware reads the lockout from it and answers with
        # portal.core.sign_in.lockout_response, as on the sign-in pages.
        credentials = {key: serializer.validated_data[key] for key in ("username", "password")}
        user = authenticate(request._request, **credentials)
        if user is None or not user.is_active:
            raise serializers.ValidationError({"password": [_("The user name or password is wrong.")]})
        device = self._second_factor(request, user, serializer.validated_data.get("otp_code", ""))
        # A token is a sign-in: the failure count starts again and last_login moves, as on the pages.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        with transaction.atomic():
            instance, token = AuthToken.objects.create(user)
            if device is not None:
                second_factor.remember_token(instance, device)
        return Response({"token": token, "expiry": instance.expiry})

    @staticmethod
    def _second_factor(request: Request, user, code: str):
        """The device that accepted the official's code (None for a clerk); refused: 400 or 403 `locked`."""
        if not second_factor.required(user):
            return None
        if not code and second_factor.is_enrolled(user):
            raise serializers.ValidationError({"otp_code": [_(
                "Officials and administrators give a one-time code with their password: the six digits "
                "their authenticator app shows, or a recovery code."
            )]})
        try:
            return second_factor.verify(user, code, request._request)
        except DjangoValidationError as error:
            if error.code == "locked":
                raise exceptions.PermissionDenied(error.messages[0], code="locked") from error
            raise serializers.ValidationError({"otp_code": error.messages}) from error


obtain_token = ObtainTokenView.as_view()


@extend_schema_view(list=extend_schema(examples=[OpenApiExample("The caller's live tokens", response_only=True, value={
    "token_key": "1f0c4b0e9a7d3c2", "created": "2026-11-28T10:00:00+08:00",
    "expiry": "2026-12-28T10:00:00+08:00", "current": True,
})]))
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens: list them, revoke one (e.g. a leaked one)."""

    serializer_class = TokenInfoSerializer
    lookup_field = "token_key"
    lookup_value_regex = "[^/]+"
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[AuthToken]:
        live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
        return AuthToken.objects.filter(live, user=self.request.user).order_by("-created", "digest")

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        """Revoke the token: any request made with it afterwards gets 401."""
        tokens = self.get_queryset().filter(token_key=self.kwargs["token_key"])
        if not tokens.exists():
            raise Http404
        tokens.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """Revoke the token this request was made with (a session is signed out instead)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
