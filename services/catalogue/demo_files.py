"""Reading the demo data files (JSON) that the demo loaders seed from: every problem names the file and the entry.

`services/catalogue/demo.py` and `talent/demo.py` read their files through `Entry`: each value
is checked as it is read, by type and then by the models' own rules (`check_model`), and a key
nobody reads is refused, so a malformed file stops seed_demo with one clear message before
anything is written, not with a traceback from the ORM.
"""

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

_REQUIRED = object()  # marks a key that has no default


class DemoDataError(ValueError):
    """A demo data file that cannot be used; the message names the file and the entry."""


def shown(value: Any) -> str:
    """A value as the file spells it, cut short for a message."""
    if isinstance(value, Decimal):  # a number with a point in the file
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)[:60]


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys without a word; in a hand-edited file that is a slip.
    keys = [key for key, _value in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"the key {shown(twice[0])} is given twice in one object")
    return dict(pairs)


def read_json(path: Path) -> Any:
    """The parsed file; decimals stay exact (Decimal), and any problem names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DemoDataError(f"{path}: not UTF-8 text.") from None
    except OSError as error:
        raise DemoDataError(f"{path}: cannot be read ({error.strerror or error}).") from None
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise DemoDataError(f"{path}, line {error.lineno} column {error.colno}: not valid JSON ({error.msg}).") from None
    except ValueError as error:
        raise DemoDataError(f"{path}: {error}.") from None


class Entry:
    """One object of a demo file, read key by key: each problem names the file and the entry."""

    def __init__(self, path: Path, where: str, data: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(data, dict):
            raise self.error(f"expected an object, found {shown(data)}")
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def error(self, message: str) -> DemoDataError:
        place = f"{self.path}, {self.where}" if self.where else str(self.path)
        # The models' messages (in the site's language) bring their own full stop.
        end = "" if message.endswith((".", "。")) else "."
        return DemoDataError(f"{place}: {message}{end}")

    def _inner(self, name: str) -> str:
        return f"{self.where}, {name}" if self.where else name

    def value(self, key: str, default: Any = _REQUIRED) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is _REQUIRED:
            raise self.error(f"“{key}” is missing")
        return default

    def _typed(self, key: str, default: Any, accept: tuple[type, ...], what: str, nullable: bool) -> Any:
        if key not in self.data and default is not _REQUIRED:
            self._read.add(key)
            return default
        value = self.value(key)
        if value is None and nullable:
            return value
        # bool is an int to Python, never to the reader of the file.
        if not isinstance(value, accept) or (isinstance(value, bool) and bool not in accept):
            raise self.error(f"“{key}” must be {what}{' or null' if nullable else ''}, not {shown(value)}")
        return value

    def text(self, key: str, default: Any = _REQUIRED, *, blank: bool = False) -> str:
        value = self._typed(key, default, (str,), "a string", nullable=False)
        if not blank and not value.strip():
            raise self.error(f"“{key}” must not be empty")
        return value

    def lines(self, key: str) -> str:
        """A list of lines (one condition each), joined as the model's text."""
        value = self.value(key)
        if not isinstance(value, list) or not value or not all(isinstance(line, str) and line for line in value):
            raise self.error(f"“{key}” must be a non-empty list of non-empty strings, not {shown(value)}")
        return "\n".join(value)

    def codes(self, key: str) -> tuple[str, ...]:
        value = self.value(key)
        if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
            raise self.error(f"“{key}” must be a non-empty list of codes, not {shown(value)}")
        if len(set(value)) != len(value):
            raise self.error(f"“{key}” names a code twice: {shown(value)}")
        return tuple(value)

    def flag(self, key: str, default: Any = _REQUIRED) -> bool:
        return self._typed(key, default, (bool,), "true or false", nullable=False)

    def whole(self, key: str, default: Any = _REQUIRED, *, nullable: bool = False) -> int | None:
        return self._typed(key, default, (int,), "a whole number", nullable)

    def decimal(self, key: str, default: Any = _REQUIRED, *, nullable: bool = False) -> Decimal | None:
        value = self._typed(key, default, (int, Decimal), "a number", nullable)
        return value if value is None else Decimal(value)

    def date(self, key: str, default: Any = _REQUIRED, *, nullable: bool = False) -> datetime.date | None:
        value = self._typed(key, default, (str,), "a date (YYYY-MM-DD)", nullable)
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise self.error(f"“{key}” must be a date (YYYY-MM-DD), not {shown(value)}") from None
        return value

    def choice(self, key: str, choices: type[models.TextChoices]) -> str:
        value = self.text(key)
        if value not in choices.values:
            raise self.error(f"“{key}” is {shown(value)}; allowed: {', '.join(choices.values)}")
        return value

    def entries(self, key: str, default: Any = _REQUIRED, *, named_by: str = "code") -> list["Entry"]:
        """The list of objects under `key`, each named by its index and its `named_by` value."""
        value = self.value(key, default)
        if not isinstance(value, list):
            raise self.error(f"“{key}” must be a list, not {shown(value)}")
        return [Entry(self.path, self._inner(_entry_name(key, index, item, named_by)), item)
                for index, item in enumerate(value)]

    def object(self, key: str) -> "Entry":
        """The object under `key`, named by it."""
        return Entry(self.path, self._inner(key), self.value(key))

    def finish(self) -> None:
        """Refuse keys nobody read: a misspelt key would otherwise be ignored silently."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)}")


def _entry_name(key: str, index: int, item: Any, named_by: str) -> str:
    name = item.get(named_by) if isinstance(item, dict) else None
    return f"{key}[{index}]" + (f" ({name})" if isinstance(name, str) else "")


def top_level(path: Path) -> Entry:
    """The file's top object; its "about" text is for people and is not read."""
    entry = Entry(path, "", read_json(path))
    entry.text("about", "", blank=True)
    return entry


def check_model(entry: Entry, instance: models.Model, exclude: Iterable[str]) -> None:
    """The model's own field and clean() rules, without the database: refused here, not by a constraint."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            problems = "; ".join(
                " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
        else:
            problems = " ".join(error.messages)
        raise entry.error(problems) from None
