from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.core import access, second_factor
from portal.core.admin import ReadOnly, SuperuserOnly
from portal.core.masking import mask_phone
from portal.models import AuditEvent, ExternalIdentity, User

# Devices hold the secrets of officials' codes: no admin page shows or edits them. A superuser
# resets a user's second factor from the users' list instead (audited).
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ["phone", "language"]}),
    ]
    list_display = ["username", "first_name", "email", "is_staff", "is_active", "has_second_factor"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(app))

    @admin.display(boolean=True, description=_("second factor"), ordering="second_factor")
    def has_second_factor(self, user: User) -> bool:
        return user.second_factor

    @admin.action(description=_("Reset the second factor (the user sets up a new app at the next sign-in)"))
    def reset_second_factor(self, request, queryset) -> None:
        users = list(queryset)
        for user in users:
            second_factor.reset(request.user, user, request)
        self.message_user(request, ngettext(
            "The second factor of %(count)d user is reset.", "The second factor of %(count)d users is reset.",
            len(users),
        ) % {"count": len(users)}, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.is_superuser(request.user):
            actions.pop("reset_second_factor", None)
        return actions

    # The phone is personal data: whole for superusers, who may change it; masked for anyone else.
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if access.is_superuser(request.user):
            return fieldsets
        return [(name, {**options, "fields": ["masked_phone" if f == "phone" else f for f in options["fields"]]})
                for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        masked = [] if access.is_superuser(request.user) else ["masked_phone"]
        return [*super().get_readonly_fields(request, obj), *masked]

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["reason", "action"]
    date_hierarchy = "at"
    # Not editable, so not in the form: shown so an alert's link leads to the event's links.
    readonly_fields = ["at", "previous_hash", "hash"]

    def get_queryset(self, request):
        # The whole trail is for superusers (auditors); officials read timelines on their records.
        queryset = super().get_queryset(request).select_related("actor")
        return queryset if access.is_superuser(request.user) else queryset.none()


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnly, SuperuserOnly, admin.ModelAdmin):
    """Which unified-login identity signs in which account: linked by the sign-in itself, shown here."""

    list_display = ["user", "provider", "subject", "linked_at", "last_signed_in_at"]
    search_fields = ["user__username", "subject"]
    list_select_related = ["user", "provider"]
