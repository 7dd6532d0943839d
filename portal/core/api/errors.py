"""One JSON shape for every API error: a machine code, a human message, and the fields.

    {"code": "invalid", "message": "统一社会信用代码: …", "field": "uscc",
     "errors": {"uscc": ["…"]}}

`field` is null and `errors` empty unless the error is about given fields; some codes add keys
(409 `illegal_transition` adds `state`). The message is in the request's language
(`Accept-Language`, Chinese by default). Errors raised outside the API views (an unknown URL,
an oversized body) are put in the same shape by `portal.core.api.middleware.ApiErrorMiddleware`.
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import IllegalTransition

logger = logging.getLogger("portal.api")

# Django validation codes that mean "too large" rather than "wrong": answered 413, not 400.
TOO_LARGE_CODES = {"file_size"}


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = gettext_lazy("The request is larger than the portal accepts.")


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = gettext_lazy("The request is malformed.")


def error_body(code: str, message: str, field: str | None = None,
               errors: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "errors": errors or {}, **extra}


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors" and not prefix:
                name = "non_field_errors"
            flat.update(_flatten(value, name))
    elif isinstance(errors, list):
        if all(not isinstance(item, (dict, list)) for item in errors):
            flat[prefix or "non_field_errors"] = [str(item) for item in errors]
        else:
            for index, item in enumerate(errors):
                flat.update(_flatten(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def _codes(error: DjangoValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        items = [item for items in error.error_dict.values() for item in items]
    else:
        items = error.error_list
    return {item.code for item in items if item.code}


def _validation_body(data: Any, code: str = "invalid") -> dict[str, Any]:
    errors = _flatten(data)
    field = next(iter(errors), "non_field_errors")
    first = errors.get(field, [""])[0]
    label = "" if field == "non_field_errors" else f"{field}: "
    return error_body(code, f"{label}{first}", field, errors)


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, IllegalTransition):
        return Response(
            error_body("illegal_transition", str(exc.message), state=exc.current_state),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        if _codes(exc) & TOO_LARGE_CODES:
            return Response(_validation_body(as_serializer_error(exc), "too_large"),
                            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = TooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = BadRequest()
    if isinstance(exc, (PermissionError, DjangoPermissionDenied)):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
        return response

    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    if response.status_code == status.HTTP_404_NOT_FOUND:
        detail = _("Not found.")
    response.data = error_body(code, str(detail))
    return response


def _server_error(exc: Exception, context: dict) -> Response:
    """An unexpected exception: logged with its traceback, answered as JSON, never as HTML."""
    request = context.get("request")
    logger.error(
        "Unhandled exception in %s %s", getattr(request, "method", "?"), getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return Response(
        error_body("server_error", _("Something went wrong on our side; it has been logged.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
