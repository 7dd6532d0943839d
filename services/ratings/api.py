"""REST resources of 好差评: an application's rating (/api/v1/applications/{id}/rating/) and the
departments' rectifications (/api/v1/rectifications/).

As everywhere in the API: serializers, filters and viewsets stay thin, every rule is in
`workflow.py` and `rules.py`, and the querysets are the caller's by the selectors, so another
enterprise's application or another department's rectification is a 404 before the domain is
reached. The list is cursor-paginated; every POST honours `Idempotency-Key`.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination
from services.models import Application
from services.ratings import api_examples as examples
from services.ratings import workflow
from services.ratings.models import Rectification
from services.ratings.rules import may_rate
from services.ratings.selectors import overdue_on, rectifications_of, with_ratings
from services.ratings.serializers import (
    CloseSerializer,
    RateSerializer,
    RatingStatusSerializer,
    RectificationSerializer,
)


class RatingActions:
    """The `rating/` action of the applications' viewset (its queryset is the caller's applications)."""

    def _rating_status(self, application: Application, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = with_ratings(Application.objects.filter(pk=application.pk)).get()
        ratings = sorted(fresh.ratings.all(), key=lambda rating: rating.round)
        data = RatingStatusSerializer({"may_rate": may_rate(self.request.user, fresh), "ratings": ratings}).data
        return Response(data, status=status_code)

    @extend_schema(methods=["GET"], request=None, responses={200: RatingStatusSerializer}, examples=[
        OpenApiExample("Decided, not rated yet", response_only=True, value=examples.NOT_RATED),
        OpenApiExample("Rated 2: the department is rectifying", response_only=True, value=examples.RATED_BADLY),
        OpenApiExample("Rectified: one more rating is taken", response_only=True, value=examples.RECTIFIED),
    ])
    @extend_schema(methods=["POST"], request=RateSerializer, responses={201: RatingStatusSerializer}, examples=[
        OpenApiExample("Very satisfied", request_only=True, value={"score": 5}),
        OpenApiExample("Dissatisfied, with a comment", request_only=True,
                       value={"score": 2, "comment": "材料要求前后说法不一，跑了两趟。"}),
        OpenApiExample("Rated well", response_only=True, status_codes=["201"], value=examples.RATED_WELL),
        OpenApiExample("Rated badly: a rectification is open", response_only=True, status_codes=["201"],
                       value=examples.RATED_BADLY),
        OpenApiExample("Rated again after the rectification: final", response_only=True, status_codes=["201"],
                       value=examples.RATED_AGAIN),
    ])
    @action(detail=True, methods=["get", "post"], url_path="rating", filterset_class=None)
    def rating(self, request, pk=None):
        """The application's 好差评. GET: its ratings and whether one is taken now. POST `{score, comment}`:
        rate it 1–5 (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意), a member of the applying
        enterprise, once its decision is made (approved, completed, rejected or not accepted).

        Once only: a second rating answers 409, unless the first (a 1 or 2) opened a rectification that
        the department has since closed; that second rating is final. A 1 or 2 opens a rectification
        for the department that decided, due in 15 working days.
        """
        application = self.get_object()
        if request.method == "GET":
            return self._rating_status(application)
        payload = RateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.rate_application(request.user, application.pk, payload.validated_data["score"],
                                  payload.validated_data["comment"])
        return self._rating_status(application, status.HTTP_201_CREATED)


class RectificationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(field_name="status", choices=Rectification.Status.choices,
                                         label=_("status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("open past its due date"))
    department = django_filters.CharFilter(field_name="department__code", lookup_expr="iexact",
                                           label=_("department code"))
    reference = django_filters.CharFilter(field_name="application__reference", lookup_expr="iexact",
                                          label=_("reference"))
    due = django_filters.DateFromToRangeFilter(field_name="due_date", label=_("due between"))
    opened = django_filters.DateFromToRangeFilter(field_name="opened_on", label=_("opened between"))

    class Meta:
        model = Rectification
        fields = ["status", "overdue", "department", "reference", "due", "opened"]

    def filter_overdue(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        late = overdue_on(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


@extend_schema_view(
    list=extend_schema(examples=[
        OpenApiExample("The department's rectifications, soonest due first", response_only=True,
                       value=examples.RECTIFICATION),
    ]),
    retrieve=extend_schema(examples=[
        OpenApiExample("An open rectification", response_only=True, value=examples.RECTIFICATION),
        OpenApiExample("A closed one, with its outcome", response_only=True, value=examples.CLOSED),
    ]),
)
class RectificationViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """The rectifications (整改) of an official's departments, opened by ratings of 1 or 2; soonest due first
    (`?status=open` for the ones to do, `?overdue=true` for the late ones). Others see an empty list.
    """

    serializer_class = RectificationSerializer
    filterset_class = RectificationFilterSet
    pagination_class = CursorPagination
    ordering = "due_date"
    ordering_fields = {"due_date": "due_date", "opened_on": "opened_on", "closed_at": "closed_at",
                       "reference": "application__reference"}

    def get_queryset(self):
        return rectifications_of(self.request.user).select_related(
            "application", "application__service", "application__enterprise", "department", "rating", "closed_by",
        ).order_by("due_date", "id")

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(request=CloseSerializer, responses={200: RectificationSerializer}, examples=[
        OpenApiExample("The outcome", request_only=True,
                       value={"outcome": "经核查，窗口告知不清；已修订办事指南并对窗口人员培训。"}),
        OpenApiExample("Closed: the applicant reads the outcome and may rate again", response_only=True,
                       value=examples.CLOSED),
    ])
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        """Close the rectification with its outcome: the applicant is told it, reads it on the application, and
        may rate the application once more. A closed one answers 409.
        """
        rectification = self.get_object()
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.close_rectification(request.user, rectification.pk, payload.validated_data["outcome"])
        fresh = self.get_queryset().get(pk=rectification.pk)
        return Response(RectificationSerializer(fresh, context=self.get_serializer_context()).data)
