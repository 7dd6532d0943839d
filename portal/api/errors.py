"""One JSON shape for every API error: a machine code, a human message, and the fields.

    {"code": "invalid", "message": "统一社会信用代码: …", "field": "uscc",
     "errors": {"uscc": ["…"]}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from services.errors import IllegalTransition


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


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, IllegalTransition):
        return Response(
            {"code": "illegal_transition", "message": str(exc.message), "state": exc.current_state},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, (PermissionError, DjangoPermissionDenied)):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data)
        field = next(iter(errors), "non_field_errors")
        first = errors.get(field, [""])[0]
        label = "" if field == "non_field_errors" else f"{field}: "
        response.data = {
            "code": "invalid",
            "message": f"{label}{first}",
            "field": field,
            "errors": errors,
        }
        return response

    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    if response.status_code == status.HTTP_404_NOT_FOUND:
        detail = _("Not found.")
    response.data = {"code": code, "message": str(detail)}
    return response
