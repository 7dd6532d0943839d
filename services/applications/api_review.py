"""REST resources of the departments: officials' tasks (/api/v1/tasks/) and intake (/api/v1/intake/).

As in `api.py`: serializers, filters and viewsets stay thin, every rule is in
services/applications/workflow/, and the querysets are the caller's by the selectors, so another
department's task or application is a 404 before the domain is reached. The lists are
cursor-paginated; every POST honours `Idempotency-Key`.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination
from services.applications import workflow
from services.applications.api import ApplicationViewSet
from services.applications.api_examples import (
    ACCEPTED_EXAMPLE,
    APPLICATION_EXAMPLE,
    CHECKED_EXAMPLE,
    CLAIMED_TASK_EXAMPLE,
    IN_REVIEW_EXAMPLE,
    QUEUE_ACCEPTANCE_EXAMPLE,
    QUEUE_TASK_EXAMPLE,
    SUSPENDED_EXAMPLE,
)
from services.applications.filters import ApplicationFilterSet, TaskFilterSet
from services.applications.selectors import intake_of, tasks_of
from services.applications.serializers import (
    ApplicationSerializer,
    CheckDeferredSerializer,
    CorrectionItemsSerializer,
    DecideSerializer,
    QueueTaskSerializer,
    ReasonSerializer,
    ReassignSerializer,
    with_details,
)
from services.models import Application


@extend_schema_view(list=extend_schema(examples=[
    OpenApiExample("A review step in the queue", response_only=True, value=QUEUE_TASK_EXAMPLE),
    OpenApiExample("A new submission to accept in the queue", response_only=True,
                   value=QUEUE_ACCEPTANCE_EXAMPLE),
]))
class TaskViewSet(IdempotentMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """An official's queue: the open tasks of their departments (`?status=` for others, `?kind=` by kind,
    `?claimed_by=me` for the ones they hold, `?claimed_by=nobody` for the ones still to claim).

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
            "application", "application__service", "application__enterprise", "department", "claimed_by"
        ).order_by("due_date", "id")

    def _fresh(self, pk: int) -> Response:
        return Response(QueueTaskSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: QueueTaskSerializer}, examples=[
        OpenApiExample("Claimed: the colleagues see who has it", response_only=True, value=CLAIMED_TASK_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def claim(self, request, pk=None):
        """Take an open task of one's department (认领); from then on only its holder decides it.

        A task a colleague holds answers 409, naming them: they, or any official of the department,
        hand it over (`reassign/`).
        """
        task = self.get_object()
        workflow.claim_task(request.user, task.pk)
        return self._fresh(task.pk)

    @extend_schema(request=ReassignSerializer, responses={200: QueueTaskSerializer}, examples=[
        OpenApiExample("To a colleague of the department", request_only=True, value={"to": 18}),
        OpenApiExample("Handed over", response_only=True, value=CLAIMED_TASK_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def reassign(self, request, pk=None):
        """Hand an open task to an active official of its department (转办), held or not; they are told."""
        task = self.get_object()
        payload = ReassignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.reassign_task(request.user, task.pk, payload.validated_data["to"])
        return self._fresh(task.pk)

    @extend_schema(request=None, responses={200: QueueTaskSerializer}, examples=[
        OpenApiExample("Back in the department's queue", response_only=True, value=QUEUE_TASK_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def release(self, request, pk=None):
        """Put a held task back in the department's queue, for anyone of it to claim."""
        task = self.get_object()
        workflow.release_task(request.user, task.pk)
        return self._fresh(task.pk)

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
    confirms a deferred material once supplied (容缺补交); refuses, asks for
    corrections, extends, suspends and revokes, each with the reason the applicant reads. Only
    the officials of the item's lead department (and superusers) see an application here;
    drafts never show.
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

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The reason", request_only=True, value={"reason": "现场核查发现经营场所与申报不符，暂停许可。"}),
        OpenApiExample("Suspended", response_only=True, value=SUSPENDED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def suspend(self, request, pk=None):
        """Suspend (中止) a conditional approval or a review, with the reason the applicant reads.

        The grace period starts: a deferred material still missing at its end revokes the approval.
        """
        return self._act(request, ReasonSerializer,
                         lambda pk, reason: workflow.suspend(pk, reason, actor=request.user))

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The reason", request_only=True, value={"reason": "经复查，经营场所已整改到位。"}),
        OpenApiExample("Back where the suspension found it", response_only=True, value=CHECKED_EXAMPLE),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def resume(self, request, pk=None):
        """Lift a suspension (恢复), with the reason the applicant reads: the application is back where
        the suspension found it. Refused (409) while a deferred material past its due date is missing.
        """
        return self._act(request, ReasonSerializer,
                         lambda pk, reason: workflow.resume(request.user, pk, reason))

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer}, examples=[
        OpenApiExample("The reason", request_only=True, value={"reason": "以欺骗手段取得许可，依法撤销。"}),
        OpenApiExample("Revoked", response_only=True, value={**CHECKED_EXAMPLE, "status": "revoked"}),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def revoke(self, request, pk=None):
        """Revoke an approval or a suspended application, with the reason the applicant reads.

        The enterprise goes on the credit list for the item's period; a talent grant's quota and
        budget are given back to the policy.
        """
        return self._act(request, ReasonSerializer,
                         lambda pk, reason: workflow.revoke(pk, reason, actor=request.user))
