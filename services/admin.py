from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services import admin_applications, admin_calendar, admin_catalogue  # noqa: F401 - register their admin classes
from services.models import AuditEvent, Department, Notification
from services.scoping import DepartmentScopedAdmin


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin, admin.ModelAdmin):
    department_lookup = "pk"
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["officials"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["reason", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The whole trail is for superusers (auditors); officials read timelines on their records.
        queryset = super().get_queryset(request).select_related("actor")
        return queryset if request.user.is_superuser else queryset.none()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "channel", "kind", "subject", "status", "attempts"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["subject", "recipient__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ["recipient"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()


admin.site.site_header = _("Xianfenggang officials' admin")
admin.site.site_title = _("Xianfenggang admin")
admin.site.index_title = _("Approvals and records")
