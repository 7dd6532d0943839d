"""Security headers Django does not set itself (CSP comes from django-csp), and the idle timeout."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.core import access


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (settings.PERMISSIONS_POLICY) to every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class IdleTimeoutMiddleware:
    """A staff session ends after STAFF_IDLE_MINUTES without a request; each request starts the wait again.

    Everyone else's session lasts SESSION_COOKIE_AGE from sign-in, as Django does by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if access.is_official(user):  # superusers included
            request.session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)
        return self.get_response(request)
