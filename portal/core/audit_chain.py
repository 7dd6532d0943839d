"""The audit chain: each event carries SM3(previous event's hash ‖ its own canonical record).

Changing, removing or inserting an event in the middle of the trail breaks every link after it,
so `verify_chain` (run by `manage.py verify_audit` and nightly by `portal.verify_audit_chain`)
finds the first event that no longer fits.

The canonical record of an event is the JSON object of its fields that do not depend on the
database's numbering — `action`, `actor` (the user's id, or null), `at` (UTC, ISO 8601 with
microseconds: `2026-03-02T02:00:00.000000+00:00`), `data`, `from_state`, `reason`,
`target_id`, `target_type`, `to_state` — with sorted keys, no whitespace (`,` and `:`) and
non-ASCII characters written as themselves. The hash is SM3 of the UTF-8 bytes of the previous
event's hash (64 lower-case hex characters; 64 zeros before the first event) followed directly
by that JSON.
"""

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from portal.core.digest import sm3_digest

GENESIS = "0" * 64  # the "previous hash" of the first event

# The key of the PostgreSQL advisory lock that serialises appends: "XFGAUDIT" in ASCII.
CHAIN_LOCK = 0x5846_4741_5544_4954

CHUNK = 2000  # rows per fetch while walking the chain: memory stays flat at millions of events

# The columns verify_chain reads, in the order canonical_of_row expects them.
CHAIN_COLUMNS = ("id", "at", "actor_id", "action", "target_type", "target_id", "from_state", "to_state",
                 "reason", "data", "previous_hash", "hash")


def canonical_event(
    *,
    at: datetime.datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    from_state: str,
    to_state: str,
    reason: str,
    data: Any,
) -> str:
    """The canonical record of one event (the format is in this module's docstring)."""
    return json.dumps(
        {
            "action": str(action),
            "actor": actor_id,
            "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "data": data,
            "from_state": str(from_state),
            "reason": str(reason),
            "target_id": int(target_id),
            "target_type": str(target_type),
            "to_state": str(to_state),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def link_hash(previous_hash: str, canonical: str) -> str:
    """SM3(previous hash ‖ canonical record): the hash an event stores."""
    return sm3_digest(previous_hash + canonical)


def as_stored(data: Any) -> Any:
    """`data` as the database gives it back (tuples as lists, keys as strings), so the hash
    written is the hash a later reading recomputes."""
    return json.loads(json.dumps(data))


def lock_chain() -> None:
    """Hold the append lock until the current transaction ends.

    Without it two transactions could read the same last hash and both link to it. On SQLite
    writes are serialised by the database itself; there is no advisory lock to take.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def last_hash() -> str:
    """The hash of the newest event, or GENESIS on an empty trail; read under lock_chain()."""
    from portal.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


@dataclass(frozen=True)
class BrokenLink:
    """An event whose stored hash or previous hash is not what the events before it give."""

    event_id: int
    at: datetime.datetime
    action: str
    stored_hash: str
    expected_hash: str
    stored_previous: str
    expected_previous: str

    def __str__(self) -> str:
        where = f"broken at event #{self.event_id} (at {self.at.isoformat()}, action {self.action})"
        if self.stored_previous != self.expected_previous:
            # The event does not follow the one before it: an event between them was removed,
            # or this link was rewritten.
            return f"{where}: stored previous hash {self.stored_previous} expected {self.expected_previous}"
        return f"{where}: stored hash {self.stored_hash} expected {self.expected_hash}"


@dataclass(frozen=True)
class ChainCheck:
    """What a walk of the chain found."""

    events: int
    head: str  # the newest event's stored hash (GENESIS on an empty trail)
    first_broken: BrokenLink | None
    broken_links: int

    @property
    def intact(self) -> bool:
        return self.first_broken is None

    def __str__(self) -> str:
        if self.first_broken is None:
            return f"{self.events} events, chain intact"
        return f"{self.first_broken} ({self.broken_links} broken link(s) among {self.events} events)"


def _rows() -> Iterator[tuple]:
    from portal.models import AuditEvent

    return AuditEvent.objects.order_by("id").values_list(*CHAIN_COLUMNS).iterator(chunk_size=CHUNK)


def count_events() -> int:
    from portal.models import AuditEvent

    return AuditEvent.objects.count()


def verify_chain(progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Recompute every event's hash, oldest first, and compare it and its link with the stored ones.

    `progress(n)` is told every n events walked. After a broken link the walk goes on from the
    stored hash, so one old break does not hide later ones.
    """
    expected_previous = GENESIS
    events = broken_links = since_progress = 0
    first_broken = None
    # One transaction: the cursor streams the rows in chunks instead of being held and copied
    # whole on the server, and the walk sees one consistent snapshot while events are added.
    with transaction.atomic():
        for event_id, at, actor_id, action, target_type, target_id, from_state, to_state, reason, data, \
                stored_previous, stored_hash in _rows():
            expected = link_hash(expected_previous, canonical_event(
                at=at, actor_id=actor_id, action=action, target_type=target_type, target_id=target_id,
                from_state=from_state, to_state=to_state, reason=reason, data=data,
            ))
            if stored_hash != expected or stored_previous != expected_previous:
                broken_links += 1
                if first_broken is None:
                    first_broken = BrokenLink(event_id, at, action, stored_hash, expected, stored_previous,
                                              expected_previous)
            expected_previous = stored_hash
            events += 1
            since_progress += 1
            if progress is not None and since_progress == CHUNK:
                progress(since_progress)
                since_progress = 0
    if progress is not None and since_progress:
        progress(since_progress)
    return ChainCheck(events, expected_previous, first_broken, broken_links)
