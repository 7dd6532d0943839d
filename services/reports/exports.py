"""Exports of applications and of their decisions, as CSV or XLSX, for the admin and the API.

Rows are read with `iterator()` in chunks (a server-side cursor on PostgreSQL) and written as
they come into a temporary file that stays in memory while small and moves to disk when large,
so a million-row export never holds its rows in memory. The file is complete before it is sent:
the audit event then records exactly how many rows it holds, who asked and with which filters.

A cell whose text begins with = + - @ (or a tab or carriage return) could be taken for a formula
by a spreadsheet: in CSV it is prefixed with an apostrophe; in XLSX it is stored as text, which
a spreadsheet never evaluates.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from portal.core.audit import record_event
from services.models import Application
from services.reports.columns import DECISION_COLUMNS, application_columns, decisions_of
from services.reports.extensions import Column

CHUNK_ROWS = 2000
IN_MEMORY_BYTES = 4 * 1024 * 1024
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KINDS = {"applications": _("Applications"), "decisions": _("Decisions")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made plain text for CSV."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_of(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[list[Any]]:
    """The cells of each row, read in chunks."""
    paths = [path for column in columns for path in column.paths]
    spans, start = [], 0
    for column in columns:
        spans.append((column.show, start, start + len(column.paths)))
        start += len(column.paths)
    for values in queryset.values_list(*paths).iterator(chunk_size=CHUNK_ROWS):
        yield [_plain(show(*values[begin:end])) for show, begin, end in spans]


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


def write_csv(file: IO[bytes], headers: Sequence[str], rows: Iterable[list[Any]]) -> int:
    # With a byte-order mark: spreadsheet programmes then read the Chinese text as UTF-8.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([neutralised(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(file: IO[bytes], headers: Sequence[str], rows: Iterable[list[Any]], title: str) -> int:
    # Write-only: each row goes to the sheet's own temporary file as it is appended.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_text_cell(sheet, header) for header in headers])
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, cell) if isinstance(cell, str) else cell for cell in row])
        count += 1
    workbook.save(file)
    return count


def _text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the text begins with
    return cell


@dataclass
class ExportFile:
    file: IO[bytes]
    filename: str
    content_type: str
    rows: int

    def response(self) -> FileResponse:
        self.file.seek(0)
        return FileResponse(self.file, as_attachment=True, filename=self.filename, content_type=self.content_type)


def check_choice(kind: str, fmt: str) -> None:
    """Refuse an unknown export or format, naming the field."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(KINDS)}})
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}})


def export(user: Any, kind: str, fmt: str, applications: QuerySet[Application], *,
           filters: dict[str, Any], source: str) -> ExportFile:
    """Write the applications (or their decisions) the caller chose, and record the export.

    `applications` must already be the caller's (a visibility selector, then their filters);
    `filters` and `source` (admin, dashboard, api) are what the audit trail keeps of the request.
    """
    check_choice(kind, fmt)
    if kind == "applications":
        columns, queryset = application_columns(), applications.order_by("pk")
    else:
        columns, queryset = DECISION_COLUMNS, decisions_of(applications).order_by("pk")
    headers = [str(column.header) for column in columns]
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    rows = rows_of(queryset, columns)
    count = write_csv(file, headers, rows) if fmt == "csv" else write_xlsx(file, headers, rows, str(KINDS[kind]))
    record_event(user, "report.exported", user, data={
        "export": kind, "format": fmt, "source": source, "filters": filters, "rows": count,
    })
    filename = f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"
    return ExportFile(file=file, filename=filename, content_type=FORMATS[fmt], rows=count)


def filters_of(query: Any, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """A request's query parameters as the audit trail keeps them: one value, or the list of several."""
    left_out = set(leave_out)
    return {key: values[0] if len(values) == 1 else values
            for key, values in sorted(query.lists()) if key not in left_out}
