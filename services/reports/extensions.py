"""What other apps add to the dashboard and to the exports, knowing neither.

The talent app registers a `ReportRules` (see talent/reports.py): a dashboard section of its
policies' quota and budget, and export columns of the talent an application is for. Services
never import the talent app; the dashboard renders whatever sections are registered, in order.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Model


def _as_text(*values: Any) -> Any:
    return "" if values[0] is None else values[0]


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (translated when written), the ORM paths it reads from
    each row, and how those values become the cell (`show(*values)`)."""

    header: Any
    paths: tuple[str, ...]
    show: Callable[..., Any] = _as_text


@dataclass(frozen=True)
class Section:
    """A block of the dashboard: the template to include, given `context` as `section`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


class ReportRules(Protocol):
    def dashboard_section(self, user: Any, departments: Iterable[Model], period: Any) -> Section | None:
        """The app's figures for the departments and period of the dashboard; None if it has none."""

    def application_columns(self) -> list[Column]:
        """Columns the export of applications adds (values read through the application's relations)."""


_registered: list[ReportRules] = []


def register(rules: ReportRules) -> None:
    if rules not in _registered:
        _registered.append(rules)


def dashboard_sections(user: Any, departments: Iterable[Model], period: Any) -> list[Section]:
    sections = (rules.dashboard_section(user, departments, period) for rules in _registered)
    return [section for section in sections if section is not None]


def application_columns() -> list[Column]:
    return [column for rules in _registered for column in rules.application_columns()]
