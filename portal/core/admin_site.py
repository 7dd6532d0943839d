"""The officials' admin: Django's, open only to staff whose session is confirmed with a one-time code.

`SecondFactorMiddleware` sends unconfirmed staff to the second-factor page before any admin
view runs; the site itself refuses them too, so no admin page depends on the middleware alone.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OfficialsAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from portal.core import second_factor  # the models it reads load after the admin

        return super().has_permission(request) and second_factor.session_verified(request)


class OfficialsAdminConfig(AdminConfig):
    default_site = "portal.core.admin_site.OfficialsAdminSite"
