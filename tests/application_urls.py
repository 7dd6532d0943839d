"""Temporary URLconf for tests/test_application_pages.py and tests/test_application_api.py until
the application pages and API are wired into portal/urls.py and portal/api/urls.py. Remove it when wiring."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from portal.urls import urlpatterns as base
from services.api import ApplicationViewSet, TaskViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    path("applications/", include("services.urls_applications")),
    path("api/v1/", include(router.urls)),
    *base,
]
