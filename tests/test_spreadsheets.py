"""The spreadsheet writers (berjasa.spreadsheets), read back by openpyxl as a spreadsheet program would."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from berjasa.spreadsheets import stream_csv, write_xlsx


def sheet_time(*parts) -> datetime:
    return datetime(*parts)  # noqa: DTZ001 - a spreadsheet's times have no time zone


HEADER = ["NIK", "Nama", "Lahir", "Upah", "Disabilitas", "Catatan", "Waktu", "Kode"]


def written(rows, **options):
    handle = io.BytesIO()
    write_xlsx(handle, HEADER, rows, **options)
    handle.seek(0)
    return load_workbook(handle)


def test_values_keep_their_types_and_text_columns_stay_text():
    workbook = written(
        [
            ["7371054509950003", "Nurul", date(1995, 9, 5), 3_900_000, True, None, sheet_time(2025, 8, 31, 13, 30), 42],
            ["7371054509950011", "Andi", date(2000, 2, 29), Decimal("1.5"), False, "", None, None],
        ],
        text_columns=[0, 7],
        sheet_title="Roster",
    )  # fmt: skip
    sheet = workbook["Roster"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.b for cell in sheet[1])
    nik, name, born, wage, disability, note, moment, code = sheet[2]
    assert (nik.value, nik.data_type, nik.number_format) == ("7371054509950003", "s", "@")
    assert name.value == "Nurul"
    assert born.value == sheet_time(1995, 9, 5) and born.is_date
    assert (wage.value, disability.value, note.value) == (3_900_000, True, None)
    assert moment.value == sheet_time(2025, 8, 31, 13, 30)
    # A number in a text column is written as its text.
    assert (code.value, code.number_format) == ("42", "@")
    second = [cell.value for cell in sheet[3]]
    assert second[2] == sheet_time(2000, 2, 29) and second[3] == 1.5 and second[4] is False
    # An empty cell of a text column is styled as text too, so a NIK typed into it later stays text.
    assert (sheet["H3"].value, sheet["H3"].number_format) == (None, "@")
    assert sheet.max_row == 3


def test_formulas_are_neutralised_and_markup_and_control_characters_survive_as_text():
    workbook = written(
        [["=1+1", "+62 811", "-5", "@SUM(A1)", 'a & b <c> "d"', "tab\there\x0bvt", "ok", "'=x"]]
    )
    values = [cell.value for cell in workbook.active[2]]
    assert values == ["'=1+1", "'+62 811", "'-5", "'@SUM(A1)", 'a & b <c> "d"', "tab\there" + "vt", "ok", "'=x"]  # fmt: skip


def test_more_sheets_are_all_text_and_the_package_is_a_workbook():
    handle = io.BytesIO()
    write_xlsx(
        handle,
        ["NIK"],
        [["7371054509950003"]],
        text_columns=[0],
        sheet_title="A title longer than thirty-one characters",
        more_sheets=[("Kode Kelurahan", ["Kode", "Nama"], [["73.71.01.1001", 7371]])],
    )
    names = zipfile.ZipFile(handle).namelist()
    assert {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet2.xml"} <= set(names)  # fmt: skip
    handle.seek(0)
    workbook = load_workbook(handle)
    assert workbook.sheetnames == ["A title longer than thirty-one c"[:31], "Kode Kelurahan"]
    codes = workbook["Kode Kelurahan"]
    assert [(cell.value, cell.number_format) for cell in codes[2]] == [("73.71.01.1001", "@"), ("7371", "@")]  # fmt: skip


def test_csv_neutralises_formulas_and_writes_plain_values():
    text = "".join(stream_csv(["a", "b", "c", "d"], [["=1", None, date(2025, 8, 31), True]]))
    assert text == "\ufeffa,b,c,d\r\n'=1,,31/08/2025,ya\r\n"  # the clerks' date (decision 39)
