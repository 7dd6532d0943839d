"""Filters of the API's lists of applications (/applications/, /intake/) and tasks (/tasks/)."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from services.catalogue.models import ApprovalMode
from services.models import Application, State, Task


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole-number id (NumberFilter alone takes decimals)."""

    field_class = forms.IntegerField


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(field_name="state", choices=State.choices, label=_("status"))
    mode = django_filters.ChoiceFilter(field_name="service__approval_mode", choices=ApprovalMode.choices,
                                       label=_("approval mode"))
    service = django_filters.CharFilter(field_name="service__code", lookup_expr="iexact", label=_("service item code"))
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="iexact", label=_("reference"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise id"))
    created = django_filters.DateFromToRangeFilter(field_name="created_at", label=_("created between"))
    decided = django_filters.DateFromToRangeFilter(field_name="decided_on", label=_("decided between"))
    due = django_filters.DateFromToRangeFilter(field_name="decision_due", label=_("decision due between"))

    class Meta:
        model = Application
        fields = ["status", "mode", "service", "reference", "enterprise", "created", "decided", "due"]


ANY_STATUS = "any"
HELD_BY_ME, HELD_BY_NOBODY = "me", "nobody"


class TaskFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=[*Task.Status.choices, (ANY_STATUS, _("Any status"))],
        label=_("task status (default: open, the queue)"),
    )
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Task.Kind.choices,
                                       label=_("task kind: acceptance (受理) or review (审查)"))
    department = django_filters.CharFilter(field_name="department__code", lookup_expr="iexact",
                                           label=_("department code"))
    reference = django_filters.CharFilter(field_name="application__reference", lookup_expr="iexact",
                                          label=_("reference"))
    service = django_filters.CharFilter(field_name="application__service__code", lookup_expr="iexact",
                                        label=_("service item code"))
    mode = django_filters.ChoiceFilter(field_name="application__service__approval_mode",
                                       choices=ApprovalMode.choices, label=_("approval mode"))
    created = django_filters.DateFromToRangeFilter(field_name="application__created_at",
                                                   label=_("application created between"))
    due = django_filters.DateFromToRangeFilter(field_name="due_date", label=_("due between"))
    decided = django_filters.DateFromToRangeFilter(field_name="decided_at", label=_("decided between"))
    claimed_by = django_filters.CharFilter(
        method="filter_claimed_by", label=_("held by: me, nobody, or a colleague's username"))

    class Meta:
        model = Task
        fields = ["status", "kind", "department", "reference", "service", "mode", "created", "due", "decided",
                  "claimed_by"]

    def __init__(self, data=None, *args, **kwargs) -> None:
        # Without a status the list is the official's queue: the open tasks.
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = Task.Status.OPEN
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset if value == ANY_STATUS else queryset.filter(status=value)

    def filter_claimed_by(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value == HELD_BY_ME:
            return queryset.filter(claimed_by=self.request.user) if self.request else queryset.none()
        if value == HELD_BY_NOBODY:
            return queryset.filter(claimed_by__isnull=True)
        return queryset.filter(claimed_by__username__iexact=value)
