"""The answers of an application's form, checked against its item's fields: the one validation.

`clean_answers(service, answers, complete=...)` is called by the workflow whenever a form is
stored (a draft created or changed) and when it is submitted or resubmitted, so the clerk's
page, the API and the admin refuse the same answers with the same messages. Types, bounds,
patterns, options, row counts and unknown keys are checked always; required fields (and a
table's minimum of rows) only when `complete`, at submission, so a draft can be saved half filled.

A refusal is a `ValidationError` with one entry per answer at fault, named by its path under
`form`: `form.floor_area`, `form.staff` (the rows as a whole), `form.staff[2].health_certificate`
(one cell) — the API answers it as it is (`errors`, `field`), a page shows each message next to
its field. An item that defines no fields keeps the free form of before: any object of named
values, bounded by the portal's input checks.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from services.catalogue.form_fields import (
    MAX_TEXT_LENGTH,
    PREFILL_SOURCES,
    FieldKind,
    FormField,
    decimal_shown,
    form_of,
)

FORM = "form"
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DECIMAL_PLACES = 4
NUMBER_LIMIT = Decimal(10) ** 12  # beyond any area, head count or amount a form asks for


class Refused(Exception):
    """One answer is wrong: the message says how."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def path(key: str, row: int | None = None, column: str | None = None) -> str:
    """The name of an answer in an error: `form.key`, or `form.key[row].column` for a cell."""
    name = f"{FORM}.{key}"
    if row is not None:
        name += f"[{row}]"
    if column is not None:
        name += f".{column}"
    return name


def fields_of(service: Any) -> list[FormField]:
    """The item's fields; read through `.all()`, so a prefetch of `form_fields` serves them."""
    return list(service.form_fields.all())


def is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


# --- one answer of each kind ----------------------------------------------------------------------


def _text(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(_("Enter text."))
    value = value.strip()
    limit = min(field.max_length or MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)
    if len(value) > limit:
        raise Refused(_("At most %(limit)s characters (this has %(count)s).") % {"limit": limit, "count": len(value)})
    if field.pattern and not re.fullmatch(field.pattern, value):
        raise Refused(field.pattern_message_shown or _("Not in the expected form."))
    return value


def _number(field: FormField, value: Any) -> int | float:
    # A page posts text, an API client a JSON number; true and false are not numbers.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Refused(_("Enter a number."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise Refused(_("Enter a number.")) from None
    if not number.is_finite():
        raise Refused(_("Enter a number."))
    if abs(number) >= NUMBER_LIMIT:
        raise Refused(_("Enter a number below %(limit)s.") % {"limit": f"{NUMBER_LIMIT:,.0f}"})
    integral = number == number.to_integral_value()
    if field.whole_number and not integral:
        raise Refused(_("Enter a whole number."))
    if not integral and -number.as_tuple().exponent > MAX_DECIMAL_PLACES:
        raise Refused(_("At most %(places)s decimal places.") % {"places": MAX_DECIMAL_PLACES})
    if field.min_value is not None and number < field.min_value:
        raise Refused(_("At least %(min)s.") % {"min": decimal_shown(field.min_value)})
    if field.max_value is not None and number > field.max_value:
        raise Refused(_("At most %(max)s.") % {"max": decimal_shown(field.max_value)})
    return int(number) if integral else float(number)


def _date(field: FormField, value: Any) -> str:
    if not isinstance(value, str) or not DATE_PATTERN.match(value.strip()):
        raise Refused(_("Enter a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise Refused(_("“%(value)s” is not a date of the calendar.") % {"value": value.strip()}) from None


def _choice(field: FormField, value: Any) -> str | list[str]:
    offered = [option.value for option in field.option_list()]
    if field.multiple and not isinstance(value, list):
        raise Refused(_("Choose among the options, as a list."))
    chosen = value if field.multiple else [value]
    for item in chosen:
        if not isinstance(item, str) or item not in offered:
            shown = item[:50] if isinstance(item, str) else str(item)[:50]
            raise Refused(_("“%(value)s” is not one of the options: %(options)s.")
                          % {"value": shown, "options": ", ".join(offered)})
    if field.multiple:
        if len(set(chosen)) != len(chosen):
            raise Refused(_("An option is chosen twice."))
        return [option for option in offered if option in chosen]  # in the options' order
    return value


SIMPLE_KINDS = {FieldKind.TEXT: _text, FieldKind.NUMBER: _number, FieldKind.DATE: _date, FieldKind.CHOICE: _choice}


# --- the whole form -----------------------------------------------------------------------------


@dataclass
class _Check:
    complete: bool
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def simple(self, form_field: FormField, value: Any, name: str) -> Any:
        """The cleaned value, or None when empty (a missing required one is refused if complete)."""
        if is_empty(value):
            if self.complete and form_field.required:
                self.refuse(name, _("This field is required."))
            return None
        try:
            return SIMPLE_KINDS[form_field.kind](form_field, value)
        except Refused as refusal:
            self.refuse(name, refusal.message)
            return None

    def table(self, table: FormField, value: Any, columns: Sequence[FormField]) -> list[dict] | None:
        name = path(table.key)
        if value is None:
            value = []
        if not isinstance(value, list):
            self.refuse(name, _("Give the rows as a list."))
            return None
        if len(value) > table.row_limit():
            # Refused before any row is read: the work stays bounded.
            self.refuse(name, _("At most %(limit)s rows (this has %(count)s).")
                        % {"limit": table.row_limit(), "count": len(value)})
            return None
        keys = {column.key for column in columns}
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                self.refuse(path(table.key, index), _("Each row is an object of named cells."))
                continue
            for unknown in sorted(set(row) - keys):
                self.refuse(path(table.key, index, unknown[:50]), _("This table has no column “%(key)s”.")
                            % {"key": unknown[:50]})
            if all(is_empty(row.get(key)) for key in keys):
                continue  # an empty row of the page's table is no row
            cleaned = {}
            for column in columns:
                answer = self.simple(column, row.get(column.key), path(table.key, index, column.key))
                if answer is not None:
                    cleaned[column.key] = answer
            rows.append(cleaned)
        least = max(table.min_rows or 0, 1 if table.required else 0)
        if self.complete and len(rows) < least:
            self.refuse(name, _("This field is required.") if not rows
                        else _("At least %(count)s rows.") % {"count": least})
        return rows or None


def clean_answers(service: Any, answers: Any, *, complete: bool = False,
                  fields: Iterable[FormField] | None = None) -> dict:
    """The answers as stored: checked against the item's fields, empty answers left out.

    Raises `ValidationError` naming every answer at fault (`form.<key>`, `form.<table>[row].<column>`).
    `complete`: the application is being submitted, so required answers must be there.
    """
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationError({FORM: _("The form must be an object of named fields.")})
    definition = list(fields) if fields is not None else fields_of(service)
    if not definition:
        return answers  # an item without a defined form keeps the free form
    top, columns = form_of(definition)
    check = _Check(complete)
    known = {form_field.key for form_field in top}
    for unknown in sorted(set(answers) - known):
        check.refuse(path(unknown[:50]), _("This form has no field “%(key)s”.") % {"key": unknown[:50]})
    cleaned: dict[str, Any] = {}
    for form_field in top:
        value = answers.get(form_field.key)
        if form_field.kind == FieldKind.TABLE:
            answer = check.table(form_field, value, columns[form_field.key])
        else:
            answer = check.simple(form_field, value, path(form_field.key))
        if answer is not None:
            cleaned[form_field.key] = answer
    if check.errors:
        raise ValidationError(check.errors)
    return cleaned


def answer_errors(error: ValidationError) -> dict[str, list[str]]:
    """The messages about answers, by path without `form.` (`staff[2].name`), for a page's fields."""
    if not hasattr(error, "error_dict"):
        return {}
    prefix = f"{FORM}."
    return {name.removeprefix(prefix): messages for name, messages in error.message_dict.items()
            if name.startswith(prefix)}


def prefilled(fields: Iterable[FormField], enterprise: Any) -> dict[str, Any]:
    """What the enterprise's registered data puts in the fields that declare a prefill source."""
    values: dict[str, Any] = {}
    for form_field in fields:
        source = PREFILL_SOURCES.get(form_field.prefill) if not form_field.table else None
        if source is None or enterprise is None:
            continue
        value = getattr(enterprise, source.attribute, None)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = decimal_shown(value)
        if not is_empty(value):
            values[form_field.key] = value
    return values
