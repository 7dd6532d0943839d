from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ["phone", "language"]}),
    ]
    list_display = ["username", "first_name", "email", "is_staff", "is_active"]


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
