"""REST resource: the service catalogue, /api/v1/services/. Public and read-only.

The DESIGN §5 contract: code, name, approval_mode, departments, promised_days, statutory_days,
materials[] {code, name, required, deferrable}. The other fields are additions.
"""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from portal.core.api.viewsets import PublicListByCode
from services.catalogue.models import ApprovalMode, ServiceCategory
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem


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
            "deferral_days", "commitment_text", "legal_basis", "legal_basis_en",
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


# --- examples in the schema --------------------------------------------------------------------

ZWFW_EXAMPLE = {"code": "ZWFW", "name": "区政务服务和数据管理局",
                "name_en": "District Government Services and Data Administration"}
SERVICE_EXAMPLE = {
    "code": "FT-ZW-0003", "name": "公共数据有条件开放申请", "approval_mode": "deferred",
    "departments": [ZWFW_EXAMPLE],
    "promised_days": 10, "statutory_days": 20,
    "materials": [
        {"code": "application-form", "name": "公共数据有条件开放申请表", "required": True, "deferrable": False,
         "essential": True},
        {"code": "security-assessment", "name": "数据安全评估报告", "required": True, "deferrable": True,
         "essential": False},
    ],
    "name_en": "Application for conditional access to public data", "category": "data",
    "lead_department": ZWFW_EXAMPLE,
    "fee": "0.00", "conditions": "1. 在丰台区注册登记的企业或科研机构，无严重失信记录；",
    "review_steps": [{"order": 1, "name": "需求审查", "department": ZWFW_EXAMPLE, "promised_days": 5}],
    "deferral_days": 10, "commitment_text": "本单位承诺：申请使用的公共数据仅用于申报的应用场景……",
    "legal_basis": "《中华人民共和国数据安全法》第四十二条；《北京市公共数据管理办法》",
    "legal_basis_en": "Data Security Law of the PRC, Art. 42; Beijing Measures on the Management of Public Data",
}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("The catalogue", response_only=True, value=SERVICE_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("A deferred-mode item", response_only=True,
                                                    value=SERVICE_EXAMPLE)]),
)
class ServiceItemViewSet(PublicListByCode):
    """The service catalogue (政务服务事项): anyone may read it, signed in or not."""

    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return catalogue_queryset()
