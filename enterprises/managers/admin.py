"""The service manager's workbench in the admin: their portfolio, and each enterprise's page with
its sections, obligations, notes and thread. The queryset is the manager's own enterprises
(`access.of_manager`), so another's answers "not found", by the list or by a crafted URL."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enterprises.managers.extensions import sections
from enterprises.managers.models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, ManagedEnterprise
from enterprises.managers.portfolio import summaries_of, workbench_of
from enterprises.managers.thread import add_note, notes_of, post_message, thread_of
from enterprises.obligations.calendar import kind_label, obligations_of
from portal.core import access
from portal.core.admin import ReadOnly


def _section_column(code: str, label):
    def column(obj):
        return getattr(obj, "_workbench_counts", {}).get(code, 0)

    column.short_description = label
    column.__name__ = f"section_{code}"
    return column


@admin.register(ManagedEnterprise)
class ManagedEnterpriseAdmin(ReadOnly, admin.ModelAdmin):
    list_display_links = ["name"]
    list_filter = ["street", "industry", "tech_tier", "status"]
    search_fields = ["name", "uscc"]
    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_official(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_official(request.user) and (obj is None or access.manages(request.user, obj))

    def get_queryset(self, request: HttpRequest):
        return access.of_manager(super().get_queryset(request), request.user).select_related("service_manager")

    def get_list_display(self, request: HttpRequest):
        columns = [_section_column(section.code, section.label) for section in sections()]
        manager = ["service_manager"] if access.is_superuser(request.user) else []
        return ["name", "uscc", "street", *columns, "warnings_total", *manager]

    @admin.display(description=gettext_lazy("needing attention"))
    def warnings_total(self, obj) -> int:
        return getattr(obj, "_workbench_counts", {}).get("warnings_total", 0)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # One collect per section for the whole page, not one per row.
            rows = list(changelist.result_list)
            counts = summaries_of([row.pk for row in rows])
            for row in rows:
                row._workbench_counts = counts.get(row.pk, {})
        return response

    def get_urls(self):
        own = [
            path("<int:pk>/note/", self.admin_site.admin_view(self.note_view), name="enterprises_managedenterprise_note"),
            path("<int:pk>/message/", self.admin_site.admin_view(self.message_view),
                 name="enterprises_managedenterprise_message"),
        ]
        return own + super().get_urls()

    def _enterprise(self, request: HttpRequest, pk) -> ManagedEnterprise:
        try:
            return self.get_queryset(request).get(pk=int(pk))
        except (ValueError, TypeError, ManagedEnterprise.DoesNotExist) as error:
            raise Http404 from error

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        """The enterprise's page of the workbench."""
        enterprise = self._enterprise(request, object_id)
        obligations = [{"obligation": item, "kind": kind_label(item.kind)} for item in obligations_of(enterprise)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": enterprise, "title": enterprise.name,
            "sections": workbench_of([enterprise.pk])[enterprise.pk],
            "obligations": obligations, "notes": notes_of(request.user, enterprise),
            "thread": thread_of(enterprise), "note_max": NOTE_MAX_LENGTH, "message_max": MESSAGE_MAX_LENGTH,
            "members": enterprise.members.order_by("username"),
        }
        return TemplateResponse(request, "enterprises/manager/workbench.html", context)

    def _post(self, request: HttpRequest, pk, act, done: str) -> HttpResponse:
        enterprise = self._enterprise(request, pk)
        try:
            act(request.user, enterprise, request.POST.get("text", ""))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except PermissionDenied:
            raise
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:enterprises_managedenterprise_change", enterprise.pk)

    def note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(lambda r: self._post(r, pk, add_note, _("Note saved; only service managers read it.")))(request)

    def message_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(lambda r: self._post(r, pk, post_message, _("Message sent; the enterprise is told.")))(
            request)
