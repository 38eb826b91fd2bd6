"""Writing tables people open in spreadsheets: streamed, with formulas neutralised and ids kept as text."""

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from io import BytesIO, StringIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(neutralise(value))


def stream_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text chunk by chunk (UTF-8 with a BOM so that Excel reads the accents), one row at a time."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    text_columns: Iterable[int] = (),
    sheet_title: str = "Data",
) -> bytes:
    """An XLSX workbook built in write-only mode (rows are not kept in memory).

    Columns in ``text_columns`` are stored as text cells formatted ``@``, so a 16-digit NIK keeps every digit.
    """
    text_columns = set(text_columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(list(header))
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in text_columns and value is not None:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.number_format = "@"
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        sheet.append(cells)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
