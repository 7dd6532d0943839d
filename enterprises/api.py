"""REST resource: enterprises. Serializer and viewset; the rules live in registration.py."""

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from enterprises.models import Enterprise
from enterprises.registration import REGISTRATION_FIELDS, register_enterprise


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


class EnterpriseViewSet(
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

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        licence = data.pop("licence")
        enterprise = register_enterprise(request.user, data, licence)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)
