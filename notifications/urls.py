"""An enterprise's webhooks, included by enterprises/urls.py under enterprises/<pk>/webhooks/."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.enterprise_webhooks, name="enterprise_webhooks"),
    path("<int:endpoint_pk>/deactivate/", views.webhook_deactivate, name="webhook_deactivate"),
    path("deliveries/<int:notification_pk>/resend/", views.webhook_resend, name="webhook_resend"),
]
