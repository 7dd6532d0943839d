"""The officials' admin of post-checks (事后核查): the drawn official records pass or fail."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.core.messages import reported
from services.applications import workflow
from services.applications.admin import ShownOnly, application_link
from services.applications.admin_filters import DueFilter
from services.applications.selectors import post_checks_of
from services.models import PostCheck


@admin.register(PostCheck)
class PostCheckAdmin(ShownOnly, admin.ModelAdmin):
    """Post-checks (事后核查): the drawn official records pass or fail."""

    acted_on = True
    list_display = ["application_link", "department", "assignee", "due_date", "result", "done_at"]
    list_filter = ["result", DueFilter]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "department", "assignee"]
    ordering = ["due_date", "id"]
    change_form_template = "admin/services/postcheck/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PostCheck]:
        return post_checks_of(request.user)

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj: PostCheck) -> str:
        return application_link(obj)

    def get_urls(self) -> list:
        return [
            path("<int:pk>/record/", self.admin_site.admin_view(self.record_view),
                 name="services_postcheck_record"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        check = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if check is not None:
            extra["can_record"] = self.has_change_permission(request, check) and workflow.passes(
                workflow.require_post_check, request.user, check, check.application)
        return super().change_view(request, object_id, form_url, extra)

    def record_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        check = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, check):
            raise PermissionDenied
        result = request.POST.get("result")
        if result not in (PostCheck.Result.PASSED, PostCheck.Result.FAILED):
            self.message_user(request, _("Choose pass or fail."), messages.ERROR)
            return redirect("admin:services_postcheck_change", check.pk)
        with reported(request) as outcome:
            workflow.run_post_check(request.user, check.pk, result == PostCheck.Result.PASSED,
                                    request.POST.get("note", ""))
        if outcome.ok:
            self.message_user(request, _("The post-check result was recorded."), messages.SUCCESS)
        return redirect("admin:services_postcheck_change", check.pk)
