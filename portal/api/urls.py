"""The API router, /api/v1/: every resource is registered here."""

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from enterprises.api import EnterpriseViewSet
from enterprises.managers.api import ManagedEnterpriseViewSet
from notifications.api import NotificationViewSet, WebhookViewSet
from portal.api.auth import LogoutView, TokenViewSet, obtain_token
from portal.api.me import MeView
from services.applications.api import ApplicationViewSet
from services.applications.api_review import IntakeViewSet, TaskViewSet
from services.catalogue.api import ServiceItemViewSet
from services.ratings.api import RectificationViewSet
from services.reports.api import ApplicationExportViewSet, DecisionExportViewSet
from talent.api import TalentPolicyViewSet, TalentViewSet
from talent.offers.api import OfferViewSet
from talent.offers.api_opt_outs import PolicyOptOutViewSet

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("managed-enterprises", ManagedEnterpriseViewSet, basename="managed-enterprise")
router.register("services", ServiceItemViewSet, basename="service")
router.register("applications", ApplicationViewSet, basename="application")
router.register("tasks", TaskViewSet, basename="task")
router.register("intake", IntakeViewSet, basename="intake")
router.register("rectifications", RectificationViewSet, basename="rectification")
router.register("policies", TalentPolicyViewSet, basename="policy")
router.register("talents", TalentViewSet, basename="talent")
router.register("offers", OfferViewSet, basename="offer")
router.register("policy-opt-outs", PolicyOptOutViewSet, basename="policy-opt-out")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("auth/tokens", TokenViewSet, basename="token")
router.register("exports/applications", ApplicationExportViewSet, basename="export-applications")
router.register("exports/decisions", DecisionExportViewSet, basename="export-decisions")

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]

if settings.BENCH_FLOOR:  # the benchmarks' floor (portal/api/floor.py): never in production unless asked for
    from portal.api.floor import FloorView

    urlpatterns.insert(0, path("bench/floor/", FloorView.as_view(), name="api-bench-floor"))
