"""The officials' admin for applications, review tasks and post-checks.

Thin on purpose: every button posts to one view that calls the matching function of
`services/applications/workflow/`, and a button is shown exactly when `workflow.allowed_actions`
says that function would accept it. Visibility is the selectors' (`selectors.py`), applied to the
querysets, so crafted URLs answer "not found". Item-specific panels (a talent application's talent
and policy) come from the workflow's extension registry.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnly
from portal.core.audit import events_of
from portal.core.errors import IllegalTransition
from portal.core.files import download
from portal.core.messages import reported
from portal.core.paginators import EstimatedCountPaginator
from services.applications import admin_panel, workflow
from services.applications.admin_filters import (
    ApplicationDueFilter,
    DecidedOnFilter,
    DueFilter,
    StageFilter,
    TaskHolderFilter,
    TaskSlaFilter,
    TaskStatusFilter,
    deadline_badge,
    sla_badge,
)
from services.applications.admin_overdue import overdue_board
from services.applications.admin_workbench import confirmation_page, decided_url, queue_url, work_view
from services.applications.form_answers import fields_of
from services.applications.form_page import answers_shown, labels_of
from services.applications.notices.views import notice_file
from services.applications.selectors import (
    CLOCK_STATES,
    applications_visible_to,
    colleagues_of,
    replaced_since_last_notice,
    tasks_of,
)
from services.applications.wording import in_words
from services.applications.workflow import extensions
from services.models import Application, DeferredMaterial, PostCheck, Task
from services.reports.admin import ReportsAdmin


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _task(application: Application, data: QueryDict) -> Task:
    return get_object_or_404(application.tasks, pk=_int(data.get("task")))


def _deferred(application: Application, data: QueryDict) -> DeferredMaterial:
    return get_object_or_404(application.deferred, pk=_int(data.get("deferred")))


# The admin's buttons: the action in the URL and the workflow function it calls.
ACTIONS: dict[str, Callable[[Any, Application, QueryDict], object]] = {
    "accept": lambda user, application, data: workflow.accept(user, application.pk),
    "request_correction": lambda user, application, data: workflow.request_correction(
        user, application.pk, data.get("items", "").splitlines()),
    "refuse": lambda user, application, data: workflow.refuse(user, application.pk, data.get("reason", "")),
    "decide": lambda user, application, data: workflow.decide(
        user, _task(application, data).pk, data.get("decision", ""), data.get("comment", "")),
    "extend": lambda user, application, data: workflow.extend(user, application.pk, data.get("reason", "")),
    "check_deferred": lambda user, application, data: workflow.check_deferred(
        user, _deferred(application, data).pk),
    "complete": lambda user, application, data: workflow.complete(user, application.pk),
    "suspend": lambda user, application, data: workflow.suspend(application.pk, data.get("reason", ""), actor=user),
    "resume": lambda user, application, data: workflow.resume(user, application.pk, data.get("reason", "")),
    "revoke": lambda user, application, data: workflow.revoke(application.pk, data.get("reason", ""), actor=user),
    "claim": lambda user, application, data: workflow.claim_task(user, _task(application, data).pk),
    "release": lambda user, application, data: workflow.release_task(user, _task(application, data).pk),
    "reassign": lambda user, application, data: workflow.reassign_task(
        user, _task(application, data).pk, data.get("to")),
}
# The allowed actions the decision panel has a form for ("supply" is the applicant's, on the portal).
PANEL_ACTIONS = {"accept", "request_correction", "refuse", "extend", "check", "complete", "suspend", "resume", "revoke"}


class ShownOnly(ReadOnly):
    """Rows are shown, never edited by a form: officials act through the workflow's buttons.

    `ReadOnly` refuses adding, changing and deleting. Where the page has buttons (`acted_on`),
    the change permission stays Django's own and means "may press them".
    """

    acted_on = False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if self.acted_on:
            return admin.ModelAdmin.has_change_permission(self, request, obj)
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
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


def application_link(obj: Task | PostCheck) -> str:
    url = reverse("admin:services_application_change", args=[obj.application_id])
    return format_html('<a href="{}">{}</a>', url, obj.application)


@admin.register(Application)
class ApplicationAdmin(ReportsAdmin, ShownOnly, admin.ModelAdmin):
    acted_on = True
    list_display = [
        "reference", "enterprise", "service", "mode", "state", "received_on", "acceptance_due",
        "decision_due_display", "decided_on", "sla",
    ]
    list_filter = [StageFilter, ("service__approval_mode", admin.ChoicesFieldListFilter), "state", "sla_level",
                   ApplicationDueFilter, DecidedOnFilter]
    search_fields = ["reference", "enterprise__name"]
    list_select_related = ["enterprise", "service"]
    # A million rows: no full-table COUNT(*) (portal/core/paginators.py).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return applications_visible_to(request.user).annotate(next_due=Coalesce("decision_due", "acceptance_due"))

    def get_list_filter(self, request: HttpRequest) -> list:
        # Item-specific filters (a talent policy's waiting list) come from the extension registry.
        return [*super().get_list_filter(request), *extensions.list_filters()]

    @admin.display(description=_("approval mode"), ordering="service__approval_mode")
    def mode(self, obj: Application) -> str:
        return obj.service.get_approval_mode_display()

    @admin.display(description=_("decision due"), ordering="next_due")
    def decision_due_display(self, obj: Application):
        if not obj.decision_due:
            return "—"
        if obj.dates_provisional:
            return format_html('{} <em class="provisional" title="{}">({})</em>', obj.decision_due,
                               _("Computed before the official holiday schedule was entered."), _("provisional"))
        return obj.decision_due

    @admin.display(description=_("deadline warning"), ordering="sla_level")
    def sla(self, obj: Application) -> str:
        return deadline_badge(obj)

    # --- urls ---------------------------------------------------------------------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("work/", wrap(self.work_view), name="services_application_work"),
            path("overdue/", wrap(self.overdue_view), name="services_application_overdue"),
            path("<int:pk>/act/<str:action>/", wrap(self.act_view), name="services_application_act"),
            path("<int:pk>/documents/<int:document_id>/", wrap(self.document_view),
                 name="services_application_document"),
            path("<int:pk>/notices/<int:notice_id>/", wrap(self.notice_view), name="services_application_notice"),
            *super().get_urls(),
        ]

    # --- the change page ----------------------------------------------------------------

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        application = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if application is not None:
            extra.update(self._detail_context(request, application))
        return super().change_view(request, object_id, form_url, extra)

    def _detail_context(self, request: HttpRequest, application: Application) -> dict:
        # The page lists the tasks and deferred materials that allowed_actions reads: fetch them once.
        prefetch_related_objects(
            [application],
            Prefetch("tasks", queryset=Task.objects.select_related("department", "decided_by", "claimed_by")
                     .order_by("order", "id")),
            Prefetch("deferred", queryset=DeferredMaterial.objects.select_related("material", "checked_by")),
        )
        allowed = (workflow.allowed_actions(request.user, application)
                   if self.has_change_permission(request, application) else workflow.AllowedActions())
        for task in allowed.to_reassign:  # whom the hand-over form offers: the department's other officials
            task.colleagues = list(colleagues_of(task.department_id).exclude(pk=task.claimed_by_id))
        try:
            commitment = application.commitment
        except Application.commitment.RelatedObjectDoesNotExist:
            commitment = None
        return {
            "application": application,
            "form_answers": answers_shown(fields_of(application.service), application.form),
            # What the answers lack or get wrong by the item's form as it is now (its definition may have
            # changed since the submission), by the check the submission ran.
            "form_problems": self._form_problems(application),
            "documents": application.documents.select_related("material", "uploaded_by", "reused_from__application"),
            "deferred": application.deferred.all(),
            "corrections": application.corrections.select_related("requested_by"),
            "notices": application.notices.select_related("department"),
            "replaced_since_notice": replaced_since_last_notice(application),
            "commitment": commitment,
            "tasks": application.review_tasks(),
            # The acceptance task's decisions are the panel's accept, correction and refusal forms.
            "review_tasks_to_decide": [task for task in allowed.tasks if task.kind == Task.Kind.REVIEW],
            "timeline": in_words(list(events_of(application))),
            "allowed": allowed,
            "any_action": bool(PANEL_ACTIONS.intersection(allowed.application)) or bool(allowed.tasks),
            "panel": admin_panel.decision_panel(application, allowed),
            "sla_badge": deadline_badge(application),
            "clock_runs": application.state in CLOCK_STATES,
            "queue_url": queue_url(),
            "review_panels": extensions.review_panels(application, request.user),
        }

    @staticmethod
    def _form_problems(application: Application) -> list[str]:
        problems = workflow.form_errors(application)
        labels = labels_of(fields_of(application.service), problems)
        return [f"{labels.get(name, name)}: {message}" for name, messages in problems.items() for message in messages]

    # --- the action buttons -------------------------------------------------------------

    def act_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if action not in ACTIONS:
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        # An irreversible step posted without its confirmation changes nothing: its consequence is shown first.
        prefetch_related_objects([application], "tasks__department", "deferred__material")
        pending = admin_panel.confirmation_of(
            application, workflow.allowed_actions(request.user, application), action, request.POST)
        if pending is not None:
            return confirmation_page(self, request, application, pending)
        with reported(request) as outcome:
            ACTIONS[action](request.user, application, request.POST)
        if not outcome.ok:
            return redirect("admin:services_application_change", application.pk)
        state = Application.objects.values_list("state", flat=True).get(pk=application.pk)
        self.message_user(request, admin_panel.done_message(application, action, request.POST, state), messages.SUCCESS)
        if action in admin_panel.BACK_TO_QUEUE:  # the item is done: on to the queue's next one
            return redirect(queue_url())
        return redirect("admin:services_application_change", application.pk)

    # --- materials ----------------------------------------------------------------------

    def document_view(self, request: HttpRequest, pk: int, document_id: int) -> FileResponse:
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, application):
            raise Http404
        document = get_object_or_404(application.documents, pk=document_id)
        if not document.file:
            raise Http404
        return download(document.file, document.original_name)

    def notice_view(self, request: HttpRequest, pk: int, notice_id: int) -> FileResponse:
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, application):
            raise Http404
        return notice_file(get_object_or_404(application.notices, pk=notice_id))

    # --- the overdue board --------------------------------------------------------------

    def overdue_view(self, request: HttpRequest) -> HttpResponse:
        return overdue_board(self, request)

    def work_view(self, request: HttpRequest) -> HttpResponse:
        return work_view(self, request)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {**(extra_context or {}), "overdue_url": reverse("admin:services_application_overdue"),
                 "queue_url": queue_url(), "decided_url": decided_url()}
        if request.GET.get(StageFilter.parameter_name) == "closed":
            extra["title"] = _("Decided and closed")
        return super().changelist_view(request, extra)


@admin.register(Task)
class TaskAdmin(ShownOnly, admin.ModelAdmin):
    """Every task of the official's departments (open ones unless asked), acceptance and review,
    oldest due first, with who holds each; the queue of work to do is the workbench's (*My work*).

    Each row links to the application's page, whose panel decides it: an acceptance task by
    accepting, asking for corrections or refusing, a review task by its decision form. Claiming and
    releasing act on the selected tasks; handing one to a colleague is on the application's page.
    Each calls the workflow, which decides whether it is allowed.
    """

    list_display = ["application_link", "kind", "name", "service", "mode", "department", "status", "due_date", "sla",
                    "claimed_by"]
    list_display_links = None
    list_filter = [
        "kind", ("application__service__approval_mode", admin.ChoicesFieldListFilter), TaskStatusFilter,
        TaskHolderFilter, DueFilter, TaskSlaFilter,
    ]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "application__service", "application__enterprise", "department",
                           "claimed_by"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = [F("due_date").asc(nulls_last=True), "id"]
    actions = ["claim_selected", "release_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return tasks_of(request.user)

    def _each_task(self, request: HttpRequest, queryset: QuerySet[Task], act: Callable[[Any, int], Task],
                   done: str) -> None:
        count = 0
        for task in queryset.select_related("application"):
            try:
                act(request.user, task.pk)
            except IllegalTransition as error:  # told per task: which one, and why (e.g. who holds it)
                self.message_user(request, f"{task}: {error.message}", messages.ERROR)
            except PermissionError:  # as everywhere in the admin: another department's task does not exist
                raise Http404 from None
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Claim the selected tasks"))
    def claim_selected(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._each_task(request, queryset, workflow.claim_task, _("%(count)s task(s) claimed."))

    @admin.action(description=_("Release the selected tasks"))
    def release_selected(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._each_task(request, queryset, workflow.release_task, _("%(count)s task(s) released."))

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj: Task) -> str:
        return application_link(obj)

    @admin.display(description=_("service item"), ordering="application__service__name")
    def service(self, obj: Task) -> str:
        return obj.application.service.name

    @admin.display(description=_("approval mode"), ordering="application__service__approval_mode")
    def mode(self, obj: Task) -> str:
        return obj.application.service.get_approval_mode_display()

    @admin.display(description=_("deadline warning"), ordering="application__sla_level")
    def sla(self, obj: Task) -> str:
        # Only an open task whose application waits for it has a deadline; a closed one shows no colour.
        if obj.status != Task.Status.OPEN or obj.application.state not in CLOCK_STATES:
            return "—"
        return sla_badge(obj.application.sla_level)
