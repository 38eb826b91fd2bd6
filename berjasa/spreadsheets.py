"""Writing tables people open in spreadsheets: streamed, with formulas neutralised and ids kept as text."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from io import StringIO
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def _csv_text(value):
    """A cell as CSV text; the common case (text that is no formula) is checked first, as exports are hot."""
    if value.__class__ is str:
        return "'" + value if value[:1] in _TRIGGER_CHARACTERS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, int) else str(neutralise(value))


def stream_csv(
    header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ","
) -> Iterator[str]:
    """CSV text chunk by chunk (UTF-8 with a BOM so that Excel reads the accents), one row at a time."""
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    yield "\ufeff"
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(
    handle: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    text_columns: Iterable[int] = (),
    sheet_title: str = "Data",
    more_sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]] = (),
) -> None:
    """Write an XLSX workbook to ``handle`` in write-only mode: rows are streamed, never kept in memory.

    Columns in ``text_columns`` are stored as text cells formatted ``@``, so a 16-digit NIK keeps every digit.
    ``more_sheets`` adds sheets of (title, header, rows) after the first, such as a list of codes.
    """
    workbook = Workbook(write_only=True)
    _append_sheet(workbook, sheet_title, header, rows, set(text_columns))
    for title, sheet_header, sheet_rows in more_sheets:
        _append_sheet(workbook, title, sheet_header, sheet_rows, set(range(len(sheet_header))))
    workbook.save(handle)


def _append_sheet(workbook, title: str, header, rows, text_columns: set[int]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in text_columns and value is not None:
                cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
                cell.number_format = "@"
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        sheet.append(cells)


def temporary_file(write: Callable[[IO[bytes]], None]) -> IO[bytes]:
    """A temporary file holding what ``write`` wrote, rewound: a large download streamed in constant memory."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response that streams it closes it
    write(handle)
    handle.seek(0)
    return handle
