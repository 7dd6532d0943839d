from django.urls import path

from portal.unified_login import views

urlpatterns = [
    path("start/", views.StartView.as_view(), name="unified_login_start"),
    path("callback/", views.CallbackView.as_view(), name="unified_login_callback"),
]
