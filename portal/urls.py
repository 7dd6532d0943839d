import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from notifications import views as notification_views
from portal import account, error_pages, offers_page, package, password_reset, policy_messages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/unified-login/", include("portal.unified_login.urls")),
    path("accounts/password/reset/", password_reset.request_reset, name="password_reset"),
    path("accounts/password/reset/sent/", password_reset.reset_requested, name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", password_reset.choose_new_password,
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", password_reset.reset_complete, name="password_reset_complete"),
    path("accounts/", account.account, name="account"),
    path("accounts/sign-out-everywhere/", account.sign_out_everywhere, name="sign_out_everywhere"),
    path("accounts/second-factor/", account.confirm, name="second_factor"),
    path("accounts/second-factor/enrol/", account.enrol, name="second_factor_enrol"),
    path("accounts/second-factor/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path("accounts/second-factor/reset/", account.reset, name="second_factor_reset"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.mark_read, name="inbox_read"),
    path("inbox/settings/", notification_views.notification_settings, name="notification_settings"),
    # Pages of an enterprise that other apps provide: composed here, so enterprises imports neither.
    path("enterprises/<int:pk>/package/", package.service_package, name="enterprise_package"),
    path("enterprises/<int:pk>/package/apply/<int:policy_pk>/", package.apply_enterprise_policy,
         name="enterprise_policy_apply"),
    path("enterprises/<int:pk>/policy-messages/", policy_messages.policy_messages, name="enterprise_policy_messages"),
    path("enterprises/<int:pk>/offers/", offers_page.offers_page, name="enterprise_offers"),
    path("enterprises/<int:pk>/offers/<int:offer_pk>/confirm/", offers_page.confirm_offer,
         name="enterprise_offer_confirm"),
    path("enterprises/<int:pk>/webhooks/", include("notifications.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("services/", include("services.catalogue.urls")),
    path("applications/", include("services.applications.urls")),
    path("talent/", include("talent.urls")),
    path("verify/", include("services.applications.notices.urls")),  # public: a notice's verification code
    path("i18n/", include("django.conf.urls.i18n")),
    # Links in messages sent while the outbox was part of the services app keep working.
    # The admin's address comes from ADMIN_URL (default admin/).
    re_path(rf"^{re.escape(settings.ADMIN_URL)}services/"
            r"(?P<rest>(notification|deliveryattempt|webhookendpoint|notificationpreference)/.*)$",
            RedirectView.as_view(url=f"/{settings.ADMIN_URL}notifications/%(rest)s", query_string=True,
                                 permanent=True)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script as a file of its own (?script): no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# 400, 403 and 404 are Django's handlers with the portal's templates (templates/400.html …); the
# 500 page is rendered without touching the database, which may be what failed. The API answers JSON.
handler500 = error_pages.server_error
