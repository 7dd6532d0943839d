"""Bulk loading with COPY, the fastest path into PostgreSQL, behind a progress bar that counts rows."""

import time
from collections.abc import Iterable

from django.db import connection


class Throughput:
    """Rows written and the seconds it took, over every COPY of a run: what `rows/s` reports."""

    def __init__(self) -> None:
        self.rows = 0
        self.seconds = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


TOTAL = Throughput()


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple], total: int | None, label: str,
              *, progress: bool = True) -> int:
    """COPY `rows` into `table`; returns how many were written (counted into `TOTAL`)."""
    from tqdm import tqdm

    started, count = time.perf_counter(), 0
    quoted = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            bar = tqdm(rows, total=total, desc=label, unit="row", mininterval=0.5, disable=not progress, leave=False)
            for row in bar:
                copy.write_row(row)
                count += 1
    TOTAL.rows += count
    TOTAL.seconds += time.perf_counter() - started
    return count


def next_id(table: str) -> int:
    """The first id above the rows already there: COPY writes the ids itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    """Move the id sequence past the copied rows, so rows created later get fresh ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))")


def copy_text(table: str, columns: list[str], text: bytes, count: int) -> int:
    """COPY rows already in COPY's text format (tab-separated, \\N for NULL); returns `count`."""
    started = time.perf_counter()
    quoted = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            copy.write(text)
    TOTAL.rows += count
    TOTAL.seconds += time.perf_counter() - started
    return count
