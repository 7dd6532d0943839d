"""The API's error shape beyond its views, and the body-size limit before any byte is parsed.

Under /api/v1/ only: the portal's pages keep Django's own error pages.

- A request whose Content-Length is over the limit is answered 413 `too_large` at once: JSON
  bodies are read whole by the parsers, which do not apply DATA_UPLOAD_MAX_MEMORY_SIZE
  themselves. Multipart bodies may carry a file of MAX_UPLOAD_MB besides their fields.
- An error that Django answers itself (an unknown URL, an exception in a middleware) comes
  back as JSON in the shape of portal.core.api.errors instead of an HTML page.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.response import Response

from portal.core.api.errors import error_body

API_PREFIX = "/api/v1/"

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def body_limit(request: HttpRequest) -> int | None:
    """The most bytes a request body may have; None: no limit."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.content_type.startswith("multipart/"):
        return settings.MAX_UPLOAD_MB * 1024 * 1024 + (fields or 0)
    return fields


def shaped(status_code: int) -> JsonResponse:
    if status_code == 404:
        message = _("Not found.")
    elif status_code == 413:
        message = _("The request is larger than the portal accepts.")
    elif status_code >= 500:
        message = _("Something went wrong on our side; it has been logged.")
    else:
        message = _("The request could not be processed.")
    code = CODES.get(status_code, "server_error" if status_code >= 500 else "error")
    return JsonResponse(error_body(code, message), status=status_code,
                        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return shaped(413)
        response = self.get_response(request)
        if response.status_code >= 400 and not isinstance(response, Response) and not _is_json(response):
            return shaped(response.status_code)
        return response


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
