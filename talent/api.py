"""REST resources: talent policies (/api/v1/policies/), their waiting lists and talent (/api/v1/talents/).

The DESIGN §5 contract for policies: code, title, benefit, eligibility, quota_remaining; the
other fields are additions. Serializers and viewsets stay thin: eligibility is
`talent.eligibility`'s, quotas `talent.applications`', profiles `talent.profiles`'. Talent are
scoped to the caller's enterprises, so another enterprise's talent is a 404 before the domain
is reached, and the raw ID number is never returned, only its masked form. A policy's waiting
list (`talent.selectors.waiting_list`) shows a clerk the length of the list and the entries of
their own enterprises only; the officials of the policy's departments see every entry.
"""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enterprises.models import Enterprise
from portal.core.access import is_official_of
from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.schema import ERROR_DESCRIPTIONS, ErrorSerializer
from portal.core.api.viewsets import PublicListByCode
from portal.core.bilingual import localised
from services.applications.api import DRAFT_EXAMPLE, ApplicationSerializer, with_details
from services.applications.workflow.core import today
from services.models import Application
from talent.api_examples import (
    POLICY_EXAMPLE,
    TALENT_EXAMPLE,
    TALENT_EXAMPLES,
    TALENT_REQUEST_EXAMPLE,
    WAITING_LIST_EXAMPLE,
)
from talent.applications import Usage, apply_for_policy, usage, with_usage
from talent.eligibility import describe_rules, evaluate
from talent.models import BenefitKind, Education, Talent, TalentPolicy, Tier
from talent.profiles import add_talent, update_talent
from talent.selectors import WaitingEntry, WaitingList, waiting_list


def policies_queryset(year: int) -> QuerySet[TalentPolicy]:
    """The open-for-business policies with this year's usage, in one query whatever their number."""
    return with_usage(
        TalentPolicy.objects.filter(service__is_active=True).select_related("service"), year
    ).order_by("service__code")


def find_policy(policies: QuerySet[TalentPolicy], value: Any) -> TalentPolicy | None:
    """A policy by its code (the service item's) or, failing that, by its id."""
    value = str(value or "").strip()
    if not value:
        return None
    policy = policies.filter(service__code=value).first()
    if policy is None and value.isdigit():
        policy = policies.filter(pk=int(value)).first()
    return policy


# --- serializers -------------------------------------------------------------------------------


class TalentPolicySerializer(serializers.ModelSerializer):
    """Reads `granted_this_year`/`spent_this_year` annotated by `with_usage`: no query per row."""

    # Quota and budget are `talent.applications.usage`'s, the page's and the admin's too.

    code = serializers.CharField(source="service.code", read_only=True)
    title = serializers.SerializerMethodField()
    benefit = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()
    quota_remaining = serializers.SerializerMethodField()
    budget_remaining = serializers.SerializerMethodField()
    service = serializers.CharField(
        source="service.code", read_only=True,
        help_text=_("The service item's code: POST /api/v1/applications/ with it as `service`."),
    )

    class Meta:
        model = TalentPolicy
        fields = [
            "code", "title", "benefit", "eligibility", "quota_remaining",
            # additions to the contract
            "id", "benefit_kind", "amount", "annual_quota", "annual_budget", "budget_remaining",
            "opens_on", "closes_on", "service",
        ]
        read_only_fields = fields

    def _usage(self, policy: TalentPolicy) -> Usage:
        return usage(policy, self.context.get("year"))

    def get_title(self, policy: TalentPolicy) -> str:
        """The service item's name in the request's language."""
        return str(policy.service)

    def get_benefit(self, policy: TalentPolicy) -> str:
        """The benefit in words in the request's language (Chinese where no English is entered)."""
        return str(localised(policy, "benefit_description")) or str(BenefitKind(policy.benefit_kind).label)

    @extend_schema_field(inline_serializer("PolicyEligibility", fields={
        "rules": serializers.DictField(help_text=_("The rules as data, e.g. {\"max_age\": 45}.")),
        "conditions": serializers.ListField(child=serializers.CharField(), help_text=_("The rules in words.")),
    }))
    def get_eligibility(self, policy: TalentPolicy) -> dict[str, Any]:
        return {"rules": policy.rules or {}, "conditions": describe_rules(policy)}

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text=_("Null: no limit.")))
    def get_quota_remaining(self, policy: TalentPolicy) -> int | None:
        return self._usage(policy).quota_remaining(policy)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                                  help_text=_("Null: no limit.")))
    def get_budget_remaining(self, policy: TalentPolicy) -> str | None:
        remaining = self._usage(policy).budget_remaining(policy)
        return None if remaining is None else f"{remaining:.2f}"


class TalentSerializer(serializers.ModelSerializer):
    """The profile. The ID number goes in raw and comes out masked; its rules are the domain's."""

    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), label=_("employer"),
        error_messages={"does_not_exist": _("Enterprise not found among yours.")},
    )
    id_number = serializers.CharField(
        write_only=True, label=_("resident ID number"),
        help_text=_("The 18-character number of the 居民身份证; only its masked form is ever returned."),
    )
    id_number_masked = serializers.CharField(source="masked_id_number", read_only=True)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Talent
        fields = [
            "id", "enterprise", "name", "id_number", "id_number_masked", "birth_date", "age", "gender",
            "education", "title", "field", "tier", "returnee", "started_on", "created_at", "updated_at",
        ]
        read_only_fields = ["birth_date", "gender", "created_at", "updated_at"]
        # Uniqueness per employer and the ID number's rules are checked by talent.profiles.
        validators: list = []

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # Never reveal that another enterprise exists: a stranger's id reads as "not found".
        fields["enterprise"].queryset = (
            Enterprise.objects.of_member(user) if user is not None else Enterprise.objects.none()
        )
        if self.instance is not None:
            # Changing a profile: the number may stay as it is (clients only ever see it masked).
            fields["id_number"].required = False
        return fields

    def get_age(self, talent: Talent) -> int:
        return talent.age()

    def create(self, validated_data: dict[str, Any]) -> Talent:
        enterprise = validated_data.pop("enterprise")
        return add_talent(self.context["request"].user, enterprise, validated_data)

    def update(self, instance: Talent, validated_data: dict[str, Any]) -> Talent:
        return update_talent(self.context["request"].user, instance, validated_data)


class WaitingEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField(label=_("position"), help_text=_("1 is the first to be granted."))
    application = serializers.IntegerField(source="claim.application_id", label=_("application id"))
    reference = serializers.CharField(label=_("reference"))
    enterprise = serializers.IntegerField(source="application.enterprise_id", label=_("enterprise id"))
    talent = serializers.CharField(source="claim.talent.name", label=_("talent"))
    received_on = serializers.DateField(source="application.received_on", label=_("received on"))
    decidable = serializers.BooleanField(
        label=_("decidable now"), help_text=_("A grant is left for it: the department may approve it now."))


class WaitingListSerializer(serializers.Serializer):
    policy = serializers.CharField(source="policy.code", label=_("policy code"))
    year = serializers.IntegerField(label=_("year of the quota"))
    grants_left = serializers.IntegerField(
        source="places_left", allow_null=True, label=_("grants left"),
        help_text=_("What the quota and the budget still allow this year; null: no limit."))
    count = serializers.IntegerField(label=_("applications on the waiting list"))
    entries = WaitingEntrySerializer(many=True, label=_("entries the caller may see, with their positions"))


class WaitingListQuerySerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(
        required=False, min_value=1, label=_("enterprise id"),
        help_text=_("Only the entries of this enterprise."))


class VerdictSerializer(serializers.Serializer):
    policy = serializers.CharField(label=_("policy code"))
    title = serializers.CharField(label=_("policy"))
    eligible = serializers.BooleanField(label=_("eligible"))
    reasons = serializers.ListField(child=serializers.CharField(), label=_("why not, one per failed rule"))


class ApplySerializer(serializers.Serializer):
    policy = serializers.CharField(label=_("policy code or id"))


# --- filters -----------------------------------------------------------------------------------


class TalentPolicyFilterSet(django_filters.FilterSet):
    benefit_kind = django_filters.ChoiceFilter(choices=BenefitKind.choices, label=_("benefit"))

    class Meta:
        model = TalentPolicy
        fields = ["benefit_kind"]


class TalentFilterSet(django_filters.FilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("employer id"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("talent tier"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("highest education"))
    search = django_filters.CharFilter(method="filter_search", label=_("name contains"))

    class Meta:
        model = Talent
        fields = ["enterprise", "tier", "education", "search"]

    def filter_search(self, queryset: QuerySet[Talent], name: str, value: str) -> QuerySet[Talent]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value)) if value else queryset


# --- viewsets ----------------------------------------------------------------------------------


@extend_schema_view(
    # A list's example is one row: drf-spectacular makes the list of it.
    list=extend_schema(examples=[OpenApiExample("The open policies", response_only=True, value=POLICY_EXAMPLE)]),
    retrieve=extend_schema(parameters=[
        OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                         description=_("The policy's code (e.g. FC01) or its id.")),
    ], examples=[OpenApiExample("A policy with this year's quota", response_only=True, value=POLICY_EXAMPLE)]),
)
class TalentPolicyViewSet(PublicListByCode):
    """The 丰才十条 with their rules and what is left of this year's quota: public, like the catalogue."""

    serializer_class = TalentPolicySerializer
    filterset_class = TalentPolicyFilterSet

    def get_queryset(self) -> QuerySet[TalentPolicy]:
        return policies_queryset(self.year)

    @property
    def year(self) -> int:
        """One year for the annotation and the serializer, even across midnight on 31 December."""
        if not hasattr(self, "_year"):
            self._year = today().year
        return self._year

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "year": self.year}

    def get_object(self) -> TalentPolicy:
        policy = find_policy(self.filter_queryset(self.get_queryset()), self.kwargs[self.lookup_field])
        if policy is None:
            raise Http404
        self.check_object_permissions(self.request, policy)
        return policy

    @extend_schema(
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description=_("The policy's code (e.g. FC01) or its id.")),
            WaitingListQuerySerializer,
        ],
        responses={200: WaitingListSerializer,
                   400: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[400])},
        filters=False,
        examples=[OpenApiExample("Two applications wait for one grant; the caller's is second", response_only=True,
                                 value=WAITING_LIST_EXAMPLE)],
    )
    @action(detail=True, methods=["get"], url_path="waiting-list", filterset_class=None,
            permission_classes=[permissions.IsAuthenticated])
    def waiting_list(self, request, code=None):
        """The applications waiting for the policy's quota or budget, in the order received (signed-in callers).

        `count` is the length of the whole list; `entries` are the caller's enterprises' own (every
        entry for an official of the policy's departments), each with its position in the whole list.
        """
        policy = self.get_object()
        query = WaitingListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        line = waiting_list(policy, self.year)
        entries = self._visible(line, request.user)
        if (enterprise := query.validated_data.get("enterprise")) is not None:
            entries = [entry for entry in entries if entry.application.enterprise_id == enterprise]
        data = WaitingListSerializer(line).data
        data["entries"] = WaitingEntrySerializer(entries, many=True).data
        return Response(data)

    @staticmethod
    def _visible(line: WaitingList, user: Any) -> list[WaitingEntry]:
        """Another enterprise's entries are never shown to a clerk: only the list's length tells of them."""
        service = line.policy.service
        departments = {service.lead_department_id, *service.departments.values_list("pk", flat=True)}
        if any(is_official_of(user, department) for department in departments):
            return line.entries
        return line.of_enterprises(Enterprise.objects.of_member(user).values_list("pk", flat=True))


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("The talent of the caller's enterprises", response_only=True,
                                                value=TALENT_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("A profile", response_only=True, value=TALENT_EXAMPLE)]),
    create=extend_schema(examples=TALENT_EXAMPLES),
    update=extend_schema(examples=[
        OpenApiExample("The whole profile (the ID number may be left out)", request_only=True,
                       value={key: value for key, value in TALENT_REQUEST_EXAMPLE.items() if key != "id_number"}),
        TALENT_EXAMPLES[1],
    ]),
    partial_update=extend_schema(examples=[
        OpenApiExample("Only what changes", request_only=True, value={"education": "doctorate", "tier": "B"}),
        OpenApiExample("The profile changed", response_only=True, value={**TALENT_EXAMPLE, "tier": "B"}),
    ]),
)
class TalentViewSet(
    IdempotentMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The talent of the caller's enterprises: add, change, see every policy's verdict, apply."""

    serializer_class = TalentSerializer
    filterset_class = TalentFilterSet

    def get_queryset(self) -> QuerySet[Talent]:
        return Talent.objects.of_member(self.request.user).select_related("enterprise").order_by("name", "id")

    @extend_schema(request=None, responses={200: VerdictSerializer(many=True)}, filters=False, examples=[
        OpenApiExample("One verdict per open policy", response_only=True, value={
            "policy": "FC02", "title": "博士后科研资助", "eligible": False,
            "reasons": ["Requires a doctorate; the talent's highest education is a master's degree."],
        }),
    ])
    @action(detail=True, methods=["get"], filterset_class=None)
    def verdicts(self, request, pk=None):
        """Every open policy with the talent's verdict and, if not eligible, every reason."""
        talent = self.get_object()
        policies = TalentPolicy.objects.filter(service__is_active=True).select_related("service")
        verdicts = []
        for policy in policies.order_by("service__code"):
            verdict = evaluate(policy, talent)
            verdicts.append({"policy": policy.code, "title": str(policy.service),
                             "eligible": verdict.eligible, "reasons": verdict.reasons})
        return Response(VerdictSerializer(verdicts, many=True).data)

    @extend_schema(request=ApplySerializer, responses={201: ApplicationSerializer}, examples=[
        OpenApiExample("By the policy's code", request_only=True, value={"policy": "FC01"}),
        OpenApiExample("The draft application", response_only=True, status_codes=["201"], value={
            **DRAFT_EXAMPLE, "service": "FC01", "service_name": "青年人才安居补贴", "form": {"talent": 12},
        }),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def apply(self, request, pk=None):
        """A draft application for the policy; submit it with POST /applications/{id}/submit/."""
        talent = self.get_object()
        payload = ApplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        policy = find_policy(TalentPolicy.objects.select_related("service"), payload.validated_data["policy"])
        if policy is None:
            raise ValidationError({"policy": _("No talent policy has the code or id “%(value)s”.")
                                   % {"value": payload.validated_data["policy"]}})
        application = apply_for_policy(request.user, talent, policy)
        fresh = with_details(Application.objects.all()).get(pk=application.pk)
        return Response(ApplicationSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
