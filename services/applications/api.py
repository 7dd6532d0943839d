"""REST resources of the applicants: applications (/api/v1/applications/).

The DESIGN §5 names are fixed. Serializers (`serializers.py`), filters (`filters.py`) and viewsets
stay thin: every rule is in services/applications/workflow/. Querysets are the caller's by the
selectors (`selectors.py`), so another enterprise's application is a 404 before the domain is
reached. The department's side, the tasks and the intake, is in `api_review.py`; the schema's
examples of both in `api_examples.py`.

The lists of applications and events are cursor-paginated (portal/api/pagination.py); every POST
honours `Idempotency-Key` (portal/api/idempotency.py); submissions have their own throttle scope
(portal/api/throttling.py).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from enterprises.models import Enterprise
from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination
from portal.core.api.schema import ERROR_DESCRIPTIONS, ErrorSerializer
from portal.core.input_checks import CheckedJSONParser
from services.applications import workflow
from services.applications.api_examples import (
    APPLICATION_EXAMPLE,
    DETAIL_EXAMPLE,
    DOCUMENT_EXAMPLE,
    DRAFT_EXAMPLE,
    EVENT_EXAMPLE,
    FORM_ERROR_EXAMPLE,
    PENDING_DOCUMENTS_EXAMPLE,
    REUSABLE_EXAMPLE,
    REUSED_EXAMPLE,
    TO_SUPPLY_EXAMPLE,
    UPLOAD_EXAMPLE,
)
from services.applications.api_filing import FilingActions
from services.applications.filters import ApplicationFilterSet
from services.applications.notices.api import NoticeActions
from services.applications.selectors import applicant_timeline, applications_of, reusable_documents
from services.applications.serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationFormSerializer,
    ApplicationSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EventSerializer,
    ReusableDocumentSerializer,
    ReuseSerializer,
    SubmitSerializer,
    WithdrawSerializer,
    with_details,
)
from services.models import Document, ServiceItem
from services.ratings.api import RatingActions

FORM_ERRORS = format_lazy("{} {}", ERROR_DESCRIPTIONS[400], _(
    "An answer of the form at fault is named by its path under `form`: `form.<key>`, or "
    "`form.<table>[<row>].<column>` for a cell of a table (rows counted from 0)."))


@extend_schema_view(list=extend_schema(examples=[
    OpenApiExample("A page of applications", response_only=True, value=APPLICATION_EXAMPLE),
]))
class ApplicationViewSet(
    FilingActions,
    NoticeActions,
    IdempotentMixin,
    RatingActions,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Applications of the caller's enterprises: create a draft, attach, submit, follow, rate (好差评)."""

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
                Prefetch("documents", queryset=Document.objects.select_related("material", "reused_from")))
        return applications

    def get_serializer_class(self):
        # One application tells what the caller may do with it; the lists stay lean.
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def _fresh(self, pk: int) -> Response:
        return Response(ApplicationSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=ApplicationCreateSerializer, responses={
        201: ApplicationSerializer,
        400: OpenApiResponse(ErrorSerializer, description=FORM_ERRORS, examples=[FORM_ERROR_EXAMPLE]),
    }, examples=[
        OpenApiExample("A draft", request_only=True, value={
            "service": "FT-SC-0001", "enterprise": 3,
            "form": {"floor_area": 120, "business_items": ["hot_food"],
                     "staff": [{"name": "张三", "health_certificate": "JK2026-0001"}]}}),
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

    @extend_schema(request=ApplicationFormSerializer, responses={
        200: ApplicationSerializer,
        400: OpenApiResponse(ErrorSerializer, description=FORM_ERRORS, examples=[FORM_ERROR_EXAMPLE]),
    }, examples=[
        OpenApiExample("The answers so far", request_only=True,
                       value={"form": {"floor_area": 120, "business_items": ["hot_food", "cold_food"]}}),
        OpenApiExample("The draft with its answers", response_only=True, status_codes=["200"], value={
            **DRAFT_EXAMPLE, "service": "FT-SC-0001", "service_name": "食品经营许可",
            "form": {"floor_area": 120, "business_items": ["hot_food", "cold_food"]}}),
    ])
    def partial_update(self, request, *args, **kwargs):
        """Change the form of a draft or of an application under correction: the answers given replace the stored ones."""
        application = self.get_object()
        payload = ApplicationFormSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.save_form(request.user, application.pk, payload.validated_data["form"])
        return self._fresh(application.pk)

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

    @extend_schema(request=None, responses={200: ReusableDocumentSerializer(many=True)}, filters=False, examples=[
        OpenApiExample("One material supplied before", response_only=True, value=REUSABLE_EXAMPLE),
    ])
    @action(detail=True, methods=["get"], url_path="documents/reusable", filterset_class=None, pagination_class=None)
    def reusable(self, request, pk=None):
        """The materials the enterprise supplied in earlier applications the department took in, which this
        application may reuse (免提交); empty unless materials can be attached now."""
        application = self.get_object()
        allowed = workflow.allowed_actions(request.user, application)
        documents = reusable_documents(request.user, application) if "attach" in allowed else Document.objects.none()
        return Response(ReusableDocumentSerializer(documents, many=True).data)

    @extend_schema(request=ReuseSerializer, responses={201: DocumentSerializer}, examples=[
        OpenApiExample("The earlier document, for the same material", request_only=True, value={"document": 41}),
        OpenApiExample("Reused", response_only=True, status_codes=["201"], value=REUSED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], url_path="documents/reuse")
    def reuse(self, request, pk=None):
        """Attach a material supplied in an earlier application of the same enterprise instead of uploading it
        again (免提交): the stored file is shared, not copied. Another enterprise's document is a 400."""
        application = self.get_object()
        payload = ReuseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = workflow.reuse_document(request.user, application.pk, payload.validated_data["document"],
                                           payload.validated_data["material"] or None)
        document = Document.objects.select_related("material", "reused_from").get(pk=document.pk)
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
        """The timeline, oldest first; `label` says each event in the request's language."""
        application = self.get_object()
        page = self.paginate_queryset(applicant_timeline(application))
        return self.get_paginated_response(EventSerializer(page, many=True).data)
