"""The portal's addresses plus two that fail on purpose, for the error pages' tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug with a secret detail: DATABASE_PASSWORD")


urlpatterns = [path("test-forbidden/", forbidden), path("test-broken/", broken), *portal_urlpatterns]
