"""Writing the applications of `applications.py`: chunk by chunk, each in one transaction, by COPY.

One process draws the next chunks (Python's work) while this one copies (PostgreSQL's); chunks
come back in order, so what is committed is always a prefix, and a stopped run goes on from the
number of applications already there.
"""

import multiprocessing
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.seeding.applications import SHARED_FILE, Chunk, applicants, catalogue, officials
from portal.seeding.copying import copy_text, reset_sequence


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


# What the drawing processes share with the one writing, set before they are forked.
_SHARED: dict[str, Any] = {}


def _draw(start: int) -> list[tuple[str, list[str], bytes, int]]:
    """The chunk starting at `start`, as COPY text per table (in a child process)."""
    shared = _SHARED
    chunk = Chunk(start, min(start + shared["chunk"], shared["total"]), items=shared["items"],
                  filers=shared["filers"], staff=shared["staff"], seed=shared["seed"], now=shared["now"])
    return [(table, columns, "".join("\t".join(map(_text, row)) + "\n" for row in rows).encode(), len(rows))
            for table, columns, rows in chunk.tables()]


def shared_file() -> None:
    """The one small PDF every seeded material row points to."""
    from django.core.files.base import ContentFile

    from portal.core.files import private_storage
    from portal.management.commands.seed_demo import demo_licence

    storage = private_storage()
    if not storage.exists(SHARED_FILE):
        storage.save(SHARED_FILE, ContentFile(demo_licence()))


def seed_applications(total: int, *, prefix: str, seed: int, chunk: int, workers: int = 1,
                      on_chunk: Any = None) -> int:
    """Applications 1..`total` (ids from 1), going on after those already there; returns rows written."""
    from services.models import Application

    done = Application.objects.count()
    if done >= total:
        return 0
    items, staff, filers = catalogue(), officials(prefix), applicants()
    if not filers:
        raise ValueError("No verified enterprise to file applications: seed the enterprises first.")
    shared_file()
    _SHARED.update(items=items, staff=staff, filers=filers, seed=seed, now=timezone.now(), chunk=chunk, total=total)
    written = 0
    starts = range(done, total, chunk)
    with multiprocessing.get_context("fork").Pool(processes=max(1, min(workers, len(starts)))) as pool:
        for start, tables in zip(starts, pool.imap(_draw, starts), strict=True):
            with transaction.atomic():
                for table, columns, text, count in tables:
                    written += copy_text(table, columns, text, count)
                reset_sequence("services_application")
            if on_chunk:
                on_chunk(min(start + chunk, total))
    return written
