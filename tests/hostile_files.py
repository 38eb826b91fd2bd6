"""Hostile and awkward import files, generated: zip bombs kept small on disk, lying zip directories, XML entity
expansion, huge cells, late NUL bytes, UTF-16 text, data on another sheet, formulas with and without results.

The workbooks are written by ``package`` (a zip written byte by byte, so its directory can lie), and a part of
gigabytes by ``repeated_deflate``: one block compressed once with a full flush (which makes its bytes stand alone)
and repeated, so a 1 GiB part costs a megabyte and a second to make.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from tests.test_imports import HEADER, row

MIB = 1024 * 1024
GIB = 1024 * MIB
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass
class Part:
    """A zip entry: its deflated bytes, true size and checksum, and the size its directory entry declares."""

    name: str
    deflated: bytes
    size: int
    crc: int
    declared: int | None = None  # None: the truth


def part(name: str, content: bytes, *, declared: int | None = None) -> Part:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(content) + compressor.flush()
    return Part(name, deflated, len(content), zlib.crc32(content), declared)


def repeated_deflate(
    name: str, head: bytes, block: bytes, times: int, tail: bytes, *, declared=None
) -> Part:
    """``head + block * times + tail``, deflated without ever being built."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    pieces = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(head)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    pieces.append(repeated * times)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    pieces.append(compressor.compress(tail) + compressor.flush())  # the final block
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * times + len(tail)
    return Part(name, b"".join(pieces), size, crc, declared)


def package(parts: list[Part]) -> bytes:
    """A zip file (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16) of deflated parts, each directory entry declaring
    ``declared`` as the part's size when given."""
    body, directory = bytearray(), bytearray()
    for entry in parts:
        name = entry.name.encode()
        offset = len(body)
        local = (20, 0, 8, 0, 0, entry.crc, len(entry.deflated), entry.size, len(name), 0)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", *local) + name + entry.deflated
        size = entry.size if entry.declared is None else entry.declared
        central = (20, 20, 0, 8, 0, 0, entry.crc, len(entry.deflated), size, len(name), 0, 0, 0, 0)
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *central, 0, offset) + name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(body), 0
    )
    return bytes(body + directory + end)


def workbook(
    sheets: list[tuple[str, Part | bytes]],
    *,
    strings: Part | bytes | None = None,
    styles=None,
    date1904: bool = False,
) -> bytes:
    """An XLSX of the given sheets (title, sheet XML or part), with a shared-strings and a styles part."""
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    relations += f'<Relationship Id="rIdS" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    relations += f'<Relationship Id="rIdY" Type="{_DOC}/styles" Target="styles.xml"/>'
    titles = "".join(
        f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (title, _) in enumerate(sheets, start=1)
    )
    parts = [
        part("[Content_Types].xml", _content_types(len(sheets))),
        part(
            "_rels/.rels",
            _XML
            + f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'.encode(),
        ),
        part(
            "xl/workbook.xml",
            _XML
            + f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><workbookPr date1904="{int(date1904)}"/>'
            f"<sheets>{titles}</sheets></workbook>".encode(),
        ),
        part(
            "xl/_rels/workbook.xml.rels",
            _XML + f'<Relationships xmlns="{_RELS}">{relations}</Relationships>'.encode(),
        ),
        _as_part("xl/styles.xml", styles if styles is not None else _STYLES),
        _as_part("xl/sharedStrings.xml", strings if strings is not None else _sst([])),
    ]
    for n, (_title, sheet) in enumerate(sheets, start=1):
        parts.append(_as_part(f"xl/worksheets/sheet{n}.xml", sheet))
    return package(parts)


def _content_types(sheets: int) -> bytes:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = [("/xl/workbook.xml", "sheet.main"), ("/xl/styles.xml", "styles")]
    overrides += [("/xl/sharedStrings.xml", "sharedStrings")]
    overrides += [(f"/xl/worksheets/sheet{n}.xml", "worksheet") for n in range(1, sheets + 1)]
    types = "".join(
        f'<Override PartName="{name}" ContentType="{kind}.{suffix}+xml"/>'
        for name, suffix in overrides
    )
    return (
        _XML
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'.encode()
    )


def _as_part(name: str, content: Part | bytes) -> Part:
    if isinstance(content, Part):
        content.name = name
        return content
    return part(name, content)


# Cell formats: 0 general, 1 a date (numFmtId 14, d/m/yyyy).
_STYLES = (
    _XML
    + f'<styleSheet xmlns="{_MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>".encode()
)


def _sst(texts: list[str]) -> bytes:
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in texts)
    return _XML + f'<sst xmlns="{_MAIN}">{items}</sst>'.encode()


def sheet_xml(rows: list[list], *, prolog: bytes = b"") -> bytes:
    """A sheet of the rows: text as inline strings, numbers as numbers, a ``Cell`` as written."""
    lines = []
    for number, values in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(values):
            reference = f"{_letter(index)}{number}"
            if isinstance(value, Cell):
                cells.append(value.xml.format(ref=reference))
            elif isinstance(value, int):
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
            elif value not in (None, ""):
                cells.append(
                    f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
                )
        lines.append(f'<row r="{number}">{"".join(cells)}</row>')
    body = f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(lines)}</sheetData></worksheet>'
    return _XML + prolog + body.encode()


@dataclass
class Cell:
    xml: str  # with {ref} for the cell's reference


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def roster_rows(count: int) -> list[list]:
    """A header and ``count`` valid roster rows, wages as numbers, dates as text."""
    rows = [list(HEADER)]
    for _ in range(count):
        values = row()
        values[HEADER.index("Upah Bulanan")] = 4_000_000
        rows.append(values)
    return rows


# --- the corpus -------------------------------------------------------------------------------------------------

LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)


def shared_string_bomb(*, declared: int | None = None) -> bytes:
    """One shared string of 1 GiB (the tester's file: ~1 MB on disk); ``declared``: the directory lies."""
    strings = repeated_deflate(
        "",
        _XML + f'<sst xmlns="{_MAIN}"><si><t>'.encode(),
        b"A" * MIB,
        1024,
        b"</t></si></sst>",
        declared=declared,
    )
    sheet = sheet_xml([list(HEADER)]).replace(
        b"</sheetData>", b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>'
    )
    return workbook([("Roster", sheet)], strings=strings)


def sheet_bomb(*, declared: int | None = None) -> bytes:
    """A sheet of 2 GiB: the header, then rows of one cell, ~2 MB on disk."""
    header = sheet_xml([list(HEADER)]).split(b"</sheetData>")[0]
    line = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    block = line * (MIB // len(line))
    times = 2 * GIB // len(block) - 1
    return workbook(
        [
            (
                "Roster",
                repeated_deflate(
                    "", header, block, times, b"</sheetData></worksheet>", declared=declared
                ),
            )
        ]
    )


def styles_bomb() -> bytes:
    """A styles part of 256 MB: millions of cell formats."""
    block = b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0"/>' * 16384
    styles = repeated_deflate(
        "",
        _XML + f'<styleSheet xmlns="{_MAIN}"><cellXfs>'.encode(),
        block,
        256 * MIB // len(block),
        b"</cellXfs></styleSheet>",
    )
    return workbook([("Roster", sheet_xml(roster_rows(1)))], styles=styles)


def rows_bomb_xlsx(rows: int) -> bytes:
    """``rows`` rows after the header (each with a value), compressed ~30 times."""
    lines = b"".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode() for n in range(2, rows + 2)
    )
    head, tail = sheet_xml([list(HEADER)]).split(b"</sheetData>")
    return workbook([("Roster", head + lines + b"</sheetData>" + tail)])


def laughs_in_strings() -> bytes:
    strings = _XML + LAUGHS + f'<sst xmlns="{_MAIN}"><si><t>&lol9;</t></si></sst>'.encode()
    return workbook([("Roster", sheet_xml(roster_rows(1)))], strings=strings)


def laughs_in_sheet() -> bytes:
    sheet = sheet_xml(roster_rows(1), prolog=LAUGHS).replace(b"<t>Citra Dewi</t>", b"<t>&lol9;</t>")
    return workbook([("Roster", sheet)])


def huge_inline_cell(chars: int) -> bytes:
    rows = roster_rows(2)
    rows[2][HEADER.index("Alamat")] = "J" * chars
    return workbook([("Roster", sheet_xml(rows))])


def huge_shared_string(chars: int) -> bytes:
    rows = roster_rows(1)
    return workbook([("Roster", sheet_xml(rows))], strings=_sst(["J" * chars]))


def too_many_columns(limit: int) -> bytes:
    rows = roster_rows(1)
    rows[1] = rows[1] + [None] * (limit - len(rows[1])) + ["jauh"]
    return workbook([("Roster", sheet_xml(rows))])


def too_many_parts(count: int) -> bytes:
    """A one-row roster workbook with ``count`` more (tiny) parts."""
    source = zipfile.ZipFile(io.BytesIO(workbook([("Roster", sheet_xml(roster_rows(1)))])))
    parts = [part(info.filename, source.read(info)) for info in source.infolist()]
    extra = [part(f"customXml/item{n}.xml", _XML + b"<a/>") for n in range(count)]
    return package(parts + extra)


def data_on_second_sheet(count: int) -> bytes:
    notes = sheet_xml([["Petunjuk pengisian"], ["Isi data pekerja di lembar Data."]])
    return workbook([("Petunjuk", notes), ("Data", sheet_xml(roster_rows(count)))])


def header_on_two_sheets() -> bytes:
    return workbook(
        [("Januari", sheet_xml(roster_rows(1))), ("Februari", sheet_xml(roster_rows(1)))]
    )


WAGE = HEADER.index("Upah Bulanan")


def formulas(*, cached: bool) -> bytes:
    """Two rows whose wage is ``=3500000+500000``: with its saved result (4000000), or as openpyxl writes it."""
    rows = roster_rows(2)
    value = "<v>4000000</v>" if cached else "<v/>"
    for line in rows[1:]:
        line[WAGE] = Cell(f'<c r="{{ref}}"><f>3500000+500000</f>{value}</c>')
    return workbook([("Roster", sheet_xml(rows))])


def text_file(
    rows: list[list], *, encoding: str, delimiter: str = "\t", newline: str = "\r\n"
) -> bytes:
    text = newline.join(
        delimiter.join("" if value is None else str(value) for value in line) for line in rows
    )
    return text.encode(encoding) + newline.encode(encoding)


def utf16_text(count: int, encoding: str = "utf-16-le") -> bytes:
    """Excel's "Unicode Text": UTF-16 with its byte order mark, tab separated, CRLF."""
    bom = "\ufeff".encode(encoding)
    return bom + text_file(roster_rows(count), encoding=encoding)


def nul_late_csv(count: int, nul_row: int) -> bytes:
    """A CSV of ``count`` rows (past 64 KiB) with a NUL byte in the name of the row numbered ``nul_row``."""
    rows = roster_rows(count)
    rows[nul_row - 1][HEADER.index("Nama")] = "Citra\x00Dewi"
    return text_file(rows, encoding="utf-8", delimiter=",", newline="\n")


def huge_csv_cell(chars: int) -> bytes:
    rows = roster_rows(2)
    rows[2][HEADER.index("Alamat")] = "J" * chars
    return text_file(rows, encoding="utf-8", delimiter=",", newline="\n")


def blank_lines_csv(lines: int) -> bytes:
    return text_file(roster_rows(1), encoding="utf-8", delimiter=",", newline="\n") + b"\n" * lines
