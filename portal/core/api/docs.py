"""Who may read the API's description (/api/schema/) and its Swagger UI (/api/docs/)."""

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class DocsPermission(BasePermission):
    """Everyone when API_DOCS_PUBLIC (development); otherwise signed-in users (session or token)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if getattr(settings, "API_DOCS_PUBLIC", False):
            return True
        return bool(request.user and request.user.is_authenticated)
