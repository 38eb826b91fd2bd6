"""Reading a table out of a file as people make them: CSV (UTF-8 with or without BOM, or Windows-1252; comma,
semicolon or tab) or XLSX. Rows stream one at a time, so a 300,000-row file never sits in memory whole.
"""

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from berjasa.spreadsheets import FORMULA_TRIGGERS

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 10  # a title or a blank line may stand above the column names
csv.field_size_limit(1024 * 1024)


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
    imported: bool = True  # False: written for information, ignored on import

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
    rows = (
        (number, cells)
        for number, cells in read_rows(file, shape)
        if any(cell is not None and cell != "" for cell in cells)
    )
    header_row, header, positions = _find_header(rows, columns)
    first = next(rows, None)
    if first is None:
        raise RefusedFile(_("The file has column names but no rows of data."), code="no_rows")
    return Table(shape, header_row, header, positions, itertools.chain([first], rows))


def read_rows(file: IO[bytes], shape: FileShape) -> Iterator[tuple[int, list]]:
    """Every row of the file as it is, with its row number (for writing the error report)."""
    return _xlsx_rows(file) if shape.kind == "xlsx" else _csv_rows(file, shape)


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
    if b"\x00" in head:
        raise RefusedFile(_not_a_table(), code="not_a_table")
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
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=shape.encoding, errors="replace", newline="")
    try:
        for number, row in enumerate(csv.reader(text, delimiter=shape.delimiter), start=1):
            cells = [cell.strip() for cell in row]
            if any(cell[:1] == "'" for cell in cells):
                cells = [_unescape(cell) for cell in cells]
            yield number, cells
    except csv.Error:
        raise RefusedFile(_not_a_table(), code="not_a_table") from None
    finally:
        text.detach()  # leave the underlying file open for its owner


def _unescape(text: str) -> str:
    """Undo the apostrophe our exports put before a cell a spreadsheet would run as a formula."""
    if text[:1] == "'" and text[1:2] and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple[int, list]]:
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise RefusedFile(_not_a_table(), code="not_a_table") from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield (
                number,
                [_unescape(value.strip()) if isinstance(value, str) else value for value in values],
            )
    finally:
        workbook.close()


def _find_header(
    rows: Iterator[tuple[int, list]], columns: Sequence[Column]
) -> tuple[int, list[str], dict[str, int]]:
    """The first of the first few rows that names a required column is the header; missing columns refuse."""
    key_column = next(column for column in columns if column.required)
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
        if not column.imported:
            continue
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
