"""REST resources: applications (/api/v1/applications/) and officials' tasks (/api/v1/tasks/).

The DESIGN §5 names are fixed. Serializers (`serializers.py`), filters (`filters.py`) and viewsets
stay thin: every rule is in services/applications/workflow/. Querysets are the caller's by the
selectors (`selectors.py`), so another enterprise's application (or another department's task)
is a 404 before the domain is reached.

The lists of applications, tasks and events are cursor-paginated (portal/api/pagination.py);
every POST honours `Idempotency-Key` (portal/api/idempotency.py); submissions have their own
throttle scope (portal/api/throttling.py).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from enterprises.models import Enterprise
from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination
from portal.core.audit import events_of
from portal.core.input_checks import CheckedJSONParser
from services.applications import workflow
from services.applications.api_examples import (
    ACCEPTED_EXAMPLE,
    APPLICATION_EXAMPLE,
    CHECKED_EXAMPLE,
    DETAIL_EXAMPLE,
    DOCUMENT_EXAMPLE,
    DRAFT_EXAMPLE,
    EVENT_EXAMPLE,
    IN_REVIEW_EXAMPLE,
    PENDING_DOCUMENTS_EXAMPLE,
    QUEUE_ACCEPTANCE_EXAMPLE,
    QUEUE_TASK_EXAMPLE,
    TO_SUPPLY_EXAMPLE,
    UPLOAD_EXAMPLE,
)
from services.applications.filters import ApplicationFilterSet, TaskFilterSet
from services.applications.selectors import applications_of, intake_of, tasks_of
from services.applications.serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    CheckDeferredSerializer,
    CorrectionItemsSerializer,
    DecideSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EventSerializer,
    QueueTaskSerializer,
    ReasonSerializer,
    SubmitSerializer,
    WithdrawSerializer,
    with_details,
)
from services.models import Application, Document, ServiceItem

# --- viewsets ----------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(examples=[
    OpenApiExample("A page of applications", response_only=True, value=APPLICATION_EXAMPLE),
]))
class ApplicationViewSet(
    IdempotentMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Applications of the caller's enterprises: create a draft, attach, submit, follow."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    parser_classes = [CheckedJSONParser, MultiPartParser, FormParser]
    pagination_class = CursorPagination
    ordering = "-created_at"
    ordering_fields = {
        "created_at": "created_at", "received_on": "received_on", "decision_due": "decision_due",
        "decided_on": "decided_on", "reference": "reference",
    }
    throttle_scope: str | None = None

    def get_queryset(self):
        applications = with_details(applications_of(self.request.user)).order_by("-created_at", "-id")
        if self.action == "retrieve":
            applications = applications.prefetch_related(
                Prefetch("documents", queryset=Document.objects.select_related("material")))
        return applications

    def get_serializer_class(self):
        # One application tells what the caller may do with it; the lists stay lean.
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def _fresh(self, pk: int) -> Response:
        return Response(ApplicationSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer}, examples=[
        OpenApiExample("A draft", request_only=True,
                       value={"service": "ZJW-001", "enterprise": 3, "form": {"area": 120}}),
        OpenApiExample("The draft created", response_only=True, status_codes=["201"], value=DRAFT_EXAMPLE),
    ])
    def create(self, request, *args, **kwargs):
        payload = ApplicationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        service = ServiceItem.objects.filter(code=data["service"]).first()
        if service is None:
            raise ValidationError({"service": _("No service item has the code “%(code)s”.") % {"code": data["service"]}})
        # Never reveal that another enterprise exists: a stranger's id reads as "not found".
        enterprise = Enterprise.objects.of_member(request.user).filter(pk=data["enterprise"]).first()
        if enterprise is None:
            raise ValidationError({"enterprise": _("Enterprise not found among yours.")})
        application = workflow.create_application(request.user, enterprise, service, data.get("form", {}))
        response = self._fresh(application.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer}, examples=[
        UPLOAD_EXAMPLE,
        OpenApiExample("The document attached", response_only=True, status_codes=["201"], value=DOCUMENT_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Attach a file for one material (draft or under correction)."""
        application = self.get_object()
        payload = DocumentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = workflow.attach_document(
            request.user, application.pk, payload.validated_data["material"], payload.validated_data["file"]
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmitSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("Standard or parallel mode: every material attached", request_only=True, value={}),
        OpenApiExample("Deferred mode (容缺受理): one material later, with the commitment", request_only=True,
                       value={"deferred_materials": ["lease"], "commitment_accepted": True}),
        OpenApiExample("Commitment mode (告知承诺制): approved on the spot", request_only=True,
                       value={"commitment_accepted": True}),
        OpenApiExample("Submitted", response_only=True, value=APPLICATION_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], throttle_scope="submissions")
    def submit(self, request, pk=None):
        """Submit a draft; in the commitment mode it is approved on the spot."""
        application = self.get_object()
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.submit(
            request.user, application.pk,
            deferred_materials=payload.validated_data["deferred_materials"],
            commitment_accepted=payload.validated_data["commitment_accepted"],
        )
        return self._fresh(application.pk)

    @extend_schema(request=None, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("Submitted again: the acceptance clock restarts", response_only=True,
                       value={**APPLICATION_EXAMPLE, "received_on": "2026-12-07", "acceptance_due": "2026-12-14",
                              "due_date": "2026-12-14"}),
    ])
    @action(detail=True, methods=["post"], throttle_scope="submissions")
    def resubmit(self, request, pk=None):
        """Submit again after the requested corrections."""
        application = self.get_object()
        workflow.resubmit(request.user, application.pk)
        return self._fresh(application.pk)

    @extend_schema(request=WithdrawSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("With a reason", request_only=True, value={"reason": "项目选址调整，暂不申请。"}),
        OpenApiExample("Withdrawn", response_only=True, value={**APPLICATION_EXAMPLE, "status": "withdrawn"}),
    ])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the application before a decision."""
        application = self.get_object()
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.withdraw(request.user, application.pk, payload.validated_data["reason"])
        return self._fresh(application.pk)

    @extend_schema(request=DocumentUploadSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The deferred material's file (multipart)", request_only=True,
                       media_type="multipart/form-data",
                       value={"material": "security-assessment", "file": "数据安全评估报告.pdf"}),
        OpenApiExample("Supplied, awaiting the official's check", response_only=True,
                       value=PENDING_DOCUMENTS_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def supply(self, request, pk=None):
        """Supply a deferred material (容缺补交)."""
        application = self.get_object()
        payload = DocumentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.supply_deferred(
            request.user, application.pk, payload.validated_data["material"], payload.validated_data["file"]
        )
        return self._fresh(application.pk)

    @extend_schema(examples=[
        OpenApiExample("An application", response_only=True, value=DETAIL_EXAMPLE),
        OpenApiExample("A deferred material to supply (容缺补交)", response_only=True, value=TO_SUPPLY_EXAMPLE),
    ])
    def retrieve(self, request, *args, **kwargs):
        """One application: status, dates, review tasks, deferred materials, and what the caller may do now."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: EventSerializer(many=True)}, filters=False, examples=[
        OpenApiExample("A page of the timeline", response_only=True, value=EVENT_EXAMPLE),
    ])
    @action(detail=True, methods=["get"], filterset_class=None, ordering="at", ordering_fields={})
    def events(self, request, pk=None):
        """The timeline, oldest first."""
        application = self.get_object()
        page = self.paginate_queryset(events_of(application))
        return self.get_paginated_response(EventSerializer(page, many=True).data)


@extend_schema_view(list=extend_schema(examples=[
    OpenApiExample("A review step in the queue", response_only=True, value=QUEUE_TASK_EXAMPLE),
    OpenApiExample("A new submission to accept in the queue", response_only=True,
                   value=QUEUE_ACCEPTANCE_EXAMPLE),
]))
class TaskViewSet(IdempotentMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """An official's queue: the open tasks of their departments (`?status=` for others, `?kind=` by kind).

    A submitted application is an `acceptance` task of its item's lead department (受理); once
    accepted, its steps are `review` tasks. Others see an empty list.
    """

    serializer_class = QueueTaskSerializer
    filterset_class = TaskFilterSet
    pagination_class = CursorPagination
    ordering = "due_date"
    ordering_fields = {
        "due_date": "due_date", "decided_at": "decided_at", "reference": "application__reference",
        "created_at": "application__created_at",
    }

    def get_queryset(self):
        # Any task of the official's departments: a decided one answers 409, a stranger's 404.
        return tasks_of(self.request.user).select_related(
            "application", "application__service", "application__enterprise", "department"
        ).order_by("due_date", "id")

    @extend_schema(request=DecideSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("Approve", request_only=True, value={"decision": "approve", "comment": "材料齐全"}),
        OpenApiExample("Return for correction", request_only=True,
                       value={"decision": "return", "comment": "请补充租赁合同的盖章页。"}),
        OpenApiExample("Reject", request_only=True, value={"decision": "reject", "comment": "不符合规划要求。"}),
        OpenApiExample("Acceptance returned, one item to correct a line (一次性告知)", request_only=True,
                       value={"decision": "return", "comment": "营业执照副本不清晰\n租赁合同缺少盖章页"}),
        OpenApiExample("Acceptance rejected (不予受理), with the reason", request_only=True,
                       value={"decision": "reject", "comment": "本事项不属于本部门职权范围。"}),
        OpenApiExample("The application after the decision", response_only=True, value=IN_REVIEW_EXAMPLE),
        OpenApiExample("Acceptance approved, the first review task open", response_only=True,
                       value=ACCEPTED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def decide(self, request, pk=None):
        """Decide one task: approve, reject or return (for correction).

        A review task: its step is approved, rejected, or returned with what to correct. An
        acceptance task: `approve` accepts (受理) and opens the review tasks; `return` asks for
        corrections, the comment listing the items, one a line; `reject` refuses to take the
        application in (不予受理), the comment being the reason. The comment is required for
        `return` and `reject`.
        """
        task = self.get_object()
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = workflow.decide(
            request.user, task.pk, payload.validated_data["decision"], payload.validated_data["comment"]
        )
        fresh = with_details(Application.objects.all()).get(pk=application.pk)
        return Response(ApplicationSerializer(fresh, context=self.get_serializer_context()).data)


@extend_schema_view(list=extend_schema(examples=[
    OpenApiExample("A page of submitted applications", response_only=True, value=APPLICATION_EXAMPLE),
]))
class IntakeViewSet(IdempotentMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The department's side before and after review: applications submitted to an official's departments.

    An official accepts a submitted application here (受理), which opens its review tasks in
    `/tasks/` and closes its acceptance task there (the same decision, taken from the queue), and
    confirms a deferred material once supplied (容缺补交). Only the officials of the
    item's lead department (and superusers) see an application here; drafts never show.
    """

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    pagination_class = CursorPagination
    ordering = "-created_at"
    ordering_fields = ApplicationViewSet.ordering_fields

    def get_queryset(self):
        return with_details(intake_of(self.request.user)).order_by("-created_at", "-id")

    def _fresh(self, pk: int) -> Response:
        return Response(ApplicationSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("Accepted: the first review task is open", response_only=True, value=ACCEPTED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        """Accept (受理) a submitted application: the decision clock starts and its review tasks open."""
        application = self.get_object()
        workflow.accept(request.user, application.pk)
        return self._fresh(application.pk)

    @extend_schema(request=CheckDeferredSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The supplied material", request_only=True, value={"material": "security-assessment"}),
        OpenApiExample("Every deferred material checked: approved", response_only=True, value=CHECKED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def check(self, request, pk=None):
        """Confirm a supplied deferred material; the last one turns a conditional approval into an approval."""
        application = self.get_object()
        payload = CheckDeferredSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        deferred = workflow.deferred_material(application, payload.validated_data["material"])
        workflow.check_deferred(request.user, deferred.pk)
        return self._fresh(application.pk)

    def _act(self, request, serializer_class, act) -> Response:
        application = self.get_object()
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        act(application.pk, **payload.validated_data)
        return self._fresh(application.pk)

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The reason", request_only=True, value={"reason": "本事项不属于本部门职权范围。"}),
        OpenApiExample("Not accepted", response_only=True, value={**APPLICATION_EXAMPLE, "status": "not_accepted"}),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def refuse(self, request, pk=None):
        """Refuse to take in (不予受理) a submitted application, with the reason the applicant reads."""
        return self._act(request, ReasonSerializer,
                         lambda pk, reason: workflow.refuse(request.user, pk, reason))

    @extend_schema(request=CorrectionItemsSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("Every item at once (一次性告知)", request_only=True,
                       value={"items": ["营业执照副本不清晰", "租赁合同缺少盖章页"]}),
        OpenApiExample("Waiting for the corrections", response_only=True,
                       value={**APPLICATION_EXAMPLE, "status": "correction_requested"}),
    ])
    @action(detail=True, methods=["post"], url_path="request-correction", filterset_class=None)
    def request_correction(self, request, pk=None):
        """Ask for corrections, every item at once; during review the clock stops until resubmission."""
        return self._act(request, CorrectionItemsSerializer,
                         lambda pk, items: workflow.request_correction(request.user, pk, items))

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The reason", request_only=True, value={"reason": "需组织专家论证。"}),
        OpenApiExample("Extended", response_only=True, value=ACCEPTED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def extend(self, request, pk=None):
        """Extend the statutory limit once by 10 working days, with the recorded reason."""
        return self._act(request, ReasonSerializer,
                         lambda pk, reason: workflow.extend(request.user, pk, reason))
