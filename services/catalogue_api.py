"""REST resource: the service catalogue, /api/v1/services/. Public and read-only.

The DESIGN §5 contract: code, name, approval_mode, departments, promised_days, statutory_days,
materials[] {code, name, required, deferrable}. The other fields are additions.
"""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, viewsets

from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from services.models.catalogue import ApprovalMode, ServiceCategory


def catalogue_queryset() -> QuerySet[ServiceItem]:
    """The active items with everything a listing shows, fetched in a fixed number of queries."""
    return (
        ServiceItem.objects.filter(is_active=True)
        .select_related("lead_department")
        .prefetch_related(
            "departments",
            "materials",
            Prefetch("review_steps", queryset=ReviewStep.objects.select_related("department")),
        )
        .order_by("code")
    )


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialRequirement
        fields = ["code", "name", "required", "deferrable", "essential"]


class ReviewStepSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True)

    class Meta:
        model = ReviewStep
        fields = ["order", "name", "department", "promised_days"]


class ServiceItemSerializer(serializers.ModelSerializer):
    departments = DepartmentSerializer(many=True, read_only=True)
    lead_department = DepartmentSerializer(read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    review_steps = ReviewStepSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "approval_mode", "departments", "promised_days", "statutory_days",
            "materials",
            # additions to the contract
            "name_en", "category", "lead_department", "fee", "conditions", "review_steps",
            "deferral_days", "commitment_text",
        ]
        read_only_fields = fields


class ServiceItemFilterSet(django_filters.FilterSet):
    approval_mode = django_filters.ChoiceFilter(
        choices=ApprovalMode.choices, label=_("approval mode"), empty_label=_("All modes")
    )
    category = django_filters.ChoiceFilter(
        choices=ServiceCategory.choices, label=_("service domain"), empty_label=_("All domains")
    )
    department = django_filters.CharFilter(
        field_name="departments__code", lookup_expr="iexact", distinct=True,
        label=_("department code"),
    )
    search = django_filters.CharFilter(method="filter_search", label=_("name contains"))

    class Meta:
        model = ServiceItem
        fields = ["approval_mode", "category", "department", "search"]

    def filter_search(self, queryset: QuerySet[ServiceItem], name: str, value: str) -> QuerySet[ServiceItem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(code__iexact=value))


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The service catalogue (政务服务事项): anyone may read it, signed in or not."""

    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return catalogue_queryset()
