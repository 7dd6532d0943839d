"""`POST /api/v1/auth/token/ {username, password}` → `{token, expiry}`."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("user name"))
    password = serializers.CharField(label=_("password"), style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


@extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request):
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(request, **serializer.validated_data)
    if user is None or not user.is_active:
        raise serializers.ValidationError(
            {"password": [_("The user name or password is wrong.")]}
        )
    instance, token = AuthToken.objects.create(user)
    return Response({"token": token, "expiry": instance.expiry})
