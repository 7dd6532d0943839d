from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal accounts")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core import checks
        from django.db.models.signals import post_save

        from portal.core.admin_audit import delete_selected, record_admin_change
        from portal.core.encrypted_fields import check_stored_values
        from portal.core.sign_in import record_failed_sign_in, record_sign_in

        # Every manage.py command (migrate, check --deploy, runserver, the workers' start) stops
        # when the keys cannot open what is stored.
        checks.register(check_stored_values)

        user_logged_in.connect(record_sign_in, dispatch_uid="portal.record_sign_in")
        user_login_failed.connect(record_failed_sign_in, dispatch_uid="portal.record_failed_sign_in")
        post_save.connect(record_admin_change, sender=LogEntry, dispatch_uid="portal.record_admin_change")
        admin.site.add_action(delete_selected, "delete_selected")

        # What the services and talent apps show on the service manager's workbench and calendar.
        from portal import obligation_sources, workbench_sources

        workbench_sources.register()
        obligation_sources.register()
