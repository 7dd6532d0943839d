"""Temporary URLconf for tests/test_catalogue.py until the catalogue is wired into portal/urls.py
and the API router. Remove it when wiring."""

from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import SimpleRouter

import services.admin_catalogue  # noqa: F401  (registers the catalogue admin)
from portal.urls import urlpatterns as base
from services.catalogue_api import ServiceItemViewSet

router = SimpleRouter()
router.register("services", ServiceItemViewSet, basename="service")

urlpatterns = [
    path("services/", include("services.urls")),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),  # built again here, after the catalogue admin registered
    *base,
]
