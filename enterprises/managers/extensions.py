"""What other apps add to the service manager's workbench and to the obligations calendar.

The enterprises app imports no app above it, yet the workbench shows applications, warnings,
policy matches, confirmations waiting and ratings, and the calendar the dates approvals and
grants create. Each of those apps (or the portal, which composes them) registers here:

- a *section* of the workbench: `collect(enterprise_ids)` answers, for those enterprises, the
  items to show, in a constant number of queries whatever the number of enterprises;
- an *obligation source*: `collect(enterprise_ids, start, end)` answers the obligations whose
  date falls between `start` and `end` (either may be None), of those enterprises (None: all);
- an *alert scan*: `scan(today)` tells the managers of what it finds (lateness, new matches),
  once each, and answers how many it told.

The 免申即享 offers waiting for an enterprise's confirmation are one more section
(`register_section("confirmations", …)`), filled by the app that makes the offers.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One line of a workbench section: what it is, a detail, where to open it, its date."""

    title: str
    detail: str = ""
    link: str = ""
    on: datetime.date | None = None
    # "warning" for what needs the manager's attention (late, rated badly); "" otherwise.
    level: str = ""


@dataclass(frozen=True)
class Section:
    code: str
    label: Any
    collect: Callable[[list[int]], dict[int, list[Item]]]
    order: int = 100


@dataclass(frozen=True)
class Obligation:
    """One date an approval or a grant binds the enterprise to.

    `uid` is stable across runs (the feed's UID and the reminders' key); `kind` one of KINDS.
    """

    uid: str
    enterprise_id: int
    on: datetime.date
    kind: str
    title: str
    detail: str = ""
    link: str = ""
    reference: str = ""
    extra: dict = field(default_factory=dict, compare=False)


ObligationSource = Callable[[list[int] | None, datetime.date | None, datetime.date | None], Iterable[Obligation]]

SECTIONS: dict[str, Section] = {}
OBLIGATION_SOURCES: dict[str, ObligationSource] = {}
ALERT_SCANS: dict[str, Callable[[datetime.date], int]] = {}


def register_section(code: str, label: Any, collect: Callable[[list[int]], dict[int, list[Item]]],
                     order: int = 100) -> None:
    """Add (or replace, by `code`) a section of the workbench."""
    SECTIONS[code] = Section(code=code, label=label, collect=collect, order=order)


def unregister_section(code: str) -> None:
    SECTIONS.pop(code, None)


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda section: (section.order, section.code))


def register_obligations(name: str, collect: ObligationSource) -> None:
    """Add (or replace, by `name`) a source of obligations for the calendar."""
    OBLIGATION_SOURCES[name] = collect


def register_alert_scan(name: str, scan: Callable[[datetime.date], int]) -> None:
    """Add (or replace, by `name`) a periodic scan that tells managers of what it finds."""
    ALERT_SCANS[name] = scan
