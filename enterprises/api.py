"""REST resource: enterprises. Serializer and viewset; the rules live in registration.py."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from enterprises.models import Enterprise
from enterprises.registration import REGISTRATION_FIELDS, register_enterprise
from portal.core.api.idempotency import IdempotentMixin

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
        # The USCC's rules (format, checksum, uniqueness) are the domain's, not the serializer's.
        extra_kwargs = {"uscc": {"validators": []}}

    def get_on_credit_list(self, enterprise: Enterprise) -> bool:
        return enterprise.on_credit_list()


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
    parser_classes = [MultiPartParser, FormParser, JSONParser]

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
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        licence = data.pop("licence")
        enterprise = register_enterprise(request.user, data, licence)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)
