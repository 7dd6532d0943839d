"""The talent of the signed-in clerk's enterprises, included by portal/urls.py under talent/."""

from django.urls import path

from talent import views

urlpatterns = [
    path("", views.talent_list, name="talent_list"),
    path("new/", views.talent_new, name="talent_new"),
    path("<int:pk>/", views.talent_detail, name="talent_detail"),
    path("<int:pk>/edit/", views.talent_edit, name="talent_edit"),
    path("<int:pk>/apply/<int:policy_id>/", views.talent_apply, name="talent_apply"),
]
