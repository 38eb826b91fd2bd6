"""The APBD bill (decision 65), its command, files and forecast (decision 66), invoices and payments, counted
by hand on tests/budget_fixture.py."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from berjasa.audit import Channel
from budget.bill import (
    billed_memberships,
    monthly_bill,
    not_active_at_bpjs,
    participants,
)
from budget.exporters import render_bill_pdf, write_participants_xlsx
from budget.forecast import year_forecast
from budget.models import BudgetLine, Payment
from budget.services import record_invoice, record_payment
from enrollment.models import ImportBatch
from reports.periods import month_last_day
from tests.budget_fixture import make_population
from tests.test_reports_exports import pdf_text

AUGUST = date(2025, 8, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def population(reference_data):
    return make_population()


def test_the_august_bill_counted_by_hand(population):
    bill = monthly_bill(AUGUST)
    rentan, non_asn = bill.lines
    # RENTAN: Ani, Budi (from the 31st), Citra (ended on the 1st) = 3 × Rp16.800 = Rp50.400;
    # JKK 3 × Rp10.000, JKM 3 × Rp6.800. Fajar (REGISTERED), Gita (REJECTED), Indah (ended 31 July) and
    # Joko (from 1 September) are not billed.
    assert (rentan.budget_line, rentan.participants) == (population.rentan_line, 3)
    assert rentan.programs == {"JKK": 30_000, "JKM": 20_400}
    # NON_ASN: 2 × (0,24 % + 0,30 %) × Rp3.000.000 = 2 × (Rp7.200 + Rp9.000) = Rp32.400.
    assert (non_asn.budget_line, non_asn.participants) == (population.non_asn_line, 2)
    assert non_asn.programs == {"JKK": 14_400, "JKM": 18_000}
    # Hadi's employer-funded membership is not the city's.
    assert (bill.participants, bill.total) == (5, 50_400 + 32_400)


def test_a_segment_without_a_budget_line_is_billed_under_no_line(population):
    population.non_asn_line.segments.clear()
    bill = monthly_bill(AUGUST)
    assert [line.segments for line in bill.without_budget_line] == [("NON_ASN",)]
    assert bill.without_budget_line[0].total == 32_400
    assert bill.as_dict()["lines"][-1] == {
        "budget_line": None,
        "segments": ["NON_ASN"],
        "participants": 2,
        "total": 32_400,
    }


def test_the_json_contract(population):
    out = io.StringIO()
    call_command("apbd_bill", month="2025-08", format="json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "month": "2025-08",
        "participants": 5,
        "total": 82_800,
        "lines": [
            {
                "budget_line": "5.1.02.99.01 Iuran pekerja rentan",
                "segments": ["RENTAN"],
                "participants": 3,
                "total": 50_400,
            },
            {
                "budget_line": "5.1.02.99.02 Iuran non-ASN",
                "segments": ["NON_ASN"],
                "participants": 2,
                "total": 32_400,
            },
        ],
    }


def test_a_malformed_month_is_refused_with_a_message(population):
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("apbd_bill", month="08-2025")


def test_the_pdf_summary_text(population):
    text = pdf_text(render_bill_pdf(monthly_bill(AUGUST)))
    assert "Agustus 2025" in text
    assert "Rp50.400" in text and "Rp32.400" in text and "Rp82.800" in text
    assert "Rp44.400" in text  # JKK in all: Rp30.000 + Rp14.400
    assert "Terbilang: delapan puluh dua ribu delapan ratus rupiah" in text
    assert "Kepala Dinas Ketenagakerjaan Kota Makassar" in text and "NIP" in text


def test_the_participant_list_cells(population):
    bill = monthly_bill(AUGUST)
    people = participants(billed_memberships(AUGUST, month_last_day(AUGUST)), AUGUST)
    handle = io.BytesIO()
    write_participants_xlsx(handle, bill, people)
    sheet = load_workbook(handle).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5:] == ("JKK", "JKM", "Jumlah")  # Indonesian by default
    by_name = {row[1]: row for row in rows[1:]}
    assert sorted(by_name) == ["Ani", "Budi", "Citra", "Dedi", "Eka"]
    assert by_name["Dedi"][5:] == (7_200, 9_000, 16_200)
    assert by_name["Ani"][5:] == (10_000, 6_800, 16_800)
    nik_cell = sheet.cell(row=2, column=1)
    assert isinstance(nik_cell.value, str) and len(nik_cell.value) == 16


def test_the_forecast_of_one_line_by_hand(population):
    record_payment(
        acting_user=None,
        channel=Channel.COMMAND,
        month=date(2025, 7, 1),
        budget_line=population.rentan_line,
        order_number="SP2D/1",
        amount=50_400,
        paid_on=date(2025, 8, 20),
    )
    rentan = year_forecast(2025, AUGUST).lines[0]
    # January to July: Ani, Citra, Indah = Rp50.400 a month, 7 months = Rp352.800; August: Ani, Budi, Citra =
    # Rp50.400. Billed to date Rp403.200; the pace Rp50.400 × 4 months left (September to December) = Rp201.600.
    assert (rentan.billed, rentan.pace, rentan.months_left, rentan.committed) == (
        403_200,
        50_400,
        4,
        201_600,
    )
    assert rentan.paid == 50_400
    # Ceiling Rp520.000: after October Rp504.000, after November Rp554.400: runs out in November.
    assert rentan.runs_out == date(2025, 11, 1)
    # Pipeline: Fajar, REGISTERED, Rp16.800 a month: September Rp470.400, October Rp537.600 > Rp520.000.
    assert (rentan.pipeline_participants, rentan.pipeline_monthly) == (1, 16_800)
    assert rentan.runs_out_with_pipeline == date(2025, 10, 1)


def test_a_year_without_data_is_committed_whole_at_the_latest_pace(population):
    line = BudgetLine.objects.create(
        year=2026,
        code="5.1.02.99.01",
        name="Iuran pekerja rentan",
        department="Disnaker",
        ceiling=600_000,
    )
    line.segments.set(population.rentan_line.segments.all())
    forecast = year_forecast(2026, AUGUST)
    (rentan,) = forecast.lines
    # August 2025's RENTAN bill, Rp50.400, × 12 months = Rp604.800 > Rp600.000 in December (Rp50.400 × 12).
    assert (forecast.through, rentan.billed, rentan.months_left, rentan.committed) == (
        None,
        0,
        12,
        604_800,
    )
    assert rentan.runs_out == date(2026, 12, 1)


def test_a_validated_dtsen_batch_is_in_the_pipeline_of_the_informal_workers_line(population):
    ImportBatch.objects.create(
        source=ImportBatch.Source.DTSEN,
        status=ImportBatch.Status.VALIDATED,
        file_name="dtsen.csv",
        count_new=10,
    )
    ImportBatch.objects.create(  # confirmed already: its workers are memberships, not the pipeline
        source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.IMPORTED, count_new=99
    )
    rentan = year_forecast(2025, AUGUST).lines[0]
    # Fajar (REGISTERED) + 10 planned DTSEN workers = 11; each JKK + JKM at Rp1.000.000 declared income:
    # 11 × Rp16.800 = Rp184.800 a month.
    assert (rentan.pipeline_participants, rentan.pipeline_monthly) == (11, 184_800)
    # With it: after August Rp403.200, September Rp403.200 + Rp50.400 + Rp184.800 = Rp638.400 > Rp520.000.
    assert rentan.runs_out_with_pipeline == date(2025, 9, 1)


def test_the_invoice_difference_explained_by_participant(population):
    record_invoice(
        acting_user=None,
        channel=Channel.COMMAND,
        month=AUGUST,
        number="TAG/08",
        amount=66_000,
        received_on=date(2025, 9, 5),
    )
    billed = billed_memberships(AUGUST, month_last_day(AUGUST))
    unconfirmed = participants(not_active_at_bpjs(billed, AUGUST), AUGUST)
    # Our Rp82.800 − BPJS's Rp66.000 = Rp16.800: Budi, submitted and not yet active at BPJS.
    assert [(p.name, p.total) for p in unconfirmed] == [("Budi", 16_800)]


def test_a_payment_order_number_is_recorded_once(population):
    values = {
        "acting_user": None,
        "channel": Channel.COMMAND,
        "month": AUGUST,
        "budget_line": population.rentan_line,
        "order_number": "SP2D/0815/LS",
        "amount": 50_400,
        "paid_on": date(2025, 9, 20),
    }
    assert record_payment(**values).created
    assert not record_payment(**values).created  # the same form sent twice
    with pytest.raises(ValidationError, match="SP2D/0815/LS sudah tercatat"):
        record_payment(**{**values, "amount": 50_000})
    assert Payment.objects.count() == 1
    assert Payment.history.count() == 1  # audited once
