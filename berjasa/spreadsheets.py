"""Writing tables people open in spreadsheets: streamed, with formulas neutralised and ids kept as text."""

import csv
import re
import tempfile
import zipfile
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from typing import IO
from xml.sax.saxutils import escape

from django.db import connection, transaction
from django.utils import timezone

from berjasa.formatting import date_time, short_date

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    return _neutral_text(value) if isinstance(value, str) else value


def _neutral_text(text: str) -> str:
    return "'" + text if text[:1] in _TRIGGER_CHARACTERS else text


def _csv_text(value):
    """A cell as CSV text; the common case (text that is no formula) is checked first, as exports are hot."""
    if value.__class__ is str:
        return _neutral_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, datetime):
        return date_time(value)
    if isinstance(value, date):
        return short_date(value)
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
    """Write an XLSX workbook to ``handle``, streaming: each row goes straight into the zipped sheet.

    Columns in ``text_columns`` are text formatted ``@`` (the whole column, so a NIK typed into a new row stays
    text too), and their values are written as text: a 16-digit NIK keeps every digit. ``more_sheets`` adds
    sheets of (title, header, rows) after the first, all text, such as a list of codes.

    Written by hand rather than with openpyxl, whose write-only mode builds an object per cell: a
    300,000-row roster takes ~50 s with it and a few seconds here (docs/decisions.md).
    """
    sheets = [(sheet_title, header, rows, set(text_columns))]
    sheets += [(title, head, body, set(range(len(head)))) for title, head, body in more_sheets]
    with zipfile.ZipFile(
        handle, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION
    ) as package:
        package.writestr("[Content_Types].xml", _content_types(len(sheets)))
        package.writestr("_rels/.rels", _PACKAGE_RELS)
        package.writestr("xl/workbook.xml", _workbook([title for title, *_ in sheets]))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        package.writestr("xl/styles.xml", _STYLES)
        for number, (_, sheet_header, sheet_rows, text) in enumerate(sheets, start=1):
            with package.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                _write_sheet(part, sheet_header, sheet_rows, text)


# --- the XLSX format (ECMA-376): the few parts a workbook of plain tables needs ---------------------------------

XLSX_COMPRESSION = 1  # deflate's fastest level: the XML of a table compresses ~10x even so
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PACKAGE_RELS = (
    f'{_XML}<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{_DOCUMENT_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Cell styles by position: 0 plain, 1 text (@), 2 date, 3 date and time, 4 bold (the header).
_TEXT, _DATE, _DATETIME, _HEADER = 1, 2, 3, 4
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh.mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_EXCEL_EPOCH = date(
    1899, 12, 30
)  # day 0 of spreadsheet dates (Excel's 1900 leap-year bug included)
# Characters XML 1.0 does not allow in a document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_PER_WRITE = 1_000
_TYPED = (
    bool,
    int,
    float,
    Decimal,
    date,
)  # written as cells of their type; any other value as its text


def _content_types(sheet_count: int) -> str:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{sheet_type}"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(titles: list[str]) -> str:
    quote = {'"': "&quot;"}
    sheets = "".join(
        f'<sheet name="{escape(title[:31], quote)}" sheetId="{number}" r:id="rId{number}"/>'
        for number, title in enumerate(titles, start=1)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELATIONSHIPS}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheet_count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{number}" Type="{_DOCUMENT_RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_XML}<Relationships xmlns="{_RELATIONSHIPS}">{sheets}'
        f'<Relationship Id="rIdStyles" Type="{_DOCUMENT_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _write_sheet(
    part: IO[bytes], header: Sequence, rows: Iterable[Sequence], text: set[int]
) -> None:
    """The sheet's XML: the text columns styled as text, a bold header, then the rows, 1,000 at a time.

    Cells carry no reference: each follows the one before (an empty cell is written as ``<c/>``).
    """
    columns = "".join(
        f'<col min="{index + 1}" max="{index + 1}" width="22" customWidth="1" style="{_TEXT}"/>'
        for index in sorted(text)
    )
    part.write(
        f'{_XML}<worksheet xmlns="{_MAIN}">{f"<cols>{columns}</cols>" if columns else ""}<sheetData>'.encode()
    )
    chunk = [_row(header, range(len(header)), style=_HEADER)]
    for row in rows:
        chunk.append(_row(row, text))
        if len(chunk) == _ROWS_PER_WRITE:
            part.write("".join(chunk).encode())
            chunk = []
    chunk.append("</sheetData></worksheet>")
    part.write("".join(chunk).encode())


def _row(values: Sequence, text: Container[int], style: int = _TEXT) -> str:
    """A row's XML. Text (and any value of a column in ``text``, styled ``style``) is an inline string, with
    an apostrophe before what a spreadsheet would run as a formula; other values are cells of their type."""
    cells = []
    for index, value in enumerate(values):
        if value.__class__ is not str:
            if value is None:
                cells.append(f'<c s="{style}"/>' if index in text else "<c/>")
                continue
            if index not in text and isinstance(value, _TYPED):
                cells.append(_typed_cell(value))
                continue
            value = str(value)
        value = _neutral_text(value)
        if not value.isprintable():  # rare: a tab, a line break, or a control character XML forbids
            value = _NOT_XML.sub("", value)
        if "&" in value or "<" in value or ">" in value:
            value = escape(value)
        cells.append(
            f'<c t="inlineStr" s="{style if index in text else 0}">'
            f'<is><t xml:space="preserve">{value}</t></is></c>'
        )
    return f"<row>{''.join(cells)}</row>"


def _typed_cell(value) -> str:
    """A value of one of the ``_TYPED`` types."""
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        seconds = value.hour * 3_600 + value.minute * 60 + value.second
        days = (value.date() - _EXCEL_EPOCH).days + seconds / 86_400
        return f'<c s="{_DATETIME}"><v>{days}</v></c>'
    return f'<c s="{_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'


@contextmanager
def planned_to_the_end() -> Iterator[None]:
    """Queries read to their last row: a transaction in which PostgreSQL plans cursors for every row.

    By default PostgreSQL plans a cursor (Django's ``iterator()``) for its first tenth of rows
    (``cursor_tuple_fraction``): for a roster sorted by name, a walk of the name index that reads a
    300,000-row roster in ~6 s, where one sort reads it in ~2.5 s.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def temporary_file(write: Callable[[IO[bytes]], None]) -> IO[bytes]:
    """A temporary file holding what ``write`` wrote, rewound: a large download streamed in constant memory."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response that streams it closes it
    write(handle)
    handle.seek(0)
    return handle
