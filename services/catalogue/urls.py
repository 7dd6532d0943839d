"""The public service catalogue, included by portal/urls.py under services/."""

from django.urls import path

from services.catalogue import views

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("<str:code>/", views.service_guide, name="service_guide"),
    path(
        "<str:code>/materials/<str:material_code>/template/",
        views.material_template,
        name="material_template",
    ),
]
