"""REST resource: enterprises. Serializer and viewset; the rules live in registration.py."""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from enterprises.models import Enterprise
from enterprises.registration import (
    REGISTRATION_FIELDS,
    register_enterprise,
    registration_problems,
    resubmit_registration,
)
from portal.core.api.idempotency import IdempotentMixin
from portal.core.input_checks import CheckedJSONParser

REGISTRATION_EXAMPLE = {
    "name": "北京示例科技有限公司", "uscc": "91110106MA01FTCC3R", "legal_representative": "王五",
    "registered_address": "北京市丰台区南四环西路188号", "street": "huaxiang", "industry": "I", "size": "small",
    "tech_tier": "none", "founded_on": "2021-03-01", "registered_capital": "100.00", "contact_name": "赵六",
    "contact_phone": "010-12345678", "contact_email": "contact@example.com",
}
ENTERPRISE_EXAMPLE = {
    "id": 3, **REGISTRATION_EXAMPLE, "status": "verified", "status_reason": "", "on_credit_list": False,
    "created_at": "2026-11-30T09:00:00+08:00",
}


class EnterpriseSerializer(serializers.ModelSerializer):
    licence = serializers.FileField(write_only=True, label=_("business licence"))
    on_credit_list = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = ["id", *REGISTRATION_FIELDS, "licence", "status", "status_reason",
                  "on_credit_list", "created_at"]
        read_only_fields = ["status", "status_reason", "created_at"]
        # The USCC's rules (format, checksum, who holds it) are the domain's, not the serializer's.
        extra_kwargs = {"uscc": {"validators": []}}
        validators: list = []

    def get_on_credit_list(self, enterprise: Enterprise) -> bool:
        return enterprise.on_credit_list()


class CorrectionSerializer(EnterpriseSerializer):
    """A rejected registration's corrections: any registration field, and a new licence if asked for."""

    licence = serializers.FileField(write_only=True, required=False, label=_("business licence"))

    class Meta(EnterpriseSerializer.Meta):
        extra_kwargs = {field: {"required": False} for field in REGISTRATION_FIELDS} | {"uscc": {
            "validators": [], "required": False}}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("The caller's enterprises", response_only=True,
                                                value=ENTERPRISE_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("A verified enterprise", response_only=True,
                                                    value=ENTERPRISE_EXAMPLE)]),
)
class EnterpriseViewSet(
    IdempotentMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Register an enterprise, and read the enterprises the caller belongs to."""

    serializer_class = EnterpriseSerializer
    parser_classes = [MultiPartParser, FormParser, CheckedJSONParser]

    def get_queryset(self):
        return Enterprise.objects.of_member(self.request.user).order_by("id")

    @extend_schema(examples=[
        OpenApiExample("A registration (multipart, with the licence file)", request_only=True,
                       value={**REGISTRATION_EXAMPLE, "licence": "licence.pdf"}),
        OpenApiExample("Registered, pending verification", response_only=True, status_codes=["201"],
                       value={**ENTERPRISE_EXAMPLE, "status": "pending"}),
    ])
    def create(self, request, *args, **kwargs):
        """Register an enterprise: it is pending until an official verifies it."""
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # One answer names every field: the domain's checks (the code's check character, a code
            # already held) are added to what parsing found.
            errors = dict(serializer.errors)
            licence = request.data.get("licence")
            licence = licence if isinstance(licence, UploadedFile) else None  # a name is no file
            for field, problems in registration_problems(request.data, licence).items():
                errors.setdefault(field, problems)
            raise serializers.ValidationError(errors)
        data = dict(serializer.validated_data)
        licence = data.pop("licence")
        enterprise = register_enterprise(request.user, data, licence)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CorrectionSerializer, responses={200: EnterpriseSerializer}, examples=[
        OpenApiExample("The corrected contact, the licence on file kept", request_only=True,
                       value={"contact_phone": "010-87654321"}),
        OpenApiExample("Pending verification again", response_only=True,
                       value={**ENTERPRISE_EXAMPLE, "status": "pending"}),
    ])
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """Correct a rejected registration and send it to the district again (its administrator only)."""
        enterprise = self.get_object()
        serializer = CorrectionSerializer(enterprise, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        licence = data.pop("licence", None)
        enterprise = resubmit_registration(request.user, enterprise.pk, data, licence)
        return Response(EnterpriseSerializer(enterprise, context=self.get_serializer_context()).data)
