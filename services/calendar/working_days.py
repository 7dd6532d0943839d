"""The working-day calendar (工作日) behind every statutory and promised deadline.

Working days are weekdays, minus Chinese public holidays, plus official make-up working days (调休).
Sources, by precedence:

1. ``CalendarDay`` rows entered in the admin: they decide their date, whatever else says.
2. The ``chinese-calendar`` package (data for 2004–2026 in 1.11.0). Only its data tables are read,
   never its functions, so a year it does not know cannot raise ``NotImplementedError`` here.
3. For a year known neither to the package nor by a ``CalendarYear`` row: weekends and the
   fixed-date statutory holidays (元旦 Jan 1, 劳动节 May 1, 国庆节 Oct 1–3). Such a year is
   *provisional*, and so is every due date that counts or skips one of its days.

Each year is reduced once to a sorted tuple of its working days (as ordinals) and kept in a
module-level dict, so counting is a bisection, not a database query per day. The dict is
cleared by ``clear_cache()``, which the ``post_save``/``post_delete`` signals of ``CalendarDay`` and
``CalendarYear`` call; other processes (gunicorn workers, Celery) learn of the change through a
version stamp in Django's shared cache, checked at most every ``VERSION_CHECK_SECONDS``.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import chinese_calendar
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.core.access import is_official
from services.models import CalendarDay, CalendarYear

logger = logging.getLogger(__name__)

#: Fixed-date statutory holidays used for a year whose official schedule is unknown.
FALLBACK_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))

#: How often (seconds) a process compares its cache with the shared version stamp.
VERSION_CHECK_SECONDS = 30.0
VERSION_CACHE_KEY = "services.calendar.version"


def _package_by_year(table: dict) -> dict[int, frozenset[datetime.date]]:
    years: dict[int, set[datetime.date]] = {}
    for day in table:
        years.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in years.items()}


# The package's data, indexed by year once at import (it never changes while running).
_PACKAGE_HOLIDAYS = _package_by_year(chinese_calendar.holidays)
_PACKAGE_WORKDAYS = _package_by_year(chinese_calendar.workdays)
PACKAGE_YEARS: frozenset[int] = frozenset(_PACKAGE_HOLIDAYS)


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed date; ``provisional`` when a day counted or skipped lies in a provisional year."""

    date: datetime.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class _Year:
    working: tuple[int, ...]  # ordinals of the year's working days, ascending
    provisional: bool


@dataclass(frozen=True, slots=True)
class _Entries:
    entered_years: frozenset[int]
    days: dict[int, dict[datetime.date, str]]  # year -> {date: CalendarDay.kind}


# --- the cache ------------------------------------------------------------------------------

_cache: dict = {"years": {}, "entries": None}  # years: {year: _Year}; entries: _Entries | None
_lock = threading.Lock()
_state = {"generation": 0, "seen_version": None, "checked_at": float("-inf")}


def clear_cache() -> None:
    """Forget this process's computed years (bulk_create/update bypass signals: call this after)."""
    with _lock:
        _state["generation"] += 1
        _cache["years"] = {}
        _cache["entries"] = None


def _invalidate() -> None:
    """Clear this process's cache and tell the other processes to clear theirs."""
    clear_cache()
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_CACHE_KEY, version, timeout=None)
    except Exception:  # the shared cache being down must not break saving a holiday
        logger.exception("Could not publish the calendar version; other processes keep their cache")
        return
    _state["seen_version"] = version


def _check_shared_version() -> None:
    now = time.monotonic()
    if now - _state["checked_at"] < VERSION_CHECK_SECONDS:
        return
    _state["checked_at"] = now
    try:
        version = cache.get(VERSION_CACHE_KEY)
    except Exception:
        logger.warning("Could not read the calendar version from the shared cache", exc_info=True)
        return
    if version != _state["seen_version"]:
        _state["seen_version"] = version
        clear_cache()


def _uncommitted_change() -> bool:
    """True while this thread's open transaction holds a calendar change not yet committed.

    What is read then may be rolled back, so it is used but not cached. (Django forgets the
    pending ``on_commit`` hook on rollback, and runs it on commit.)
    """
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        hook[1] is _invalidate for hook in getattr(connection, "run_on_commit", ())
    )


def _store(key: str, value, generation: int, year: int | None = None) -> None:
    with _lock:
        # Rows read before a concurrent invalidation may be stale: use them, do not keep them.
        if generation != _state["generation"] or _uncommitted_change():
            return
        if year is None:
            _cache[key] = value
        else:
            _cache[key][year] = value


def _load_entries() -> _Entries:
    entries = _cache["entries"]
    if entries is not None:
        return entries
    generation = _state["generation"]
    days: dict[int, dict[datetime.date, str]] = {}
    for date, kind in CalendarDay.objects.values_list("date", "kind"):
        days.setdefault(date.year, {})[date] = kind
    entries = _Entries(frozenset(CalendarYear.objects.values_list("year", flat=True)), days)
    _store("entries", entries, generation)
    return entries


def _build_year(year: int, entries: _Entries) -> _Year:
    known = year in PACKAGE_YEARS or year in entries.entered_years
    holidays = set(_PACKAGE_HOLIDAYS.get(year, ()))
    workdays = set(_PACKAGE_WORKDAYS.get(year, ()))
    if not known:
        holidays.update(datetime.date(year, month, day) for month, day in FALLBACK_HOLIDAYS)
    for date, kind in entries.days.get(year, {}).items():
        if kind == CalendarDay.Kind.HOLIDAY:
            holidays.add(date)
            workdays.discard(date)
        else:
            workdays.add(date)
            holidays.discard(date)
    first, last = datetime.date(year, 1, 1).toordinal(), datetime.date(year, 12, 31).toordinal()
    working = tuple(
        ordinal
        for ordinal in range(first, last + 1)
        if (day := datetime.date.fromordinal(ordinal)) in workdays
        or (day.weekday() < 5 and day not in holidays)
    )
    return _Year(working=working, provisional=not known)


def _year(year: int) -> _Year:
    cached = _cache["years"].get(year)
    if cached is not None:
        return cached
    generation = _state["generation"]
    built = _build_year(year, _load_entries())
    _store("years", built, generation, year)
    return built


def _as_date(day: datetime.date) -> datetime.date:
    return day.date() if isinstance(day, datetime.datetime) else day


# --- the public API -------------------------------------------------------------------------


def is_provisional_year(year: int) -> bool:
    """True if neither the package nor a ``CalendarYear`` row gives the official schedule of ``year``."""
    _check_shared_version()
    return _year(year).provisional


def is_working_day(day: datetime.date) -> bool:
    """True if ``day`` is a working day."""
    _check_shared_version()
    day = _as_date(day)
    working = _year(day.year).working
    ordinal = day.toordinal()
    index = bisect.bisect_left(working, ordinal)
    return index < len(working) and working[index] == ordinal


def add_working_days(start: datetime.date, days: int) -> DueDate:
    """The date ``days`` working days after ``start`` (``start`` not counted; negative counts back)."""
    _check_shared_version()
    start = _as_date(start)
    if days == 0:
        return DueDate(start, False)
    year, ordinal, remaining = start.year, start.toordinal(), abs(days)
    while True:
        working = _year(year).working
        if days > 0:
            index = bisect.bisect_right(working, ordinal) if year == start.year else 0
            if remaining <= len(working) - index:
                found = datetime.date.fromordinal(working[index + remaining - 1])
                span = (start + datetime.timedelta(days=1), found)
                break
            remaining -= len(working) - index
            year += 1
        else:
            index = bisect.bisect_left(working, ordinal) if year == start.year else len(working)
            if remaining <= index:
                found = datetime.date.fromordinal(working[index - remaining])
                span = (found, start - datetime.timedelta(days=1))
                break
            remaining -= index
            year -= 1
    provisional = any(_year(y).provisional for y in range(span[0].year, span[1].year + 1))
    return DueDate(found, provisional)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
    _check_shared_version()
    start, end = _as_date(start), _as_date(end)
    if end <= start:
        return 0
    first, last = start.toordinal(), end.toordinal()
    total = 0
    for year in range(start.year, end.year + 1):
        working = _year(year).working
        total += bisect.bisect_right(working, last) - bisect.bisect_right(working, first)
    return total


def missing_years(today: datetime.date | None = None) -> list[int]:
    """This year and next year, those whose official schedule is not known yet."""
    _check_shared_version()
    this_year = (today or timezone.localdate()).year
    return [year for year in (this_year, this_year + 1) if _year(year).provisional]


def admin_calendar_warning(request) -> dict:
    """Context processor: the missing years, for staff on admin pages (cached, no query once warm)."""
    user = getattr(request, "user", None)
    if not is_official(user):
        return {}
    try:
        admin_root = reverse("admin:index")
    except NoReverseMatch:
        admin_root = "/admin/"
    if not request.path.startswith(admin_root):
        return {}
    return {"calendar_missing_years": missing_years()}


# --- invalidation ---------------------------------------------------------------------------


def _on_calendar_change(sender, using: str = "default", **kwargs) -> None:
    # Now, so this transaction sees its own change; again at commit, so that no thread or
    # process keeps what it read before the commit.
    _invalidate()
    transaction.on_commit(_invalidate, using=using)


for _model in (CalendarDay, CalendarYear):
    post_save.connect(_on_calendar_change, sender=_model, dispatch_uid=f"calendar-save-{_model.__name__}")
    post_delete.connect(
        _on_calendar_change, sender=_model, dispatch_uid=f"calendar-delete-{_model.__name__}"
    )
