"""An enterprise's webhooks, included by enterprises/urls.py under enterprises/<pk>/webhooks/."""

from django.urls import path

from services import views_notifications

urlpatterns = [
    path("", views_notifications.enterprise_webhooks, name="enterprise_webhooks"),
    path("<int:endpoint_pk>/deactivate/", views_notifications.webhook_deactivate, name="webhook_deactivate"),
    path("deliveries/<int:notification_pk>/resend/", views_notifications.webhook_resend, name="webhook_resend"),
]
