"""Reading the rows of an XLSX workbook within bounds, whatever the file holds.

An XLSX file is a zip of XML parts. A small file can inflate to gigabytes (one shared string of 1 GiB, a sheet of
millions of rows, a styles part of millions of formats), lie about its parts' sizes in the zip directory, or
declare XML entities that expand exponentially ("billion laughs"). So, before any XML is parsed, the zip directory
is checked (number of parts, each part's size and compression ratio, their total), and every part's prolog is
checked for a document type declaration (no XLSX has one). While reading, the real size of each part is counted
against what its directory entry declares, and the XML is parsed by expat as a stream, with a document type
declaration refused, each cell's text counted as it arrives (a huge cell is refused before it is built), the
shared strings kept as one block of UTF-8 with an index (not a Python string each), and rows and columns counted.

openpyxl is not used for reading: its read-only mode builds the whole shared-strings table and styles in memory,
parses sheets with an ``iterparse`` that accumulates each text whole, and reports a formula without a saved
result as an empty cell. Its date helpers are used.
"""

import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from posixpath import join, normpath
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from berjasa.formatting import number

MB = 1024 * 1024
CHUNK = 256 * 1024  # bytes of a part decompressed and parsed at a time
OTHER_PART_MAX_BYTES = 16 * MB  # workbook, relationships, styles: a few kilobytes in real files
RATIO_FLOOR_BYTES = MB  # parts smaller than this are not held to the compression ratio
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*", re.DOTALL)
_EMPTY = ("", None)
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
)  # a bad checksum, bad deflate data, a cut-off part


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold (settings ``IMPORT_MAX_*``, README's configuration table)."""

    file_bytes: int
    unpacked_bytes: int
    ratio: int
    parts: int
    shared_strings_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            file_bytes=settings.IMPORT_MAX_FILE_MB * MB,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * MB,
            ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            parts=settings.IMPORT_MAX_XLSX_PARTS,
            shared_strings_bytes=settings.IMPORT_MAX_SHARED_STRINGS_MB * MB,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


class WorkbookRefused(Exception):
    """The workbook breaks a limit or is damaged; ``message`` says which, for a clerk; ``code`` for the batch."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def column_name(column: int) -> str:
    """``B`` for column index 1."""
    return get_column_letter(column + 1)


def cell_name(row: int, column: int) -> str:
    """``B7`` for row 7, column index 1."""
    return f"{column_name(column)}{row}"


class Workbook:
    """An XLSX package whose directory passed the checks; ``sheets`` lists (name, part) in the workbook's order."""

    def __init__(self, file: IO[bytes], limits: Limits) -> None:
        self.limits = limits
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
        if size > limits.file_bytes:
            raise WorkbookRefused(
                _("The file is %(size).1f MB; files of at most %(limit)d MB can be imported.")
                % {"size": size / MB, "limit": limits.file_bytes // MB},
                code="too_big",
            )
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise WorkbookRefused(_damaged(), code="not_a_table") from None
        self._check_directory()
        self._check_prologs()
        self.date1904, self.sheets = self._read_workbook()
        self.date_styles, self.timedelta_styles = self._read_styles()
        self._strings: _SharedStrings | None = None

    # --- the zip directory --------------------------------------------------------------------------------

    def _check_directory(self) -> None:
        limits = self.limits
        parts = self.zip.infolist()
        if len(parts) > limits.parts:
            raise WorkbookRefused(
                _("The workbook has %(count)s parts; at most %(limit)s are accepted.")
                % {"count": number(len(parts)), "limit": number(limits.parts)},
                code="too_many_parts",
            )
        total = 0
        for part in parts:
            if part.flag_bits & 0x1:
                raise WorkbookRefused(
                    _(
                        "The workbook is protected with a password. Save it without one and upload it again."
                    ),
                    code="encrypted",
                )
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise WorkbookRefused(_damaged(), code="damaged")
            self._check_size(part, part.file_size)
            total += part.file_size
        if total > limits.unpacked_bytes:
            raise WorkbookRefused(_unpacked_message(total, limits), code="too_big_unpacked")

    def _check_size(self, part: zipfile.ZipInfo, size: int) -> None:
        """Refuse a part larger than its limit or compressed more than the ratio allows."""
        limits = self.limits
        name = part.filename
        if name.startswith("xl/worksheets/"):
            if size > limits.unpacked_bytes:
                raise WorkbookRefused(_unpacked_message(size, limits), code="too_big_unpacked")
        elif name.lower().endswith("sharedstrings.xml"):
            if size > limits.shared_strings_bytes:
                raise WorkbookRefused(
                    _(
                        "The workbook's table of texts (shared strings) unpacks to more than %(limit)d MB; "
                        "at most %(limit)d MB are accepted. Split the file into smaller files."
                    )
                    % {"limit": limits.shared_strings_bytes // MB},
                    code="too_big_unpacked",
                )
        elif size > OTHER_PART_MAX_BYTES:
            raise WorkbookRefused(
                _(
                    "The workbook's part “%(part)s” (styles or structure) unpacks to more than %(limit)d MB; "
                    "a workbook of a table needs a few kilobytes. Copy the table into a new workbook and "
                    "upload that."
                )
                % {"part": name, "limit": OTHER_PART_MAX_BYTES // MB},
                code="too_big_unpacked",
            )
        if size > RATIO_FLOOR_BYTES and size > limits.ratio * max(part.compress_size, 1):
            raise WorkbookRefused(
                _(
                    "The workbook's part “%(part)s” unpacks to %(ratio)s times its packed size; at most "
                    "%(limit)d times is accepted (a file built to exhaust the server looks like this)."
                )
                % {
                    "part": part.filename,
                    "ratio": number(size // max(part.compress_size, 1)),
                    "limit": limits.ratio,
                },
                code="compression_ratio",
            )

    def _check_prologs(self) -> None:
        """No XML part may declare a document type (where entities are declared): no XLSX does."""
        for part in self.zip.infolist():
            if not part.filename.endswith((".xml", ".rels")):
                continue
            try:
                with self._open(part) as stream:
                    head = stream.read(4096)
            except _BROKEN_ZIP:
                raise WorkbookRefused(_damaged(), code="damaged") from None
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 XML: read its prolog as UTF-8
                head = head.decode("utf-16", errors="replace").encode()
            rest = head[_PROLOG.match(head).end() :]
            if rest.startswith(b"<!") or (len(rest) == 0 and len(head) == 4096):
                raise _entities_refused()

    # --- the parts a table needs ---------------------------------------------------------------------------

    def _read_workbook(self) -> tuple[bool, list[tuple[str, str]]]:
        relations = {}
        for attributes in self._elements("xl/_rels/workbook.xml.rels", {"Relationship"}):
            target = attributes.get("Target", "")
            target = normpath(target.lstrip("/") if target.startswith("/") else join("xl", target))
            relations[attributes.get("Id")] = (attributes.get("Type", ""), target)
        strings = [target for kind, target in relations.values() if kind.endswith("/sharedStrings")]
        self._strings_part = strings[0] if strings else ""
        self._styles_part = next(
            (target for kind, target in relations.values() if kind.endswith("/styles")), ""
        )
        date1904 = False
        sheets = []
        for tag, attributes in self._tagged_elements("xl/workbook.xml", {"workbookPr", "sheet"}):
            if tag == "workbookPr":
                date1904 = attributes.get("date1904") in ("1", "true")
                continue
            relation = next(
                (value for key, value in attributes.items() if key.endswith(":id")), None
            )
            kind, target = relations.get(relation, ("", ""))
            if kind.endswith("/worksheet") and target in self.zip.NameToInfo:
                sheets.append((attributes.get("name", ""), target))
        if not sheets:
            raise WorkbookRefused(_damaged(), code="damaged")
        return date1904, sheets

    def _read_styles(self) -> tuple[set[int], set[int]]:
        """The indexes of the cell formats that show a date (or a duration)."""
        if not self._styles_part or self._styles_part not in self.zip.NameToInfo:
            return set(), set()
        formats = dict(BUILTIN_FORMATS)
        dates, durations = set(), set()
        kinds: dict[
            str, set[int] | None
        ] = {}  # a format code → the set its cell formats go to (one test each)
        index = 0
        in_cell_formats = False
        for tag, attributes in self._tagged_elements(
            self._styles_part, {"numFmt", "cellXfs", "xf"}, ends={"cellXfs"}
        ):
            if tag == "numFmt":
                try:
                    formats[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
                except ValueError:
                    continue
            elif tag == "cellXfs":
                in_cell_formats = not in_cell_formats
            elif tag == "xf" and in_cell_formats:
                try:
                    code = formats.get(int(attributes.get("numFmtId", "0")), "")
                except ValueError:
                    code = ""
                if code not in kinds:
                    kinds[code] = (
                        (durations if is_timedelta_format(code) else dates)
                        if code and is_date_format(code)
                        else None
                    )
                if kinds[code] is not None:
                    kinds[code].add(index)
                index += 1
        return dates, durations

    # --- rows ---------------------------------------------------------------------------------------------

    def rows(self, part: str) -> Iterator[tuple[int, list]]:
        """Every row of the sheet in ``part`` that has a cell: (row number, values), values by column."""
        if self._strings is None:
            self._strings = self._read_shared_strings()
        sheet = _SheetReader(self, self._strings)
        parser = _parser()
        parser.StartElementHandler = sheet.start
        parser.EndElementHandler = sheet.end
        parser.CharacterDataHandler = sheet.text
        for _chunk in self._parse(part, parser):
            if sheet.ready:
                yield from sheet.ready
                sheet.ready = []

    def _read_shared_strings(self) -> "_SharedStrings":
        strings = _SharedStrings(self.limits.cell_chars)
        if self._strings_part and self._strings_part in self.zip.NameToInfo:
            parser = _parser()
            parser.StartElementHandler = strings.start
            parser.EndElementHandler = strings.end
            parser.CharacterDataHandler = strings.text
            for _chunk in self._parse(self._strings_part, parser):
                pass
        return strings

    def _elements(self, name: str, tags: set[str]) -> Iterator[dict]:
        return (attributes for _tag, attributes in self._tagged_elements(name, tags))

    def _tagged_elements(
        self, name: str, tags: set[str], ends: set[str] = frozenset()
    ) -> Iterator[tuple[str, dict]]:
        """(tag, attributes) of each element named in ``tags`` (and again at the end of those in ``ends``)."""
        if name not in self.zip.NameToInfo:
            raise WorkbookRefused(_damaged(), code="damaged")
        found: list[tuple[str, dict]] = []

        def start(tag, attributes):
            tag = tag.rpartition(":")[2]
            if tag in tags:
                found.append((tag, attributes))

        def end(tag):
            tag = tag.rpartition(":")[2]
            if tag in ends:
                found.append((tag, {}))

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        for _chunk in self._parse(name, parser):
            yield from found
            found.clear()

    def _parse(self, name: str, parser) -> Iterator[None]:
        """Feed the part to ``parser`` a chunk at a time, counting its real size; yields after each chunk."""
        part = self.zip.getinfo(name)
        unpacked = 0
        try:
            with self._open(part) as stream:
                while chunk := stream.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > part.file_size:  # the directory lied
                        raise WorkbookRefused(_damaged(), code="damaged")
                    parser.Parse(chunk, False)
                    yield
            parser.Parse(b"", True)
            yield
        except (
            expat.ExpatError,
            ValueError,
        ):  # not XML, or a row or style number that is no number
            raise WorkbookRefused(_damaged(), code="damaged") from None

    def _open(self, part: zipfile.ZipInfo):
        try:
            return self.zip.open(part)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise WorkbookRefused(_damaged(), code="damaged") from None

    def close(self) -> None:
        self.zip.close()


def _parser():
    """An expat parser that refuses a document type declaration (entities) and hands text over in pieces."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024
    parser.StartDoctypeDeclHandler = _refuse_entities
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _refuse_entities(*_args):
    raise _entities_refused()


def _entities_refused() -> WorkbookRefused:
    return WorkbookRefused(
        _(
            "The workbook declares its own XML entities, which Excel never writes (a file built to exhaust "
            "the server looks like this). Copy the table into a new workbook and upload that."
        ),
        code="xml_entities",
    )


def _damaged() -> str:
    return _(
        "The workbook is damaged or not an Excel workbook (.xlsx). Open it in Excel, save it again and "
        "upload it again."
    )


def _unpacked_message(size: int, limits: Limits) -> str:
    return _(
        "The workbook unpacks to %(size)s MB or more; workbooks of at most %(limit)s MB unpacked are "
        "accepted. Split it into smaller files."
    ) % {"size": number(size // MB), "limit": number(limits.unpacked_bytes // MB)}


def _too_long(row: int, column: int, limit: int) -> WorkbookRefused:
    return WorkbookRefused(
        _("The cell %(cell)s (row %(row)d) holds more than %(limit)s characters.")
        % {"cell": cell_name(row, column), "row": row, "limit": number(limit)},
        code="cell_too_long",
    )


class _SharedStrings:
    """The workbook's table of texts, as one block of UTF-8 and where each text starts."""

    def __init__(self, cell_chars: int) -> None:
        self.cell_chars = cell_chars
        self.block = bytearray()
        self.starts = array("I", [0])  # offsets below 4 GiB: the table is limited far below
        self.depth = (
            0  # inside <si>: 1; inside a phonetic run <rPh>, which is no part of the text: 2
        )
        self.in_text = False
        self.length = 0

    def start(self, tag, _attributes):
        tag = tag.rpartition(":")[2]
        if tag == "t" and self.depth == 1:
            self.in_text = True
        elif tag == "si":
            self.depth, self.length = 1, 0
        elif tag == "rPh":
            self.depth = 2

    def end(self, tag):
        tag = tag.rpartition(":")[2]
        if tag == "t":
            self.in_text = False
        elif tag == "si":
            self.depth = 0
            self.starts.append(len(self.block))
        elif tag == "rPh":
            self.depth = 1

    def text(self, data):
        if self.in_text:
            self.length += len(data)
            if self.length > self.cell_chars:
                raise WorkbookRefused(
                    _(
                        "Text number %(index)d of the workbook's table of texts holds more than %(limit)s "
                        "characters."
                    )
                    % {"index": len(self.starts), "limit": number(self.cell_chars)},
                    code="cell_too_long",
                )
            self.block += data.encode()

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        return self.block[self.starts[index] : self.starts[index + 1]].decode()

    def __len__(self) -> int:
        return len(self.starts) - 1


class _SheetReader:
    """expat handlers for a sheet: each finished row goes to ``ready`` as (row number, values)."""

    def __init__(self, workbook: Workbook, strings: _SharedStrings) -> None:
        limits = workbook.limits
        self.max_rows = limits.rows
        self.max_columns = limits.columns
        self.cell_chars = limits.cell_chars
        self.strings = strings
        self.dates = workbook.date_styles
        self.durations = workbook.timedelta_styles
        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        self.ready: list[tuple[int, list]] = []
        self.rows_read = 0
        self.row = 0
        self.values: list = []
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.text_parts: list[str] | None = None  # collecting a <v> or an inline <t>
        self.collected: list[str] = []
        self.length = 0
        self.value_seen = False
        self.formula = False
        self.phonetic = False

    def start(self, tag, attributes):
        tag = tag.rpartition(":")[2]
        if tag == "c":
            reference = attributes.get("r")
            self.column = _column_index(reference) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            self.style = int(attributes.get("s", 0) or 0)
            self.collected = []
            self.length = 0
            self.value_seen = self.formula = False
        elif tag == "v" or (tag == "t" and not self.phonetic):
            self.text_parts = self.collected
            self.value_seen = True
        elif tag == "row":
            self.rows_read += 1
            number = attributes.get("r")
            self.row = int(number) if number else self.row + 1
            if self.rows_read > self.max_rows:
                raise WorkbookRefused(too_many_rows(self.row, self.max_rows), code="too_many_rows")
            self.values = []
            self.column = -1
        elif tag == "f":
            self.formula = True
        elif tag == "rPh":
            self.phonetic = True

    def end(self, tag):
        tag = tag.rpartition(":")[2]
        if tag == "c":
            self._cell()
        elif tag in ("v", "t"):
            self.text_parts = None
        elif tag == "row":
            if self.values:
                self.ready.append((self.row, self.values))
        elif tag == "rPh":
            self.phonetic = False

    def text(self, data):
        if self.text_parts is not None:
            self.length += len(data)
            if self.length > self.cell_chars:
                raise _too_long(self.row, self.column, self.cell_chars)
            self.text_parts.append(data)

    def _cell(self):
        text = "".join(self.collected)
        # A formula's saved result is its <v>; without one (or with an empty one for anything but a text result,
        # as openpyxl and other generators write) the cell was never calculated.
        if self.formula and (not self.value_seen or (not text and self.kind != "str")):
            raise WorkbookRefused(
                _(
                    "The cell %(cell)s (row %(row)d) holds a formula whose result was never saved. Open the "
                    "file in Excel, let it recalculate, save it and upload it again (or paste the values)."
                )
                % {"cell": cell_name(self.row, self.column), "row": self.row},
                code="formula_without_value",
            )
        value = self._value(text)
        if value in _EMPTY:
            return
        if self.column >= self.max_columns:
            raise WorkbookRefused(
                _(
                    "The cell %(cell)s (row %(row)d) is beyond the %(limit)d columns an import file may "
                    "have."
                )
                % {
                    "cell": cell_name(self.row, self.column),
                    "row": self.row,
                    "limit": self.max_columns,
                },
                code="too_many_columns",
            )
        values = self.values
        if self.column < 0:
            raise WorkbookRefused(_damaged(), code="damaged")
        if self.column < len(values):  # cells out of order: rare, but valid XML
            values[self.column] = value
            return
        values.extend([None] * (self.column - len(values)))
        values.append(value)

    def _value(self, text: str):
        kind = self.kind
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise WorkbookRefused(_damaged(), code="damaged") from None
        if kind in ("inlineStr", "str", "e"):
            return text
        if not text:
            return None
        if kind == "b":
            return text == "1"
        if kind == "d":
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                return text
        try:
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        except ValueError:
            return text
        if self.style in self.dates or self.style in self.durations:
            try:
                return from_excel(number, self.epoch, timedelta=self.style in self.durations)
            except (OverflowError, ValueError):
                return number
        return number


def _column_index(reference: str) -> int:
    index = 0
    for character in reference:
        if character <= "9":
            break
        index = index * 26 + ord(character) - 64
    return index - 1


def too_many_rows(row: int, limit: int) -> str:
    return _(
        "The file has more than %(limit)s rows (row %(row)d is past the limit). Split it into smaller files; "
        "delete empty rows below the data."
    ) % {"limit": number(limit), "row": row}
