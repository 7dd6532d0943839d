"""The public verification of notices, included by portal/urls.py under verify/."""

from django.urls import path

from services.applications.notices import views

urlpatterns = [
    path("", views.verify_form, name="notice_verify_form"),
    path("<str:code>/", views.verify_code, name="notice_verify"),
]
