"""Input the portal cannot store is refused at the door, naming where it was, before any view runs.

PostgreSQL refuses a NUL byte in text and jsonb, and UTF-8 has no lone surrogates: either would
end a request in a database error deep inside a view. A JSON body nested deeper than any form of
the portal is refused too, before Python's recursion limit is reached while reading it, and so is a text
longer than any free-text field needs (MAX_TEXT_LENGTH).

- `UnstorableInputMiddleware` checks the path, the query string and form bodies (field names
  and values) of every request, pages and API alike.
- `CheckedJSONParser` checks JSON bodies of the API: every key and string, at any depth.

The answer is a 400: for the API in its JSON error shape, naming the field; for a page, a short
page in the user's language saying which field.
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from portal.core.api.errors import error_body
from portal.core.api.middleware import API_PREFIX

# Deeper than any form or filter of the portal nests; far below Python's recursion limit.
MAX_JSON_DEPTH = 32
# Longer than any free text of the portal needs (a reason, a comment, a form field); a value this
# long is a mistake or an attack, and would otherwise be stored and shown whole.
MAX_TEXT_LENGTH = 10_000


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds a NUL byte or a lone surrogate, which cannot be stored."""
    return UNSTORABLE.search(text) is not None


def unstorable_message() -> str:
    return _("Contains a character that cannot be stored (a NUL byte or an unpaired surrogate).")


def too_long_message() -> str:
    return _("Longer than %(limit)s characters.") % {"limit": MAX_TEXT_LENGTH}


def _first_in_fields(data: QueryDict) -> tuple[str, str] | None:
    """(field, message) of the first field of a query string or form that cannot be stored."""
    for key, values in data.lists():
        texts = [value for value in values if isinstance(value, str)]
        if unstorable(key) or any(unstorable(value) for value in texts):
            return key, unstorable_message()
        if any(len(value) > MAX_TEXT_LENGTH for value in texts):
            return key, too_long_message()
    return None


def first_unstorable(request: HttpRequest) -> tuple[str, str] | None:
    """(place, message) of the first place in the request holding text that cannot be stored, or None."""
    if unstorable(request.path):
        return "path", unstorable_message()
    field = _first_in_fields(request.GET)
    if field is None and request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data",
    ):
        # Uploaded file names need no check: Django drops their unprintable characters.
        field = _first_in_fields(request.POST)
    return field


class UnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = first_unstorable(request)
        if found is None:
            return self.get_response(request)
        field, message = found
        if request.path.startswith(API_PREFIX):
            name = "path" if field == "path" else _printable(field)
            return HttpResponse(
                json.dumps(error_body("invalid", f"{name}: {message}", name, {name: [message]}),
                           ensure_ascii=False, separators=(",", ":")),
                status=400, content_type="application/json",
            )
        return HttpResponseBadRequest(
            f"<!doctype html><title>400</title><h1>{escape(_('The request could not be processed.'))}</h1>"
            f"<p>{escape(_printable(field))}: {escape(message)}</p>"
        )


def _printable(name: str) -> str:
    """A field name fit to show back: without the characters that made it unstorable."""
    return UNSTORABLE.sub("", name) or "?"


def _walk(data: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(place, problem) for each unstorable key or string and for nesting past MAX_JSON_DEPTH."""
    if depth > MAX_JSON_DEPTH:
        yield path or "non_field_errors", "depth"
        return
    if isinstance(data, dict):
        for key, value in data.items():
            place = f"{path}.{key}" if path else key
            if unstorable(key):
                yield _printable(place), "text"
            else:
                yield from _walk(value, place, depth + 1)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(item, f"{path}[{index}]" if path else f"[{index}]", depth + 1)
    elif isinstance(data, str) and unstorable(data):
        yield _printable(path) or "non_field_errors", "text"
    elif isinstance(data, str) and len(data) > MAX_TEXT_LENGTH:
        yield path or "non_field_errors", "length"


class CheckedJSONParser(JSONParser):
    """DRF's JSON parser, which also refuses unstorable text and nesting deeper than MAX_JSON_DEPTH."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(too_deep()) from None
        for place, problem in _walk(data):
            if problem == "depth":
                raise exceptions.ParseError(too_deep())
            message = too_long_message() if problem == "length" else unstorable_message()
            raise exceptions.ValidationError({place: [message]})
        return data


def too_deep() -> str:
    return _("The JSON body is nested deeper than %(depth)s levels.") % {"depth": MAX_JSON_DEPTH}
