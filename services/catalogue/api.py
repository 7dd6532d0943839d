"""REST resource: the service catalogue, /api/v1/services/. Public and read-only.

The DESIGN §5 contract: code, name, approval_mode, departments, promised_days, statutory_days,
materials[] {code, name, required, deferrable}. The other fields are additions. Like `name` and
`name_en`, each text is given in Chinese and in English (`_en`, empty where none is entered yet).
"""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from portal.core.api.viewsets import PublicListByCode
from services.catalogue import cache as catalogue_cache
from services.catalogue.form_fields import FieldKind, FormField, form_of
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
            "form_fields",
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
        fields = ["code", "name", "required", "deferrable", "essential", "name_en"]


class OptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("What the answer holds."))
    label = serializers.CharField()
    label_en = serializers.CharField()


class FormColumnSerializer(serializers.ModelSerializer):
    """A field of the form, or a column of a table field (then without columns of its own)."""

    options = serializers.SerializerMethodField()
    min_value = serializers.FloatField(read_only=True, allow_null=True)
    max_value = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = FormField
        fields = ["key", "kind", "label", "label_en", "help", "help_en", "required", "max_length", "pattern",
                  "pattern_message", "pattern_message_en", "min_value", "max_value", "whole_number", "options",
                  "multiple", "min_rows", "max_rows", "prefill"]
        read_only_fields = fields

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, field: FormField) -> list[dict]:
        return [{"value": o.value, "label": o.label, "label_en": o.label_en} for o in field.option_list()]


class FormFieldSerializer(FormColumnSerializer):
    columns = serializers.SerializerMethodField(help_text=_("A table field's columns: each row of the answer is an "
                                                            "object of them. Empty for the other kinds."))

    class Meta(FormColumnSerializer.Meta):
        fields = [*FormColumnSerializer.Meta.fields, "columns"]
        read_only_fields = fields

    @extend_schema_field(FormColumnSerializer(many=True))
    def get_columns(self, field: FormField) -> list[dict]:
        if field.kind != FieldKind.TABLE:
            return []
        columns = [column for column in self.context["form_fields"] if column.table == field.key]
        return FormColumnSerializer(columns, many=True).data


class ReviewStepSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True)

    class Meta:
        model = ReviewStep
        fields = ["order", "name", "department", "promised_days", "name_en"]


class ServiceItemSerializer(serializers.ModelSerializer):
    departments = DepartmentSerializer(many=True, read_only=True)
    lead_department = DepartmentSerializer(read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    review_steps = ReviewStepSerializer(many=True, read_only=True)
    form_fields = serializers.SerializerMethodField(help_text=_(
        "The application form: the answers `form` of POST and PATCH /applications/ takes, by `key`. Types, "
        "bounds, patterns and options are checked whenever the form is stored; `required` ones (and a table's "
        "`min_rows`) at submission. An item without fields takes any object."))

    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "approval_mode", "departments", "promised_days", "statutory_days",
            "materials",
            # additions to the contract
            "name_en", "category", "lead_department", "fee", "conditions", "review_steps",
            "deferral_days", "commitment_text", "legal_basis", "legal_basis_en", "form_fields",
            "conditions_en", "commitment_text_en",
        ]
        read_only_fields = fields

    @extend_schema_field(FormFieldSerializer(many=True))
    def get_form_fields(self, item: ServiceItem) -> list[dict]:
        fields = list(item.form_fields.all())
        top, _columns = form_of(fields)
        return FormFieldSerializer(top, many=True, context={**self.context, "form_fields": fields}).data


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
         "essential": True, "name_en": "Application form for conditional access to public data"},
        {"code": "security-assessment", "name": "数据安全评估报告", "required": True, "deferrable": True,
         "essential": False, "name_en": "Data security assessment report"},
    ],
    "name_en": "Application for conditional access to public data", "category": "data",
    "lead_department": ZWFW_EXAMPLE,
    "fee": "0.00", "conditions": "1. 在丰台区注册登记的企业或科研机构，无严重失信记录；",
    "review_steps": [{"order": 1, "name": "需求审查", "department": ZWFW_EXAMPLE, "promised_days": 5,
                      "name_en": "Review of the request"}],
    "deferral_days": 10, "commitment_text": "本单位承诺：申请使用的公共数据仅用于申报的应用场景……",
    "legal_basis": "《中华人民共和国数据安全法》第四十二条；《北京市公共数据管理办法》",
    "legal_basis_en": "Data Security Law of the PRC, Art. 42; Beijing Measures on the Management of Public Data",
    "form_fields": [
        {"key": "applicant_name", "kind": "text", "label": "申请单位名称", "label_en": "Applicant", "help": "",
         "help_en": "", "required": True, "max_length": 200, "pattern": "", "pattern_message": "",
         "pattern_message_en": "", "min_value": None, "max_value": None, "whole_number": False, "options": [],
         "multiple": False, "min_rows": None, "max_rows": None, "prefill": "enterprise.name", "columns": []},
        {"key": "data_scope", "kind": "choice", "label": "申请数据类别", "label_en": "Data requested",
         "help": "", "help_en": "", "required": True, "max_length": None, "pattern": "", "pattern_message": "",
         "pattern_message_en": "", "min_value": None, "max_value": None, "whole_number": False,
         "options": [{"value": "enterprise", "label": "企业登记数据", "label_en": "Enterprise registrations"},
                     {"value": "transport", "label": "交通出行数据", "label_en": "Transport"}],
         "multiple": True, "min_rows": None, "max_rows": None, "prefill": "", "columns": []},
    ],
    "conditions_en": "1. An enterprise or research institution registered in Fengtai District, with no record of "
                     "serious dishonesty;",
    "commitment_text_en": "We undertake that the public data we apply for will be used only for the declared "
                          "use case…",
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

    # The same for everyone: kept in the cache until the catalogue changes (services/catalogue/cache.py).
    def list(self, request, *args, **kwargs) -> Response:
        return Response(catalogue_cache.kept(request.get_full_path(), lambda: super(ServiceItemViewSet, self).list(
            request, *args, **kwargs).data))

    def retrieve(self, request, *args, **kwargs) -> Response:
        return Response(catalogue_cache.kept(request.get_full_path(), lambda: super(ServiceItemViewSet, self).retrieve(
            request, *args, **kwargs).data))
