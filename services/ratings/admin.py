"""The officials' admin of 好差评: their departments' rectifications to close, and the ratings received.

Visibility is the selectors' (`rectifications_of`, scoped by department), so another
department's rectification is "not found" even by a crafted URL. The close form posts to one
view that calls `workflow.close_rectification`, shown exactly when `rules.may_close` says it
would be accepted.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.core.messages import reported
from services.applications.admin import ShownOnly, application_link
from services.applications.admin_filters import DueFilter
from services.ratings import workflow
from services.ratings.models import Rating, Rectification
from services.ratings.rules import may_close
from services.ratings.selectors import ratings_received_by, rectifications_of

OVERDUE_BADGE = '<span class="overdue-badge" style="background:#c62828;color:#fff;padding:1px 6px;border-radius:8px;">{}</span>'


@admin.register(Rectification)
class RectificationAdmin(ShownOnly, admin.ModelAdmin):
    """The department's rectifications (整改): the open ones first, soonest due first, the overdue marked."""

    acted_on = True
    list_display = ["application_link", "department", "score", "comment", "opened_on", "due", "status", "closed_at"]
    list_display_links = ["due"]
    list_filter = ["status", DueFilter, "department"]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "department", "rating"]
    ordering = [Case(When(status=Rectification.Status.OPEN, then=Value(0)), default=Value(1),
                     output_field=IntegerField()), "due_date", "id"]
    change_form_template = "admin/services/rectification/change_form.html"
    fields = ["application", "department", "status", "opened_on", "due_date", "due_provisional", "outcome",
              "closed_by", "closed_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rectification]:
        return rectifications_of(request.user)

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj: Rectification) -> str:
        return application_link(obj)

    @admin.display(description=_("rating"), ordering="rating__score")
    def score(self, obj: Rectification) -> str:
        return f"{obj.rating.score} · {obj.rating.get_score_display()}"

    @admin.display(description=_("comment"))
    def comment(self, obj: Rectification) -> str:
        return Truncator(obj.rating.comment).chars(60) or "—"

    @admin.display(description=_("due"), ordering="due_date")
    def due(self, obj: Rectification) -> str:
        if obj.is_open and obj.due_date < timezone.localdate():
            return format_html("{} " + OVERDUE_BADGE, obj.due_date, _("overdue"))
        return str(obj.due_date)

    def get_urls(self) -> list:
        return [
            path("<int:pk>/close/", self.admin_site.admin_view(self.close_view), name="services_rectification_close"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        rectification = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if rectification is not None:
            extra["rating"] = rectification.rating
            extra["overdue"] = rectification.is_open and rectification.due_date < timezone.localdate()
            extra["can_close"] = (self.has_change_permission(request, rectification)
                                  and may_close(request.user, rectification))
        return super().change_view(request, object_id, form_url, extra)

    def close_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rectification = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, rectification):
            raise PermissionDenied
        with reported(request, {"outcome": _("outcome")}) as outcome:
            workflow.close_rectification(request.user, rectification.pk, request.POST.get("outcome", ""))
        if outcome.ok:
            self.message_user(request, _("The rectification of %(reference)s was closed; the applicant is told "
                                         "the outcome.") % {"reference": rectification.application},
                              messages.SUCCESS)
        return redirect("admin:services_rectification_change", rectification.pk)


@admin.register(Rating)
class RatingAdmin(ShownOnly, admin.ModelAdmin):
    """The ratings of the department's decisions (好差评), newest first."""

    list_display = ["application_link", "department", "score", "round", "comment_short", "rated_at"]
    list_filter = ["score", "round", "department"]
    search_fields = ["application__reference", "application__enterprise__name"]
    list_select_related = ["application", "department"]
    ordering = ["-rated_at", "-id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rating]:
        return ratings_received_by(request.user)

    @admin.display(description=_("application"), ordering="application__reference")
    def application_link(self, obj: Rating) -> str:
        return application_link(obj)

    @admin.display(description=_("comment"))
    def comment_short(self, obj: Rating) -> str:
        return Truncator(obj.comment).chars(60) or "—"
