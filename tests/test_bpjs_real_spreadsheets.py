"""BPJS's files through a real spreadsheet program (LibreOffice Calc), as the clerks on both sides open and save
them: the registration file keeps every NIK's 16 digits; a statement saved as XLSX is reconciled as its CSV; a
statement whose NIKs a spreadsheet turned into numbers is refused row by row with the reason, nothing applied.

Runs where LibreOffice is installed (CI installs it and sets ``REQUIRE_SPREADSHEET_PROGRAM``).
"""

import csv
import io

import pytest
from django.core.files.base import ContentFile

from berjasa.spreadsheets import write_xlsx
from bpjs.services.handover import create_registration_file
from tests import test_bpjs_handover, test_bpjs_statement
from tests.test_bpjs_statement import EXPECTED, HEADER, check, statement_rows
from tests.test_real_spreadsheets import SOFFICE, resaved

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
# The fixtures: two persons of a DTSEN batch to hand over; a statement of one participant of each kind.
dtsen_batch = test_bpjs_handover.dtsen_batch
small_batch = test_bpjs_handover.small_batch
august = test_bpjs_statement.august
NIK_KPJ_NPP = (0, 1, 2)  # the statement's columns BPJS exports as text


def test_the_registration_file_opened_and_saved_by_libreoffice_keeps_every_nik(
    small_batch, dtsen_batch, administrator, tmp_path
):
    registration = create_registration_file(import_batch=dtsen_batch, acting_user=administrator)
    source = tmp_path / "registration.xlsx"
    source.write_bytes(registration.xlsx_file.read())
    as_csv = resaved(source, "csv:Text - txt - csv (StarCalc):44,34,76")
    rows = list(csv.reader(io.StringIO(as_csv.read_text(encoding="utf-8"))))
    niks = sorted(row[0] for row in rows[1:])
    assert niks == sorted([small_batch["siti"].nik, small_batch["daeng"].nik])
    assert all(len(nik) == 16 and nik.isdigit() for nik in niks)


def test_a_statement_saved_as_xlsx_by_libreoffice_is_reconciled_as_its_csv(august, tmp_path):
    _ours, upload, _new = august
    source = tmp_path / "rekap.xlsx"
    with source.open("wb") as handle:
        write_xlsx(handle, HEADER, statement_rows(upload), text_columns=NIK_KPJ_NPP)
    saved = resaved(source, "xlsx")
    batch = check(ContentFile(saved.read_bytes(), name="rekap.xlsx"))
    assert batch.summary["facts"]["categories"] == EXPECTED
    assert batch.count_errors == 4  # rows 9 to 12, as in the CSV


def test_a_statement_whose_niks_became_numbers_is_refused_row_by_row(august, tmp_path):
    """LibreOffice reads a CSV's NIK as a number unless told otherwise: the XLSX it saves has lost the last
    digit of each NIK. Every such row is an error saying so; no row is matched on a wrong NIK."""
    _ours, upload, _new = august
    source = tmp_path / "rekap.csv"
    source.write_bytes(upload.read())
    saved = resaved(source, "xlsx", infilter="CSV:44,34,76,1")
    batch = check(ContentFile(saved.read_bytes(), name="rekap.xlsx"))
    assert batch.summary["facts"]["categories"].get("CONFIRMED", 0) == 0
    errors = [
        line for line in batch.review_file.open("rb").read().decode().splitlines() if "nik_" in line
    ]
    assert errors and all("nik_scientific" in line or "nik_length" in line for line in errors)
