"""An item's form as a page shows it: HTML fields from the definition, and the answers read back.

`form_fields_shown` gives the template what each field needs (its label and help in the user's
language, required mark, value, options, table rows, errors next to it); `answers_from_post`
reads a posted form back into answers for `form_answers.clean_answers`, which alone decides
what is right. `answers_shown` lays stored answers out for reading (the clerk's status page, the
officials' admin); `labels_of` names answers in messages ("从业人员 第2行 · 姓名").
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from services.applications.form_answers import FORM, is_empty
from services.catalogue.form_fields import FieldKind, FormField, decimal_shown, form_of

INPUT_TYPES = {FieldKind.TEXT: "text", FieldKind.NUMBER: "text", FieldKind.DATE: "date"}
EXTRA_ROWS = 5  # rows a "more rows" button adds, without script
CELL_PATH = re.compile(r"^(?P<table>[a-z0-9_]+)\[(?P<row>\d+)\]\.(?P<column>.+)$")


def input_name(key: str, row: int | None = None, column: str | None = None) -> str:
    """The HTML name of a field (`form-key`) or a cell (`form-key-2-column`): never one of the page's own."""
    return f"form-{key}" if row is None else f"form-{key}-{row}-{column}"


@dataclass
class Option:
    value: str
    label: str
    selected: bool


@dataclass
class Shown:
    """One field or cell on the page."""

    field: FormField
    name: str
    value: Any
    errors: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    input_type: str = "text"
    columns: list[FormField] = field(default_factory=list)
    rows: list[list["Shown"]] = field(default_factory=list)
    row_errors: list[list[str]] = field(default_factory=list)
    hint: str = ""

    @property
    def id(self) -> str:
        return f"id_{self.name}"


def _value_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return value


def _one(form_field: FormField, name: str, value: Any, errors: list[str]) -> Shown:
    shown = Shown(form_field, name, _value_text(value), errors, input_type=INPUT_TYPES.get(form_field.kind, "text"),
                  hint=bounds_hint(form_field) if form_field.kind == FieldKind.NUMBER else "")
    if form_field.kind == FieldKind.CHOICE:
        chosen = value if isinstance(value, list) else [value]
        shown.options = [Option(option.value, option.shown(), option.value in chosen)
                         for option in form_field.option_list()]
    return shown


def form_fields_shown(fields: Iterable[FormField], answers: Mapping[str, Any],
                      errors: Mapping[str, list[str]] | None = None, more_rows: str = "") -> list[Shown]:
    """Each field of the form with its value from `answers` and its messages from `errors` (by path
    without `form.`); a table gets its rows, one blank row more (`EXTRA_ROWS` for `more_rows`)."""
    errors = errors or {}
    top, columns = form_of(list(fields))
    shown = []
    for form_field in top:
        value = answers.get(form_field.key)
        item = _one(form_field, input_name(form_field.key), value, errors.get(form_field.key, []))
        if form_field.kind == FieldKind.TABLE:
            rows = value if isinstance(value, list) else []
            wanted = len(rows) + (EXTRA_ROWS if more_rows == form_field.key else 1)
            count = min(max(wanted, form_field.min_rows or 1), form_field.row_limit())
            item.columns = columns[form_field.key]
            for index in range(count):
                row = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
                item.rows.append([
                    _one(column, input_name(form_field.key, index, column.key), row.get(column.key),
                         errors.get(f"{form_field.key}[{index}].{column.key}", []))
                    for column in item.columns
                ])
                item.row_errors.append(errors.get(f"{form_field.key}[{index}]", []))
            item.value = ""
        shown.append(item)
    return shown


def _posted(form_field: FormField, data: QueryDict, name: str) -> Any:
    if form_field.kind == FieldKind.CHOICE and form_field.multiple:
        return data.getlist(name)
    return data.get(name, "")


def answers_from_post(fields: Iterable[FormField], data: QueryDict) -> dict[str, Any]:
    """The answers a posted page gives, as text (the check converts them): only the form's own fields."""
    top, columns = form_of(list(fields))
    answers: dict[str, Any] = {}
    for form_field in top:
        if form_field.kind != FieldKind.TABLE:
            answers[form_field.key] = _posted(form_field, data, input_name(form_field.key))
            continue
        rows = []
        for index in range(form_field.row_limit()):
            names = {column.key: input_name(form_field.key, index, column.key) for column in columns[form_field.key]}
            if not any(name in data for name in names.values()):
                break
            rows.append({column.key: _posted(column, data, names[column.key]) for column in columns[form_field.key]})
        answers[form_field.key] = rows
    return answers


# --- reading stored answers ------------------------------------------------------------------


@dataclass
class Answer:
    label: str
    text: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _text_of(form_field: FormField, value: Any) -> str:
    if is_empty(value):
        return "—"
    if form_field.kind == FieldKind.CHOICE:
        labels = {option.value: option.shown() for option in form_field.option_list()}
        chosen = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(item), str(item)) for item in chosen)
    return str(_value_text(value))


def answers_shown(fields: Iterable[FormField], answers: Mapping[str, Any] | None) -> list[Answer]:
    """The answers by the form's fields, in order, with their labels; a free form (no fields) by its keys."""
    answers = answers or {}
    fields = list(fields)
    if not fields:
        return [Answer(str(key), str(value)) for key, value in sorted(answers.items())]
    top, columns = form_of(fields)
    shown = []
    for form_field in top:
        value = answers.get(form_field.key)
        if form_field.kind == FieldKind.TABLE:
            rows = value if isinstance(value, list) else []
            shown.append(Answer(form_field.label_shown, columns=[c.label_shown for c in columns[form_field.key]],
                                rows=[[_text_of(c, row.get(c.key)) for c in columns[form_field.key]]
                                      for row in rows if isinstance(row, dict)]))
        else:
            shown.append(Answer(form_field.label_shown, _text_of(form_field, value)))
    return shown


def labels_of(fields: Iterable[FormField], names: Iterable[str]) -> dict[str, str]:
    """Labels for the answers named in an error (`form.key`, `form.table[2].column`), in the user's language."""
    by_key = {form_field.key: form_field for form_field in fields}
    labels = {}
    prefix = f"{FORM}."
    for name in names:
        if not name.startswith(prefix):
            continue
        path = name.removeprefix(prefix)
        cell = CELL_PATH.match(path)
        if cell and cell["table"] in by_key:
            column = by_key.get(cell["column"])
            labels[name] = _("%(table)s, row %(row)s: %(column)s") % {
                "table": by_key[cell["table"]].label_shown, "row": int(cell["row"]) + 1,
                "column": column.label_shown if column else cell["column"]}
        elif path.split("[")[0] in by_key:
            labels[name] = by_key[path.split("[")[0]].label_shown
    return labels


def bounds_hint(form_field: FormField) -> str:
    """The limits of a number, told beside the field (e.g. "10 – 5000")."""
    low, high = decimal_shown(form_field.min_value), decimal_shown(form_field.max_value)
    if low and high:
        return f"{low} – {high}"
    if low:
        return f"≥ {low}"
    return f"≤ {high}" if high else ""
