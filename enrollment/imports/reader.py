"""Reading a table out of a file as people make them: CSV or text (UTF-8 with or without BOM, Windows-1252, or
UTF-16 with BOM as Excel's "Unicode Text"; comma, semicolon or tab) or XLSX (the sheet holding the column names,
formulas by their saved results). Rows stream one at a time, so a 300,000-row file never sits in memory whole, and
every file is held to the same limits (rows, columns, characters in a cell; an XLSX's sizes: ``workbook``).
"""

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from berjasa.formatting import number as format_number
from berjasa.spreadsheets import FORMULA_TRIGGERS
from enrollment.imports.workbook import (
    Limits,
    Workbook,
    WorkbookRefused,
    column_name,
    too_many_rows,
)

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 10  # a title or a blank line may stand above the column names


class RefusedFile(Exception):
    """The whole file is refused (nothing of it is imported); ``message`` says why, for a clerk."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Column:
    """A column of an import file: the header we write, the headers we also accept, and whether it must be there.

    Headers are matched in any case and spacing: ``Tanggal Lahir``, ``tanggal_lahir`` and ``TANGGAL LAHIR`` are
    one column.
    """

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = False  # kept as text in spreadsheets (ids whose leading digits matter)

    def names(self) -> set[str]:
        return {header_key(name) for name in (self.header, self.key, *self.aliases)}


def header_key(name: object) -> str:
    return " ".join(re.split(r"[\s_.\-/]+", str(name or "").strip().lower())).strip()


@dataclass(frozen=True)
class FileShape:
    """What the reader found out about a file; the error report is written in the same shape."""

    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    sheet: str = ""  # an XLSX's sheet part that holds the table ("": the first sheet)


@dataclass
class Table:
    shape: FileShape
    header_row: int
    header: list[str]
    positions: dict[str, int]  # column key → index in a row
    rows: Iterator[
        tuple[int, list]
    ]  # (row number as a spreadsheet shows it, cells), blank rows left out


def open_table(file: IO[bytes], columns: Sequence[Column]) -> Table:
    """Read the header and return the table, whose rows are read lazily from ``file``.

    Refuses (``RefusedFile``) a file that is not a table, that has no data rows, or that lacks required columns.
    """
    shape = sniff(file)
    if shape.kind == "xlsx":
        shape = FileShape("xlsx", sheet=_table_sheet(file, columns))
    rows = _filled(read_rows(file, shape))
    try:
        header_row, header, positions = _find_header(rows, columns)
    except RefusedFile as refusal:
        # A NUL byte before any column names: binary, not a table with one bad row.
        if refusal.code == "nul_character":
            raise RefusedFile(_not_a_table(), code="not_a_table") from None
        raise
    first = next(rows, None)
    if first is None:
        raise RefusedFile(_("The file has column names but no rows of data."), code="no_rows")
    return Table(shape, header_row, header, positions, itertools.chain([first], rows))


def _filled(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows that are not blank."""
    return (
        (number, cells)
        for number, cells in rows
        if any(cell is not None and cell != "" for cell in cells)
    )


def read_rows(file: IO[bytes], shape: FileShape) -> Iterator[tuple[int, list]]:
    """Every row of the file as it is, with its row number (for writing the error report)."""
    return _xlsx_rows(file, shape.sheet) if shape.kind == "xlsx" else _csv_rows(file, shape)


def sniff(file: IO[bytes]) -> FileShape:
    file.seek(0)
    head = file.read(64 * 1024)
    file.seek(0)
    if not head.strip():
        raise RefusedFile(_("The file is empty."), code="empty")
    if head.startswith(XLSX_MAGIC):
        return FileShape("xlsx")
    if head.startswith(OLD_EXCEL_MAGIC):
        raise RefusedFile(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as an Excel workbook "
                "(.xlsx) or as CSV, then upload it again."
            ),
            code="old_excel",
        )
    if head.startswith(UTF16_BOMS):  # Excel's "Unicode Text": UTF-16 with its byte order mark, tabs
        encoding = "utf-16"
    elif b"\x00" in head.split(b"\n", 1)[0]:  # a NUL in the first line: binary, not text
        raise RefusedFile(_not_a_table(), code="not_a_table")
    else:
        encoding = _text_encoding(file)
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text else ""
    delimiter = max(DELIMITERS, key=first_line.count)
    return FileShape("csv", encoding=encoding, delimiter=delimiter)


def _not_a_table() -> str:
    return _("This file is not a table. Upload a CSV file or an Excel workbook (.xlsx).")


def _text_encoding(file: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if every byte decodes as UTF-8, else Windows-1252 (what Excel writes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    file.seek(0)
    return encoding


def _csv_rows(file: IO[bytes], shape: FileShape) -> Iterator[tuple[int, list]]:
    """The rows of a text file, held to the limits: rows, columns, characters in a cell, no NUL character."""
    limits = Limits.from_settings()
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=shape.encoding, errors="replace", newline="")
    # The csv module's limit is the process's: set for this file, given back at the end.
    field_size_limit = csv.field_size_limit(limits.cell_chars)
    # A line may hold every column at its longest; reading no more than that keeps a file without line breaks
    # from being read whole.
    line_limit = limits.columns * (limits.cell_chars + 3) + 2
    reader = csv.reader(_lines(text, line_limit), delimiter=shape.delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number > limits.rows:
                raise RefusedFile(too_many_rows(number, limits.rows), code="too_many_rows")
            if len(row) > limits.columns and any(cell.strip() for cell in row[limits.columns :]):
                raise RefusedFile(
                    _too_many_columns(number, limits.columns), code="too_many_columns"
                )
            joined = "".join(row)
            if "\x00" in joined:
                raise RefusedFile(
                    _(
                        "Row %(row)d holds a NUL character (a zero byte), which no table text contains: "
                        "the file is damaged or was not saved as text. Save it again as CSV and upload it "
                        "again."
                    )
                    % {"row": number},
                    code="nul_character",
                )
            cells = [cell.strip() for cell in row]
            if "'" in joined and any(cell[:1] == "'" for cell in cells):
                cells = [_unescape(cell) for cell in cells]
            yield number, cells
    except _LineTooLong:
        raise RefusedFile(
            _("Row %(row)d is longer than %(limit)s characters.")
            % {"row": number + 1, "limit": format_number(line_limit)},
            code="cell_too_long",
        ) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise RefusedFile(
                _("A cell of row %(row)d holds more than %(limit)s characters.")
                % {"row": number + 1, "limit": format_number(limits.cell_chars)},
                code="cell_too_long",
            ) from None
        raise RefusedFile(_not_a_table(), code="not_a_table") from None
    finally:
        csv.field_size_limit(field_size_limit)
        text.detach()  # leave the underlying file open for its owner


class _LineTooLong(Exception):
    pass


def _lines(text: IO[str], limit: int) -> Iterator[str]:
    """The file's lines, none read past ``limit`` characters."""
    while line := text.readline(limit):
        if len(line) == limit and line[-1] not in "\r\n":
            raise _LineTooLong
        yield line


def _too_many_columns(row: int, limit: int) -> str:
    return _(
        "Row %(row)d has a value beyond column %(column)s; an import file may have at most %(limit)d "
        "columns."
    ) % {"row": row, "column": column_name(limit - 1), "limit": limit}


def _unescape(text: str) -> str:
    """Undo the apostrophe our exports put before a cell a spreadsheet would run as a formula."""
    if text[:1] == "'" and text[1:2] and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _workbook(file: IO[bytes]) -> Workbook:
    try:
        return Workbook(file, Limits.from_settings())
    except WorkbookRefused as refusal:
        raise RefusedFile(refusal.message, code=refusal.code) from None


def _xlsx_rows(file: IO[bytes], sheet: str = "") -> Iterator[tuple[int, list]]:
    workbook = _workbook(file)
    try:
        for number, values in workbook.rows(sheet or workbook.sheets[0][1]):
            yield (
                number,
                [_unescape(value.strip()) if isinstance(value, str) else value for value in values],
            )
    except WorkbookRefused as refusal:
        raise RefusedFile(refusal.message, code=refusal.code) from None
    finally:
        workbook.close()


def _table_sheet(file: IO[bytes], columns: Sequence[Column]) -> str:
    """The sheet whose first rows hold the column names: the first sheet when none or it does; refused when
    several do (which one is meant is not for us to guess)."""
    workbook = _workbook(file)
    try:
        sheets = workbook.sheets
        if len(sheets) == 1:
            return sheets[0][1]
        key_names = _key_column(columns).names()
        holders = []
        for name, part in sheets:
            first_rows = itertools.islice(_filled(workbook.rows(part)), HEADER_SEARCH_ROWS)
            if any(
                key_names & {header_key(cell) for cell in cells} for _number, cells in first_rows
            ):
                holders.append((name, part))
    except WorkbookRefused as refusal:
        raise RefusedFile(refusal.message, code=refusal.code) from None
    finally:
        workbook.close()
    if len(holders) > 1:
        raise RefusedFile(
            _(
                "The sheets %(sheets)s all hold the column names. Keep the data on one sheet (delete the "
                "others or copy it into a new workbook) and upload it again."
            )
            % {"sheets": ", ".join(f"“{name}”" for name, _part in holders)},
            code="several_sheets",
        )
    return holders[0][1] if holders else sheets[0][1]


def _key_column(columns: Sequence[Column]) -> Column:
    return next(column for column in columns if column.required)


def _find_header(
    rows: Iterator[tuple[int, list]], columns: Sequence[Column]
) -> tuple[int, list[str], dict[str, int]]:
    """The first of the first few rows that names a required column is the header; missing columns refuse."""
    key_column = _key_column(columns)
    candidates = []
    for number, cells in rows:
        candidates.append((number, cells))
        if key_column.names() & {header_key(cell) for cell in cells}:
            break
        if len(candidates) == HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise RefusedFile(_("The file is empty."), code="empty")
    header_row, cells = candidates[-1]
    if not key_column.names() & {header_key(cell) for cell in cells}:
        header_row, cells = candidates[0]
    header = ["" if cell is None else str(cell).strip() for cell in cells]
    positions: dict[str, int] = {}
    keys = [header_key(name) for name in header]
    for column in columns:
        found = [index for index, key in enumerate(keys) if key in column.names()]
        if len(found) > 1:
            raise RefusedFile(
                _("The column “%(column)s” appears more than once; keep one.")
                % {"column": column.header},
                code="duplicate_column",
            )
        if found:
            positions[column.key] = found[0]
    missing = [
        column.header for column in columns if column.required and column.key not in positions
    ]
    if not positions:  # not one column we know: whatever this is, it is not a table of workers
        raise RefusedFile(_not_a_table(), code="not_a_table")
    if missing:
        raise RefusedFile(
            _(
                "The file lacks the columns %(columns)s. The first row must hold the column names; "
                "download the template to see them."
            )
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    return header_row, header, positions
