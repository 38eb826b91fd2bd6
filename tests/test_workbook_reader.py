"""The reader's cells, as a spreadsheet program shows them, and the limits of text files (``enrollment.imports``).

The files of the hostile corpus go through the portal and the command in ``tests/test_hostile_files.py``; here the
reader alone, on the cell types Excel writes.
"""

import io
from datetime import datetime

import pytest
from django.utils import translation

from enrollment.imports.reader import RefusedFile, read_rows, sniff
from tests.hostile_files import Cell, _sst, sheet_xml, text_file, workbook

# A rich text with a phonetic run (rPh), which is no part of the text Excel shows.
RICH = '<si><r><t>Citra </t></r><r><rPr><b/></rPr><t>Dewi</t></r><rPh sb="0" eb="1"><t>しとら</t></rPh></si>'


def rows_of(content: bytes) -> list:
    file = io.BytesIO(content)
    with translation.override("en"):
        return list(read_rows(file, sniff(file)))


def sheet_time(*parts: int) -> datetime:
    return datetime(*parts)  # noqa: DTZ001 - a spreadsheet's times have no time zone


def test_every_kind_of_cell_is_read_as_excel_shows_it():
    strings = _sst(["Andi"]).replace(b"</sst>", RICH.encode() + b"</sst>")
    cells = [
        Cell('<c r="{ref}" t="s"><v>1</v></c>'),  # the rich text
        Cell(
            '<c r="{ref}" s="1"><v>45658</v></c>'
        ),  # a date cell: day 45,658 of 1900 is 1 January 2025
        Cell('<c r="{ref}" t="b"><v>1</v></c>'),
        Cell('<c r="{ref}" t="e"><v>#N/A</v></c>'),
        Cell('<c r="{ref}" t="d"><v>2025-08-31T13:30:00</v></c>'),
        Cell('<c r="{ref}"><v>4000000.5</v></c>'),
        Cell(
            '<c r="{ref}" t="str"><f>A1&amp;""</f><v></v></c>'
        ),  # a formula whose saved result is ""
        Cell('<c r="{ref}" t="s"><v>0</v></c>'),
    ]
    sheet = sheet_xml([cells])
    sheet = sheet.replace(
        b'<c r="H1"', b'<c r="K1"'
    )  # a gap of two empty columns before the last cell
    assert rows_of(workbook([("Data", sheet)], strings=strings)) == [
        (
            1,
            [
                "Citra Dewi",
                sheet_time(2025, 1, 1),
                True,
                "#N/A",
                sheet_time(2025, 8, 31, 13, 30),
                4000000.5,
                None,
                None,
                None,
                None,
                "Andi",
            ],
        )
    ]


def test_cells_without_references_follow_each_other_and_rows_without_numbers_too():
    sheet = sheet_xml([["NIK"]]).replace(
        b"</sheetData>",
        b'<row><c t="inlineStr"><is><t>a</t></is></c><c><v>7</v></c></row></sheetData>',
    )
    assert rows_of(workbook([("Data", sheet)])) == [(1, ["NIK"]), (2, ["a", 7])]


def test_dates_of_a_1904_workbook_count_from_1904():
    sheet = sheet_xml([[Cell('<c r="{ref}" s="1"><v>44196</v></c>')]])
    # Day 44,196 of the 1904 calendar (1,462 days after 1900's day 0) is 1 January 2025.
    assert rows_of(workbook([("Data", sheet)], date1904=True)) == [(1, [sheet_time(2025, 1, 1)])]


def test_a_text_row_with_a_value_beyond_the_columns_is_refused_naming_the_row(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    content = text_file(
        [["NIK", "Nama", "HP", ""], ["1", "2", "3", "4"]], encoding="utf-8", delimiter=","
    )
    with pytest.raises(RefusedFile) as refusal:
        rows_of(content)
    assert refusal.value.code == "too_many_columns"
    assert "Row 2" in refusal.value.message and "column C" in refusal.value.message


def test_a_text_file_without_line_breaks_is_not_read_past_its_longest_possible_row(settings):
    settings.IMPORT_MAX_COLUMNS = 2
    settings.IMPORT_MAX_CELL_CHARS = 10
    # The longest row: 2 cells of 10 characters, each quoted with a separator (3), and a line break (2): 28.
    content = b"NIK,Nama\n" + b"x" * 1000
    with pytest.raises(RefusedFile) as refusal:
        rows_of(content)
    assert refusal.value.code == "cell_too_long"
    assert refusal.value.message == "Row 2 is longer than 28 characters."
