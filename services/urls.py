"""The public service catalogue, included by portal/urls.py under services/."""

from django.urls import path

from services import catalogue_views

urlpatterns = [
    path("", catalogue_views.service_list, name="service_list"),
    path("<str:code>/", catalogue_views.service_guide, name="service_guide"),
    path(
        "<str:code>/materials/<str:material_code>/template/",
        catalogue_views.material_template,
        name="material_template",
    ),
]
