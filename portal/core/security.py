"""Security headers Django does not set itself (CSP comes from django-csp), the idle timeout,
and the second factor that staff confirm before reaching any page."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from portal.core import access, second_factor
from portal.core.api.middleware import API_PREFIX


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


class SecondFactorMiddleware:
    """Staff whose session is not confirmed with a one-time code reach only the second-factor pages.

    Every other page, the admin's included, sends them there (enrolment if they have no app yet),
    then back. The API decides by itself (`portal.core.api.authentication`), answering in JSON.
    """

    # Views open before the code: the second-factor pages, signing in as someone else and out.
    OPEN_VIEWS = frozenset({"second_factor", "second_factor_enrol", "login", "logout", "admin:logout",
                            "set_language"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX):
            return None
        if not second_factor.required(request.user) or second_factor.session_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.OPEN_VIEWS:
            return None
        return redirect_to_login(request.get_full_path(), reverse("second_factor"))
