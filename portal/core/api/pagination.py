"""Cursor pagination and ordering of the API's growing lists (applications, tasks, events).

A page is `{"next": url|null, "previous": url|null, "results": [...]}`: follow `next` until it is
null and every row is seen exactly once, even while new rows are added. `page_size` is 50 by
default, at most 200. The cursor is opaque: it holds the ordering values of the row at the
page's edge (keyset pagination), so a page costs one indexed query however deep it is, and a
nullable ordering field (a date not reached yet) sorts its empty values last.

To paginate a list (notifications, for instance), set on the view:

    pagination_class = CursorPagination
    ordering = "-created_at"                                    # the default order
    ordering_fields = {"created_at": "created_at", ...}         # ?ordering= name → model path

`OrderingFilter` (a default filter backend) validates `?ordering=` against `ordering_fields` and
documents it; ties are always broken by the primary key, in the first field's direction.
Other lists (the catalogue, policies, the caller's enterprises and talent) are bounded by
nature and are returned whole, without an envelope.
"""

import base64
import binascii
import datetime
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

ORDERING_PARAM = "ordering"
CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"


@dataclass(frozen=True)
class Key:
    """One ordering field: its model path, direction, and where its empty values go."""

    path: str
    descending: bool = False
    nulls_last: bool = True

    def reversed(self) -> "Key":
        return Key(self.path, not self.descending, not self.nulls_last)

    def expression(self) -> OrderBy:
        field = F(self.path)
        method = field.desc if self.descending else field.asc
        return method(nulls_last=True) if self.nulls_last else method(nulls_first=True)

    def beyond(self, value: Any) -> Q | None:
        """Rows strictly after `value` in this key's order (None: no row can be)."""
        if value is None:
            return None if self.nulls_last else Q(**{f"{self.path}__isnull": False})
        after = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        return after | Q(**{f"{self.path}__isnull": True}) if self.nulls_last else after

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})


def after(keys: Sequence[Key], values: Sequence[Any]) -> Q:
    """Rows strictly after the row with `values` in the lexicographic order of `keys`."""
    terms: list[Q] = []
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value)
        if beyond is not None:
            terms.append(prefix & beyond)
        prefix &= key.equal(value)
    return reduce(or_, terms) if terms else Q(pk__in=[])


def _field(model: type[Model], path: str) -> Field:
    if path == "pk":
        return model._meta.pk
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _value(instance: Any, path: str) -> Any:
    value = instance
    for name in path.split("__"):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def _choices(view: Any) -> dict[str, str]:
    return dict(getattr(view, "ordering_fields", None) or {})


def ordering_terms(request: Request, view: Any, default: Sequence[str] | str) -> list[str]:
    """The requested `?ordering=` if the view allows it, else the view's (or given) default."""
    choices = _choices(view)
    requested = request.query_params.get(ORDERING_PARAM, "").strip() if choices else ""
    if requested:
        if requested.lstrip("-") not in choices or requested.count("-") > 1:
            allowed = ", ".join(sorted(choices))
            raise ValidationError({ORDERING_PARAM: [
                _("Order by one of: %(fields)s (prefix with - to reverse).") % {"fields": allowed}
            ]})
        return [requested]
    terms = getattr(view, "ordering", None) or default
    return [terms] if isinstance(terms, str) else list(terms)


def ordering_keys(request: Request, view: Any, default: Sequence[str] | str) -> list[Key]:
    choices = _choices(view)
    keys = []
    for term in ordering_terms(request, view, default):
        name = term.lstrip("-")
        keys.append(Key(choices.get(name, name), descending=term.startswith("-")))
    if keys[-1].path not in ("pk", "id"):
        keys.append(Key("pk", descending=keys[0].descending))
    return keys


class OrderingFilter(BaseFilterBackend):
    """`?ordering=name` or `-name`, among the view's `ordering_fields`; a wrong name is a 400."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if not _choices(view) or getattr(view, "action", "list") != "list":
            return queryset
        keys = ordering_keys(request, view, default="pk")
        return queryset.order_by(*(key.expression() for key in keys))

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        choices = _choices(view)
        if not choices:
            return []
        default = getattr(view, "ordering", None) or "pk"
        default = default if isinstance(default, str) else ",".join(default)
        values = [value for name in sorted(choices) for value in (name, f"-{name}")]
        return [{
            "name": ORDERING_PARAM,
            "required": False,
            "in": "query",
            "description": force_str(
                _("Which field to order by; prefix with - to reverse. Default: %(default)s.") % {"default": default}
            ),
            "schema": {"type": "string", "enum": values},
        }]


class CursorPagination(BasePagination):
    """Keyset cursor pagination: `?cursor=` from `next`/`previous`, `?page_size=` (1 to 200)."""

    page_size = 50
    max_page_size = 200
    ordering: Sequence[str] | str = "-created_at"

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        self.request = request
        self.size = self._page_size(request)
        terms = ordering_terms(request, view, self.ordering)
        self.signature = ",".join(terms)
        self.keys = ordering_keys(request, view, self.ordering)
        backwards, values = self._decode(request, queryset.model)

        keys = [key.reversed() for key in self.keys] if backwards else self.keys
        rows = queryset.order_by(*(key.expression() for key in keys))
        if values is not None:
            rows = rows.filter(after(keys, values))
        found = list(rows[: self.size + 1])
        more = len(found) > self.size
        page = found[: self.size]
        if backwards:
            page.reverse()
            self.previous_row = page[0] if more else None
            self.next_row = page[-1] if page else None
        else:
            self.next_row = page[-1] if more else None
            self.previous_row = page[0] if values is not None and page else None
        return page

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self._link(self.next_row, backwards=False),
                         "previous": self._link(self.previous_row, backwards=True),
                         "results": data})

    # --- the cursor -----------------------------------------------------------------------

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(PAGE_SIZE_PARAM)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({PAGE_SIZE_PARAM: [
                _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            ]})
        return size

    def _link(self, row: Any, backwards: bool) -> str | None:
        if row is None:
            return None
        state = {"o": self.signature, "b": int(backwards), "v": [_plain(_value(row, key.path)) for key in self.keys]}
        token = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), CURSOR_PARAM, token)

    def _decode(self, request: Request, model: type[Model]) -> tuple[bool, list | None]:
        raw = request.query_params.get(CURSOR_PARAM)
        if not raw:
            return False, None
        invalid = ValidationError({CURSOR_PARAM: [_("This cursor is not valid for this list; start again without it.")]})
        try:
            state = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if not isinstance(state, dict) or state.get("o") != self.signature:
                raise invalid
            values = state["v"]
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise invalid
            parsed = [None if value is None else _field(model, key.path).to_python(value)
                      for key, value in zip(self.keys, values, strict=True)]
            return bool(state.get("b")), parsed
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, FieldDoesNotExist,
                DjangoValidationError) as error:
            raise invalid from error

    # --- the schema -----------------------------------------------------------------------

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": CURSOR_PARAM, "required": False, "in": "query",
                "description": force_str(_("The cursor from a page's `next` or `previous` link.")),
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE_PARAM, "required": False, "in": "query",
                "description": force_str(_("Rows per page (default %(default)d).") % {"default": self.page_size}),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        # The examples let drf-spectacular wrap an endpoint's example row in a whole page.
        following = {**link, "example": "https://portal.example/api/v1/applications/?cursor=cD0yMDI2LTExLTMw"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": following, "previous": {**link, "example": None}, "results": schema},
        }
