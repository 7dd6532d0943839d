"""The application forms of the demonstration items: the `form` list of an item in `demo_data/catalogue.json`.

Each entry is one field, read and checked as the admin checks it (`FormField.clean()`, then
`definition_problems` for the whole form); a table field lists its own fields under `columns`:

    {"key": "staff", "kind": "table", "label": "从业人员", "min_rows": 1,
     "columns": [{"key": "staff_name", "kind": "text", "label": "姓名", "required": true}, …]}

Options of a choice field are objects `{"value", "label", "label_en"}`.
"""

from typing import Any

from services.catalogue.demo_files import Entry, check_model
from services.catalogue.form_fields import FieldKind, FormField, definition_problems
from services.models import ServiceItem

TEXTS = ["label_en", "help", "help_en", "pattern", "pattern_message", "pattern_message_en", "prefill"]
WHOLES = ["max_length", "min_rows", "max_rows"]
FLAGS = ["required", "whole_number", "multiple"]


def _options(entry: Entry) -> str:
    lines = []
    for option in entry.entries("options", [], named_by="value"):
        lines.append("|".join([option.text("value"), option.text("label"), option.text("label_en", "", blank=True)]))
        option.finish()
    return "\n".join(lines)


def _field(entry: Entry, table: str) -> dict[str, Any]:
    values: dict[str, Any] = {"key": entry.text("key"), "kind": entry.text("kind"), "label": entry.text("label"),
                              "table": table}
    values.update({name: entry.text(name, "", blank=True) for name in TEXTS})
    values.update({name: entry.whole(name, None, nullable=True) for name in WHOLES})
    values.update({name: entry.flag(name, False) for name in FLAGS})
    values["min_value"] = entry.decimal("min", None, nullable=True)
    values["max_value"] = entry.decimal("max", None, nullable=True)
    values["options"] = _options(entry)
    return values


def read_form(entry: Entry, service: ServiceItem) -> tuple[dict[str, Any], ...]:
    """The item's form fields in order (columns right after their table), each checked; the form as a whole too."""
    specs: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for child in entry.entries("form", [], named_by="key"):
        field = _field(child, "")
        columns = child.entries("columns", [], named_by="key") if field["kind"] == FieldKind.TABLE else []
        child.finish()
        specs.append(field)
        entries.append(child)
        for column in columns:
            specs.append(_field(column, field["key"]))
            column.finish()
            entries.append(column)
    rows = [FormField(service=service, order=order, **spec) for order, spec in enumerate(specs, start=1)]
    for child, row in zip(entries, rows, strict=True):
        check_model(child, row, exclude=["service"])
    for index, problems in definition_problems(rows).items():
        raise entries[index].error("; ".join(f"{name}: {' '.join(texts)}" for name, texts in problems.items()))
    return tuple(specs)


def create_form(service: ServiceItem, specs: tuple[dict[str, Any], ...]) -> None:
    FormField.objects.bulk_create(
        FormField(service=service, order=order, **spec) for order, spec in enumerate(specs, start=1)
    )
