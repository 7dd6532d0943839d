"""`GET /api/v1/me/`: who the caller is, their enterprises (with their role) and departments.

An integrator reads it once after obtaining a token to learn which enterprise ids it may
name in POST /api/v1/applications/ and, for an official, which departments' tasks it will see.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprises.models import Enterprise, Membership
from portal.core import access
from portal.models import User
from services.models import Department


class MyEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="enterprise.id")
    name = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")
    status = serializers.ChoiceField(source="enterprise.status", choices=Enterprise.Status.choices)
    role = serializers.ChoiceField(choices=Membership.Role.choices, help_text=_("The caller's role in it."))


class MyDepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]
        read_only_fields = fields


class OfficialField(serializers.BooleanField):
    """Whether the caller is an official, as the access module says (superusers included)."""

    def to_representation(self, user: User) -> bool:
        return access.is_official(user)


class MeSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    is_official = OfficialField(source="*", help_text=_("A district official (sees tasks)."))
    enterprises = MyEnterpriseSerializer(source="memberships", many=True)
    departments = MyDepartmentSerializer(many=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "phone", "language", "is_official", "is_superuser",
                  "enterprises", "departments"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.username


class MeView(APIView):
    """The caller's identity and affiliations."""

    @extend_schema(responses={200: MeSerializer}, examples=[OpenApiExample("A clerk", response_only=True, value={
        "id": 7, "username": "clerk1", "name": "张三", "email": "clerk1@example.com", "phone": "13800000000",
        "language": "zh-hans", "is_official": False, "is_superuser": False,
        "enterprises": [{"id": 3, "name": "北京示例科技有限公司", "uscc": "91110106MA01FTCC3R",
                         "status": "verified", "role": "admin"}],
        "departments": [],
    })])
    def get(self, request: Request) -> Response:
        user = (
            User.objects.filter(pk=request.user.pk)
            .prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.select_related("enterprise").order_by("enterprise_id")),
                Prefetch("departments", queryset=Department.objects.order_by("code")),
            )
            .get()
        )
        return Response(MeSerializer(user, context={"request": request}).data)
