"""The officials' admin for applications, review tasks and post-checks.

Thin on purpose: every button posts to one view that calls the matching function of
`services/workflow/`; the rules (who may act, in which state) live there only. Visibility is
scoped on the queryset (`portal.core.access.department_ids`), so crafted URLs answer "not found".
"""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.access import department_ids, is_official_of
from portal.core.audit import events_of
from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.applications.models import REVIEW_STATES
from services.calendar.working_days import working_days_between
from services.models import Application, Department, PostCheck, State, Task
from talent.review import review_panel

SLA_COLOURS = {
    "": ("#2e7d32", _("on time")),
    "yellow": ("#b58900", _("yellow")),
    "red": ("#c62828", _("red")),
    "escalated": ("#6a1b9a", _("escalated")),
}

# The admin's action names and the workflow function each one calls.
ACTIONS = ("accept", "request_correction", "refuse", "decide", "extend", "check_deferred", "complete")


def sla_badge(level: str):
    colour, label = SLA_COLOURS.get(level or "", SLA_COLOURS[""])
    return format_html(
        '<span class="sla-badge sla-{}" style="background:{};color:#fff;padding:1px 6px;border-radius:8px;">{}</span>',
        level or "ok", colour, label,
    )


def visible_applications(user):
    """Applications an official may see: a task of one of their departments, or the lead department."""
    queryset = Application.objects.all()
    if user.is_superuser:
        return queryset
    ids = department_ids(user)
    return queryset.exclude(state=State.DRAFT).filter(
        Q(service__lead_department_id__in=ids)
        | Q(pk__in=Task.objects.filter(department_id__in=ids).values("application_id"))
    )


class DueFilter(admin.SimpleListFilter):
    """Overdue / due today / due within a week / later, on one date column."""

    title = _("due date")
    parameter_name = "due"
    field = "due_date"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("week", _("Due within 7 days")),
            ("later", _("Due later")),
            ("none", _("No due date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        week = today + datetime.timedelta(days=7)
        field = self.field
        return {
            "overdue": lambda: queryset.filter(**{f"{field}__lt": today}),
            "today": lambda: queryset.filter(**{field: today}),
            "week": lambda: queryset.filter(**{f"{field}__gt": today, f"{field}__lte": week}),
            "later": lambda: queryset.filter(**{f"{field}__gt": week}),
            "none": lambda: queryset.filter(**{f"{field}__isnull": True}),
        }.get(self.value(), lambda: queryset)()


class ApplicationDueFilter(DueFilter):
    field = "next_due"


class TaskSlaFilter(admin.SimpleListFilter):
    title = _("deadline warning")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [(key or "ok", label) for key, (_colour, label) in SLA_COLOURS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(application__sla_level="" if value == "ok" else value)


class TaskStatusFilter(admin.SimpleListFilter):
    """The queue shows open tasks unless the official asks for another status."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Task.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = self.value() == value or (self.value() is None and value == Task.Status.OPEN)
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Task.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


class ReadOnlyMixin:
    """Officials never edit rows directly; they act through the workflow's functions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":  # nothing here is edited by a form
            return HttpResponseNotAllowed(["GET"])
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(m) for messages_ in error.message_dict.values() for m in messages_]
    return [str(m) for m in error.messages]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference", "enterprise", "service", "mode", "state", "received_on", "acceptance_due",
        "decision_due_display", "sla",
    ]
    list_filter = [("service__approval_mode", admin.ChoicesFieldListFilter), "state", "sla_level", ApplicationDueFilter]
    search_fields = ["reference", "enterprise__name"]
    list_select_related = ["enterprise", "service"]
    # Oldest due first: the decision due once accepted, else the acceptance due.
    ordering = [Coalesce("decision_due", "acceptance_due").asc(nulls_last=True), "id"]
    change_form_template = "admin/services/application/change_form.html"
    change_list_template = "admin/services/application/change_list.html"
    fieldsets = [
        (None, {"fields": ["reference", "enterprise", "service", "applicant", "state", "sla_level", "created_at"]}),
        (_("Clocks"), {"fields": [
            "received_on", "acceptance_due", "accepted_on", "decision_due", "statutory_due",
            "dates_provisional", "extended", "extension_reason", "decided_on", "suspended_on",
        ]}),
    ]

    def get_queryset(self, request):
        return visible_applications(request.user).annotate(next_due=Coalesce("decision_due", "acceptance_due"))

    @admin.display(description=_("approval mode"), ordering="service__approval_mode")
    def mode(self, obj):
        return obj.service.get_approval_mode_display()

    @admin.display(description=_("decision due"), ordering="next_due")
    def decision_due_display(self, obj):
        if not obj.decision_due:
            return "—"
        if obj.dates_provisional:
            return format_html('{} <em class="provisional" title="{}">({})</em>', obj.decision_due,
                               _("Computed before the official holiday schedule was entered."), _("provisional"))
        return obj.decision_due

    @admin.display(description=_("deadline warning"), ordering="sla_level")
    def sla(self, obj):
        return sla_badge(obj.sla_level)

    # --- urls ---------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("overdue/", wrap(self.overdue_view), name="services_application_overdue"),
            path("<int:pk>/act/<str:action>/", wrap(self.act_view), name="services_application_act"),
            path("<int:pk>/documents/<int:document_id>/", wrap(self.document_view),
                 name="services_application_document"),
            *super().get_urls(),
        ]

    # --- the change page ----------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if application is not None:
            extra.update(self._detail_context(request, application))
        return super().change_view(request, object_id, form_url, extra)

    def _detail_context(self, request, application: Application) -> dict:
        user = request.user
        own = set(department_ids(user))
        can_act = self.has_change_permission(request, application)
        lead = can_act and is_official_of(user, application.service.lead_department)
        available = {t.name for t in application.get_available_state_transitions()}
        tasks = list(application.tasks.select_related("department", "decided_by").order_by("order", "id"))
        deferred = list(application.deferred.select_related("material", "checked_by"))
        decidable = [
            t for t in tasks
            if can_act and workflow.is_decidable(t, application) and (user.is_superuser or t.department_id in own)
        ]
        actions = {
            "accept": lead and "accept" in available,
            "request_correction": lead and "request_correction" in available,
            "refuse": lead and "refuse" in available,
            "extend": lead and workflow.may_extend(application),
            "complete": lead and "complete" in available,
        }
        checkable = [d for d in deferred if lead and d.supplied_at and not d.checked_at]
        try:
            commitment = application.commitment
        except Application.commitment.RelatedObjectDoesNotExist:
            commitment = None
        return {
            "application": application,
            "form_data": sorted((application.form or {}).items()),
            "documents": application.documents.select_related("material", "uploaded_by"),
            "deferred": deferred,
            "checkable": checkable,
            "corrections": application.corrections.select_related("requested_by"),
            "commitment": commitment,
            "tasks": tasks,
            "decidable": decidable,
            "timeline": events_of(application),
            "actions": actions,
            "any_action": any(actions.values()) or bool(decidable) or bool(checkable),
            "sla_badge": sla_badge(application.sla_level),
            "talent_panel": review_panel(application, user),
        }

    # --- the action buttons -------------------------------------------------------------

    def act_view(self, request, pk: int, action: str):
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if action not in ACTIONS:
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        user, data = request.user, request.POST
        try:
            if action == "accept":
                workflow.accept(user, application.pk)
            elif action == "request_correction":
                workflow.request_correction(user, application.pk, data.get("items", "").splitlines())
            elif action == "refuse":
                workflow.refuse(user, application.pk, data.get("reason", ""))
            elif action == "decide":
                task = get_object_or_404(application.tasks, pk=_int(data.get("task")))
                workflow.decide(user, task.pk, data.get("decision", ""), data.get("comment", ""))
            elif action == "extend":
                workflow.extend(user, application.pk, data.get("reason", ""))
            elif action == "check_deferred":
                deferred = get_object_or_404(application.deferred, pk=_int(data.get("deferred")))
                workflow.check_deferred(user, deferred.pk)
            elif action == "complete":
                workflow.complete(user, application.pk)
        except PermissionError:
            raise Http404 from None
        except IllegalTransition as error:
            self.message_user(request, str(error.message), messages.ERROR)
        except ValidationError as error:
            for message in _error_messages(error):
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, _("Done: %(reference)s is now “%(state)s”.") % {
                "reference": application.reference,
                "state": State(Application.objects.values_list("state", flat=True).get(pk=application.pk)).label,
            }, messages.SUCCESS)
        return redirect("admin:services_application_change", application.pk)

    # --- materials ----------------------------------------------------------------------

    def document_view(self, request, pk: int, document_id: int):
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, application):
            raise Http404
        document = get_object_or_404(application.documents, pk=document_id)
        if not document.file:
            raise Http404
        return FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.original_name or document.file.name.rsplit("/", 1)[-1])

    # --- the overdue board --------------------------------------------------------------

    def overdue_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        user = request.user
        departments = Department.objects.all() if user.is_superuser else Department.objects.filter(
            pk__in=department_ids(user)
        )
        visible = visible_applications(user).select_related("service", "enterprise")
        boards = []
        for department in departments.order_by("code"):
            rows = []
            acceptance = visible.filter(
                state=State.SUBMITTED, acceptance_due__lt=today, service__lead_department=department
            )
            for application in acceptance:
                rows.append(_overdue_row(application, _("acceptance"), application.acceptance_due, today))
            decision = visible.filter(state__in=REVIEW_STATES, decision_due__lt=today).filter(
                Q(service__lead_department=department)
                | Q(pk__in=Task.objects.filter(department=department, status=Task.Status.OPEN).values("application_id"))
            )
            for application in decision:
                rows.append(_overdue_row(application, _("decision"), application.decision_due, today))
            rows.sort(key=lambda row: (row["due"], row["application"].pk))
            boards.append({"department": department, "rows": rows})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Overdue applications by department"),
            "boards": boards,
            "today": today,
        }
        return TemplateResponse(request, "admin/services/overdue_board.html", context)

    def changelist_view(self, request, extra_context=None):
        extra = {**(extra_context or {}), "overdue_url": reverse("admin:services_application_overdue")}
        return super().changelist_view(request, extra)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _overdue_row(application: Application, kind, due: datetime.date, today: datetime.date) -> dict:
    return {
        "application": application,
        "kind": kind,
        "due": due,
        "days": (today - due).days,
        "working_days": working_days_between(due, today),
        "url": reverse("admin:services_application_change", args=[application.pk]),
    }


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The official's queue: open tasks of their departments, oldest due first."""

    list_display = ["application_link", "name", "service", "mode", "department", "status", "due_date", "sla"]
    list_display_links = None
    list_filter = [
        ("application__service__approval_mode", admin.ChoicesFieldListFilter), TaskStatusFilter, DueFilter,
        TaskSlaFilter,
    ]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "application__service", "application__enterprise", "department"]
    ordering = [F("due_date").asc(nulls_last=True), "id"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(department_id__in=department_ids(request.user))

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj):
        url = reverse("admin:services_application_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application)

    @admin.display(description=_("service item"), ordering="application__service__name")
    def service(self, obj):
        return obj.application.service.name

    @admin.display(description=_("approval mode"), ordering="application__service__approval_mode")
    def mode(self, obj):
        return obj.application.service.get_approval_mode_display()

    @admin.display(description=_("deadline warning"), ordering="application__sla_level")
    def sla(self, obj):
        return sla_badge(obj.application.sla_level)


@admin.register(PostCheck)
class PostCheckAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Post-checks (事后核查): the drawn official records pass or fail."""

    list_display = ["application_link", "department", "assignee", "due_date", "result", "done_at"]
    list_filter = ["result", DueFilter]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "department", "assignee"]
    ordering = ["due_date", "id"]
    change_form_template = "admin/services/postcheck/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(assignee=request.user)

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj):
        url = reverse("admin:services_application_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application)

    def get_urls(self):
        return [
            path("<int:pk>/record/", self.admin_site.admin_view(self.record_view),
                 name="services_postcheck_record"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        check = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if check is not None:
            extra["can_record"] = (
                check.result == PostCheck.Result.PENDING and self.has_change_permission(request, check)
            )
        return super().change_view(request, object_id, form_url, extra)

    def record_view(self, request, pk: int):
        check = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, check):
            raise PermissionDenied
        result = request.POST.get("result")
        if result not in (PostCheck.Result.PASSED, PostCheck.Result.FAILED):
            self.message_user(request, _("Choose pass or fail."), messages.ERROR)
            return redirect("admin:services_postcheck_change", check.pk)
        try:
            workflow.run_post_check(request.user, check.pk, result == PostCheck.Result.PASSED,
                                    request.POST.get("note", ""))
        except PermissionError:
            raise Http404 from None
        except IllegalTransition as error:
            self.message_user(request, str(error.message), messages.ERROR)
        except ValidationError as error:
            for message in _error_messages(error):
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, _("The post-check result was recorded."), messages.SUCCESS)
        return redirect("admin:services_postcheck_change", check.pk)
