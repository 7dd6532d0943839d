"""REST resource of the service manager's workbench: /api/v1/managed-enterprises/.

The queryset is the caller's portfolio (`access.of_manager`): an enterprise they do not look
after is a 404, and anyone who is not an official gets an empty list. Notes (`notes/`) are the
managers' own; the thread (`messages/`) tells the enterprise's people of each message.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enterprises.managers import thread
from enterprises.managers.models import ManagerNote, ThreadMessage
from enterprises.managers.portfolio import portfolio_of, summaries_of, workbench_of
from enterprises.models import Enterprise, Industry, Street
from enterprises.obligations.calendar import kind_label, obligations_of
from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination

SUMMARY_EXAMPLE = {
    "id": 3, "name": "北京示例科技有限公司", "uscc": "91110106MA01FTCC3R", "status": "verified", "street": "huaxiang",
    "industry": "I", "tech_tier": "high_tech", "service_manager": "zhang.wei",
    "counts": {"open_applications": 2, "warnings": 1, "matches": 1, "ratings": 1, "warnings_total": 1},
}

WORKBENCH_EXAMPLE = {
    **SUMMARY_EXAMPLE,
    "sections": [
        {"code": "open_applications", "label": "在办事项", "count": 1, "items": [
            {"title": "FT-2026-000123 · 人才住房补贴", "detail": "审查中", "link": "", "on": "2026-12-10", "level": ""}]},
        {"code": "warnings", "label": "预警", "count": 1, "items": [
            {"title": "FT-2026-000123 · 人才住房补贴", "detail": "自 2026-12-10 起逾期", "link": "",
             "on": "2026-12-10", "level": "warning"}]},
    ],
    "obligations": [{"uid": "deferred-41", "on": "2026-12-18", "kind": "deferred_material", "kind_label": "容缺材料到期",
                     "title": "租赁合同", "detail": "请按时补交，否则审批将被中止。", "reference": "FT-2026-000118"}],
}
NOTE_EXAMPLE = {"id": 7, "author": "zhang.wei", "text": "法人更换中，下次办件注意核对材料。",
                "created_at": "2026-12-01T10:00:00+08:00"}
MESSAGE_EXAMPLE = {"id": 12, "side": "manager", "author": "zhang.wei", "text": "补贴预计本月底前拨付。",
                   "created_at": "2026-12-01T10:05:00+08:00"}


class ItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    detail = serializers.CharField()
    link = serializers.CharField()
    on = serializers.DateField(allow_null=True)
    level = serializers.CharField(help_text=_("“warning” for what needs the manager's attention."))


class SectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    items = ItemSerializer(many=True)


class ObligationSerializer(serializers.Serializer):
    uid = serializers.CharField()
    on = serializers.DateField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    title = serializers.CharField()
    detail = serializers.CharField()
    reference = serializers.CharField()

    def get_kind_label(self, obligation) -> str:
        return str(kind_label(obligation.kind))


class ManagedEnterpriseSerializer(serializers.ModelSerializer):
    service_manager = serializers.SlugRelatedField(slug_field="username", read_only=True)
    counts = serializers.SerializerMethodField(help_text=_("Items per section of the workbench, and "
                                                           "`warnings_total`: those needing attention."))

    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc", "status", "street", "industry", "tech_tier", "service_manager", "counts"]
        read_only_fields = fields

    def get_counts(self, enterprise: Enterprise) -> dict[str, int]:
        return self.context.get("summaries", {}).get(enterprise.pk, {})


class WorkbenchSerializer(ManagedEnterpriseSerializer):
    sections = serializers.SerializerMethodField()
    obligations = serializers.SerializerMethodField()

    class Meta(ManagedEnterpriseSerializer.Meta):
        fields = [*ManagedEnterpriseSerializer.Meta.fields, "sections", "obligations"]
        read_only_fields = fields

    @extend_schema(responses=SectionSerializer(many=True))
    def get_sections(self, enterprise: Enterprise) -> list:
        return SectionSerializer(workbench_of([enterprise.pk])[enterprise.pk], many=True).data

    @extend_schema(responses=ObligationSerializer(many=True))
    def get_obligations(self, enterprise: Enterprise) -> list:
        return ObligationSerializer(obligations_of(enterprise), many=True).data


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ManagerNote
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ThreadMessage
        fields = ["id", "side", "author", "text", "created_at"]
        read_only_fields = ["id", "side", "author", "created_at"]


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, trim_whitespace=True)


class ManagedEnterpriseFilterSet(django_filters.FilterSet):
    street = django_filters.ChoiceFilter(choices=Street.choices, label=_("street or town"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("industry (GB/T 4754)"))
    status = django_filters.ChoiceFilter(choices=Enterprise.Status.choices, label=_("status"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    uscc = django_filters.CharFilter(lookup_expr="iexact", label=_("unified social credit code"))

    class Meta:
        model = Enterprise
        fields = ["street", "industry", "status", "name", "uscc"]


class ManagedEnterpriseViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """The enterprises the caller looks after as their service manager (服务管家), by name, with each
    one's count of open applications, warnings, policy matches, confirmations waiting and ratings; one
    enterprise's workbench in full (its sections and its obligations calendar); notes and the thread.
    """

    filterset_class = ManagedEnterpriseFilterSet
    pagination_class = CursorPagination
    ordering = "name"
    ordering_fields = {"name": "name", "uscc": "uscc"}

    def get_queryset(self):
        return portfolio_of(self.request.user)

    def get_serializer_class(self):
        return WorkbenchSerializer if self.action == "retrieve" else ManagedEnterpriseSerializer

    @extend_schema(examples=[OpenApiExample("A manager's portfolio", response_only=True, value=SUMMARY_EXAMPLE)])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        summaries = summaries_of([enterprise.pk for enterprise in page])
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(),
                                                                   "summaries": summaries})
        return self.get_paginated_response(serializer.data)

    @extend_schema(examples=[OpenApiExample("One enterprise's workbench", response_only=True, value=WORKBENCH_EXAMPLE)])
    def retrieve(self, request, *args, **kwargs):
        enterprise = self.get_object()
        context = {**self.get_serializer_context(), "summaries": summaries_of([enterprise.pk])}
        return Response(WorkbenchSerializer(enterprise, context=context).data)

    @extend_schema(methods=["GET"], request=None, responses={200: NoteSerializer(many=True)}, examples=[
        OpenApiExample("The managers' notes", response_only=True, value=[NOTE_EXAMPLE])])
    @extend_schema(methods=["POST"], request=TextSerializer, responses={201: NoteSerializer}, examples=[
        OpenApiExample("A note", request_only=True, value={"text": NOTE_EXAMPLE["text"]}),
        OpenApiExample("Saved", response_only=True, status_codes=["201"], value=NOTE_EXAMPLE)])
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def notes(self, request, pk=None):
        """The managers' private notes about the enterprise, newest first; POST `{text}` adds one."""
        enterprise = self.get_object()
        if request.method == "GET":
            return Response(NoteSerializer(thread.notes_of(request.user, enterprise), many=True).data)
        payload = TextSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = thread.add_note(request.user, enterprise, payload.validated_data["text"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: MessageSerializer(many=True)}, examples=[
        OpenApiExample("The thread", response_only=True, value=[MESSAGE_EXAMPLE])])
    @extend_schema(methods=["POST"], request=TextSerializer, responses={201: MessageSerializer}, examples=[
        OpenApiExample("An answer to the enterprise", request_only=True, value={"text": MESSAGE_EXAMPLE["text"]}),
        OpenApiExample("Sent: the enterprise's people are told", response_only=True, status_codes=["201"],
                       value=MESSAGE_EXAMPLE)])
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def messages(self, request, pk=None):
        """The thread with the enterprise, oldest first; POST `{text}` writes to it (its people are told)."""
        enterprise = self.get_object()
        if request.method == "GET":
            return Response(MessageSerializer(thread.thread_of(enterprise), many=True).data)
        payload = TextSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = thread.post_message(request.user, enterprise, payload.validated_data["text"])
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
