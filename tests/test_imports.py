"""The roster and DTSEN imports: every accepted and refused file shape, what is written (and its history), what is
never written (refused, failed, foreign), re-imports, full-roster syncs and the error report round trip.

Row errors and refusals are checked by their codes; the sentences are translated.
"""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from berjasa.audit import Channel
from enrollment import services
from enrollment.imports import batches
from enrollment.imports.dtsen import DTSEN_COLUMNS
from enrollment.imports.plan import Entry
from enrollment.imports.writer import BulkWriter
from enrollment.models import Employment, ImportBatch, Membership, Worker
from enrollment.roster_file import ROSTER_HEADER
from programs.models import FundingScheme, Program, Segment
from tests import factories

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
HEADER = ROSTER_HEADER[:-1]  # the template's columns but "Program": the employer's programs
KELURAHAN = "73.71.01.1001"


def row(nik=None, name="Citra Dewi", **values) -> list:
    """A roster row in ``HEADER`` order; keyword arguments override cells by header-ish name."""
    born = values.pop("born", "1990-03-12")
    sex = values.pop("sex", "L")
    cells = {
        "NIK": nik or factories.make_nik(date(1990, 3, 12), sex),
        "Nama": name,
        "No KPJ": values.pop("kpj", ""),
        "Tanggal Lahir": born,
        "Jenis Kelamin": sex,
        "No HP": values.pop("phone", "081234567890"),
        "Alamat": values.pop("address", "Jl. Somba Opu 1"),
        "Kode Kelurahan": values.pop("kelurahan", KELURAHAN),
        "Pekerjaan": values.pop("occupation", "Kasir"),
        "Disabilitas": values.pop("disability", "tidak"),
        "Tanggal Mulai Kerja": values.pop("start", "2025-01-01"),
        "Upah Bulanan": values.pop("wage", "4000000"),
    }
    assert not values, values
    return [cells[header] for header in HEADER]


def csv_file(rows, *, header=HEADER, delimiter=",", encoding="utf-8", name="roster.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ContentFile(buffer.getvalue().encode(encoding), name=name)


def xlsx_file(rows, *, header=HEADER, name="roster.xlsx", above=()):
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return ContentFile(output.getvalue(), name=name)


def check(upload, employer, *, source=ImportBatch.Source.ROSTER, **options) -> ImportBatch:
    batch = batches.stage_upload(
        upload,
        source=source,
        acting_user=options.pop("user", None),
        employer=employer,
        options=batches.UploadOptions(**options),
    )
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def import_(upload, employer, *, only_valid_rows=False, **options) -> ImportBatch:
    """Upload, check, confirm and import, as the portal does."""
    batch = check(upload, employer, **options)
    if batches.confirm_batch(batch, only_valid_rows=only_valid_rows):
        batches.run_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def entries(batch: ImportBatch, kind: str) -> list[Entry]:
    with batch.review_file.open("rb") as handle:
        found = [Entry(**json.loads(line)) for line in handle]
    return [entry for entry in found if entry.kind == kind]


def codes(batch: ImportBatch, kind: str = "error") -> list[tuple[int | None, str]]:
    return [(entry.row, entry.code) for entry in entries(batch, kind)]


def snapshot() -> dict:
    """Every row of every table an import writes, with its audit history."""
    models = (Worker, Employment, Membership)
    tables = [*models, *(model.history.model for model in models)]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in tables}


# --- accepted file shapes ---------------------------------------------------------------------------------------


def test_a_new_roster_creates_workers_jobs_and_employer_funded_memberships_its_size_requires(
    employer_a, employer_a_user
):
    employer_a.risk_class = 2
    employer_a.save()
    niks = [factories.make_nik(), factories.make_nik()]
    batch = import_(
        csv_file([row(niks[0], "Andi"), row(niks[1], "Budi", wage="5000000")]),
        employer_a,
        user=employer_a_user,
    )
    assert batch.status == Status.IMPORTED
    assert (batch.count_new, batch.count_updated, batch.count_errors) == (2, 0, 0)
    workers = Worker.objects.filter(nik__in=niks)
    assert workers.count() == 2
    assert set(workers.values_list("entered_via", "import_batch")) == {(Channel.IMPORT, batch.pk)}
    jobs = Employment.objects.filter(employer=employer_a, worker__in=workers, end_date=None)
    assert sorted(jobs.values_list("monthly_wage", flat=True)) == [4_000_000, 5_000_000]
    memberships = Membership.objects.filter(worker__in=workers).select_related("program")
    assert {(m.program.code, m.monthly_contribution) for m in memberships} == {
        ("JKK", 21_600),  # 0.54 % (risk class 2) of 4,000,000
        ("JKM", 12_000),  # 0.30 %
        ("JHT", 228_000),  # 5.7 %
        ("JKP", 14_400),  # 0.36 %, the government's
        ("JKK", 27_000),
        ("JKM", 15_000),
        ("JHT", 285_000),
        ("JKP", 18_000),
    }  # a small business: no JP (Perpres 109/2013 Pasal 6)
    assert {(m.segment.code, m.funding_scheme.code, m.employer_id) for m in memberships} == {
        ("FORMAL", "EMPLOYER", employer_a.pk)
    }
    assert {m.start_date for m in memberships} == {timezone.localdate()}
    assert {m.import_batch_id for m in memberships} == {batch.pk}


def test_every_row_written_shows_up_in_the_audit_history(employer_a, employer_a_user):
    batch = import_(csv_file([row()]), employer_a, user=employer_a_user)
    for model, count in ((Worker, 1), (Employment, 1), (Membership, 4)):
        history = model.history.filter(history_batch_id=batch.pk)
        assert history.count() == count
        assert set(
            history.values_list(
                "history_type", "history_channel", "history_employer_id", "history_user"
            )
        ) == {("+", Channel.IMPORT, employer_a.pk, employer_a_user.pk)}


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (",", "utf-8-sig"), (";", "utf-8"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_it_reads_csv_in_utf8_with_or_without_bom_windows_1252_comma_semicolon_or_tab(
    employer_a, delimiter, encoding
):
    name = "Andi Daéng – Pa’batang"
    batch = import_(csv_file([row(name=name)], delimiter=delimiter, encoding=encoding), employer_a)
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 1)
    assert Worker.objects.get(import_batch=batch).name == name


def test_it_reads_xlsx_with_date_cells_numbers_and_a_title_above_the_header(employer_a):
    nik = factories.make_nik()
    values = row(nik, born=date(1990, 3, 12), start=date(2025, 1, 1), wage=4_000_000)
    upload = xlsx_file([values, [None] * 3], above=[["Daftar pekerja PT Angin Mamiri"], []])
    batch = import_(upload, employer_a)
    assert (batch.status, batch.count_new, batch.count_errors) == (Status.IMPORTED, 1, 0)
    job = Employment.objects.get(worker__nik=nik)
    assert (job.start_date, job.monthly_wage) == (date(2025, 1, 1), 4_000_000)


def test_it_takes_both_date_forms_niks_with_spaces_and_dots_and_grouped_amounts(employer_a):
    nik = factories.make_nik()
    spaced = f"{nik[:4]} {nik[4:8]}.{nik[8:12]} {nik[12:]}"
    batch = import_(
        csv_file([row(spaced, born="12/03/1990", start="31/08/2025", wage="Rp 4.250.000")]),
        employer_a,
    )
    assert batch.status == Status.IMPORTED
    worker = Worker.objects.get(nik=nik)
    assert worker.birth_date == date(1990, 3, 12)
    job = worker.employments.get()
    assert (job.start_date, job.monthly_wage) == (date(2025, 8, 31), 4_250_000)


def test_it_ignores_extra_columns_and_reads_headers_in_any_case_and_spacing(employer_a):
    header = [
        "nik",
        "NAMA",
        "tanggal_lahir",
        "Jenis  Kelamin",
        "Catatan",
        "tgl mulai kerja",
        "UPAH",
    ]
    nik = factories.make_nik()
    values = [nik, "Andi", "1990-03-12", "L", "=HYPERLINK(1)", "2025-01-01", "4000000"]
    batch = import_(csv_file([values], header=header), employer_a)
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 1)
    worker = Worker.objects.get(nik=nik)
    assert (worker.phone, worker.kelurahan, worker.has_disability) == ("", None, False)


def test_blank_rows_are_skipped(employer_a):
    batch = import_(csv_file([row(), ["", "", ""], row()]), employer_a)
    assert (batch.row_count, batch.count_new) == (2, 2)


# --- refused files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "roster.csv", "empty"),
        (b"  \r\n \n", "roster.csv", "empty"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "roster.csv", "not_a_table"),
        (b"PK\x03\x04 not really a workbook", "roster.xlsx", "not_a_table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "roster.xls", "old_excel"),
        (b"Dear Sir,\nplease find our workers attached.\n", "letter.txt", "not_a_table"),
        (b"NIK,Nama,Tanggal Lahir\n7371051203900001,Andi,1990-03-12\n", "r.csv", "missing_columns"),
        (f"{','.join(HEADER)}\n".encode(), "roster.csv", "no_rows"),
        (f"{','.join(HEADER)},NIK\n".encode(), "roster.csv", "duplicate_column"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_roster_is_refused_whole(employer_a, content, name, code):
    factories.make_employment(factories.make_worker(), employer_a)
    before = snapshot()
    batch = import_(ContentFile(content, name=name), employer_a)
    assert batch.status == Status.REFUSED
    assert batch.summary["refused"] == code
    assert batch.message
    assert snapshot() == before


def test_the_same_nik_twice_is_an_error_of_each_row_and_the_other_rows_are_checked_too(employer_a):
    nik = factories.make_nik()
    before = snapshot()
    rows = [row(nik), row(wage="banyak"), row(nik, name="Andi lagi", kelurahan="99"), row()]
    batch = check(csv_file(rows), employer_a)
    assert batch.status == Status.VALIDATED
    assert sorted(codes(batch)) == [
        (2, "duplicate_nik"),
        (3, "not_an_amount"),
        (4, "duplicate_nik"),
        (4, "unknown_kelurahan"),
    ]
    texts = {
        entry.row: entry.text for entry in entries(batch, "error") if entry.code == "duplicate_nik"
    }
    assert "4" in texts[2] and "2" in texts[4]
    assert (batch.count_new, batch.count_errors) == (1, 3)
    report = batch.error_file.open("rb").read().decode()
    assert report.count("NIK") >= 3  # the header and both rows' messages
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_and_not_stored(employer_a, settings):
    settings.IMPORT_MAX_FILE_MB = 0
    before = snapshot()
    batch = import_(csv_file([row()]), employer_a)
    assert (batch.status, batch.summary["refused"]) == (Status.REFUSED, "too_big")
    assert not batch.upload
    assert snapshot() == before


# --- rows with errors ---------------------------------------------------------------------------------------------


def test_each_wrong_cell_is_named_by_row_column_and_code(employer_a):
    rows = [
        row(),  # row 2: fine
        row("7.37105E+15"),  # 3: a NIK Excel turned into a number
        row("7371051203900000"),  # 4: serial 0000
        row(born="31/02/1990", sex="X"),  # 5: two errors
        row(wage="empat juta", kelurahan="99"),  # 6: two errors
        row(start="", kpj="12AB"),  # 7: two errors
        row(name=""),  # 8
        row(born="2999-01-01"),  # 9
    ]
    batch = check(csv_file(rows), employer_a)
    assert batch.status == Status.VALIDATED
    assert (batch.count_new, batch.count_errors) == (1, 7)
    assert codes(batch) == [
        (3, "nik_scientific"),
        (4, "nik_serial"),
        (5, "impossible_date"),
        (5, "not_a_sex"),
        (6, "unknown_kelurahan"),
        (6, "not_an_amount"),
        (7, "kpj_digits"),
        (7, "required"),
        (8, "required"),
        (9, "future_birth_date"),
    ]
    assert {entry.column for entry in entries(batch, "error") if entry.row == 6} == {
        "Kode Kelurahan",
        "Upah Bulanan",
    }


def test_a_nik_typed_as_an_excel_number_is_refused_like_scientific_notation(employer_a):
    nik = factories.make_nik()
    batch = check(xlsx_file([row(int(nik))]), employer_a)
    assert codes(batch) == [(2, "nik_scientific")]


def test_a_file_with_errors_writes_nothing_unless_only_the_valid_rows_are_chosen(employer_a):
    upload = csv_file([row(), row("123")])
    before = snapshot()
    batch = import_(upload, employer_a)
    assert (batch.status, batch.count_errors) == (Status.VALIDATED, 1)  # confirm refused
    assert not batches.confirm_batch(batch)
    assert snapshot() == before

    batch = import_(csv_file([row(), row("123")]), employer_a, only_valid_rows=True)
    assert (batch.status, batch.count_new, batch.count_errors) == (Status.IMPORTED, 1, 1)


def test_the_command_path_refuses_errors_without_the_option_and_records_why(employer_a):
    batch = batches.stage_upload(
        csv_file([row(), row("123")]),
        source=ImportBatch.Source.ROSTER,
        acting_user=None,
        employer=employer_a,
    )
    before = snapshot()
    assert batches.start_batch(batch)
    batches.run_batch(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.count_errors) == (Status.FAILED, 1)
    assert batch.error_file
    assert snapshot() == before


def test_the_templates_example_row_and_another_employers_npp_are_refused(employer_a, employer_b):
    from enrollment.roster_file import EXAMPLE_NIK

    header = [*HEADER, "NPP"]
    rows = [[*row(), employer_a.npp], [*row(), employer_b.npp], [*row(EXAMPLE_NIK), ""]]
    batch = check(csv_file(rows, header=header), employer_a)
    assert codes(batch) == [(3, "other_employer"), (4, "example_row")]


def test_a_kpj_held_by_another_worker_or_repeated_is_an_error(employer_a):
    factories.make_worker(kpj="11111111111")
    rows = [row(kpj="11111111111"), row(kpj="22222222222"), row(kpj="22222222222")]
    batch = check(csv_file(rows), employer_a)
    assert codes(batch) == [(2, "kpj_taken"), (4, "kpj_repeated")]


# --- the error report -------------------------------------------------------------------------------------------


def test_the_error_report_is_the_file_plus_an_error_column_and_can_be_fixed_and_uploaded(
    employer_a,
):
    good, bad = factories.make_nik(), factories.make_nik()
    batch = check(csv_file([row(good), row(bad, wage="banyak")], delimiter=";"), employer_a)
    with batch.error_file.open("rb") as handle:
        report = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert report[0] == ["Kesalahan", *HEADER]
    assert report[1][0] == "" and report[1][1] == good
    assert report[2][0].startswith("Upah Bulanan:") and report[2][1] == bad
    report[2][HEADER.index("Upah Bulanan") + 1] = "4100000"
    fixed = io.StringIO()
    csv.writer(fixed, delimiter=";").writerows(report)
    batch = import_(ContentFile(fixed.getvalue().encode(), name="fixed.csv"), employer_a)
    assert (batch.status, batch.count_new, batch.count_errors) == (Status.IMPORTED, 2, 0)


def test_an_xlsx_error_report_keeps_niks_as_text(employer_a):
    nik = factories.make_nik()
    batch = check(xlsx_file([row(nik, sex="?")]), employer_a)
    assert batch.error_file.name.endswith(".xlsx")
    with batch.error_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert [cell.value for cell in sheet[1]][:2] == ["Kesalahan", "NIK"]
    assert sheet["B2"].value == nik and sheet["B2"].number_format == "@"
    assert sheet["A2"].value.startswith("Jenis Kelamin:")


# --- re-imports and updates -----------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(employer_a):
    rows = [row(), row(), row()]
    assert import_(csv_file(rows), employer_a).count_new == 3
    before = snapshot()
    again = import_(csv_file(rows), employer_a)
    assert (again.status, again.count_new, again.count_updated, again.count_unchanged) == (
        Status.IMPORTED,
        0,
        0,
        3,
    )
    assert snapshot() == before


def test_a_changed_row_updates_only_what_changed_with_history(employer_a):
    first, second = factories.make_nik(), factories.make_nik()
    import_(csv_file([row(first), row(second)]), employer_a)
    worker = Worker.objects.get(nik=first)
    batch = import_(
        csv_file([row(first, phone="089900001111", wage="4500000"), row(second, phone="")]),
        employer_a,
    )
    assert (batch.count_updated, batch.count_unchanged) == (1, 1)
    worker.refresh_from_db()
    assert worker.phone == "089900001111"
    assert worker.employments.get().monthly_wage == 4_500_000
    assert Worker.objects.get(nik=second).phone == "081234567890"  # a blank cell erases nothing
    changed = [entry.text for entry in entries(batch, "updated")]
    assert changed == ["No HP: 081234567890 → 089900001111; Upah Bulanan: 4000000 → 4500000"]
    assert Worker.history.filter(history_batch_id=batch.pk).get().history_type == "~"
    assert Employment.history.filter(history_batch_id=batch.pk).get().monthly_wage == 4_500_000
    # The new wage's contributions of the programs a small business gives (of 4,500,000), with history.
    changed = Membership.history.filter(history_batch_id=batch.pk)
    assert sorted(changed.values_list("monthly_contribution", flat=True)) == [
        10_800,  # JKK 0.24 %
        13_500,  # JKM 0.30 %
        16_200,  # JKP 0.36 %
        256_500,  # JHT 5.7 %
    ]


def test_a_wage_changed_by_the_file_recomputes_the_workers_memberships_with_this_employer(
    employer_a, employer_b
):
    employer_a.risk_class = 2
    employer_a.default_programs = "JKK JKM"
    employer_a.save()
    nik = factories.make_nik()
    import_(csv_file([row(nik, start="2024-01-01")]), employer_a)
    worker = Worker.objects.get(nik=nik)
    segment = Segment.objects.get(code="FORMAL")
    services.enrol_worker(
        worker,
        services.EnrolmentRequest(
            programs=list(Program.objects.filter(code__in=["JHT", "JP"])),
            segment=segment,
            funding_scheme=segment.default_funding_scheme,
            start_date=timezone.localdate(),
            wage=4_000_000,
            employer=employer_a,
        ),
        acting_user=None,
        channel=Channel.ADMIN,
    )
    factories.make_employment(worker, employer_b, monthly_wage=3_000_000)
    other = factories.make_membership(  # JKP through employer B: 0.36 % of 3,000,000, the government's
        worker, "JKP", employer=employer_b, wage=3_000_000, monthly_contribution=10_800,
        employer_share=0, government_share=10_800,
    )  # fmt: skip
    batch = import_(csv_file([row(nik, start="2024-01-01", wage="4.321.987")]), employer_a)
    assert batch.count_updated == 1
    shares = {
        m.program.code: (m.employer_share, m.worker_share, m.government_share, m.wage)
        for m in Membership.objects.filter(worker=worker, employer=employer_a)
    }
    # Each share half up to a whole Rupiah (PP 44/2015 Lampiran I, PP 46/2015 Pasal 16, PP 45/2015 Pasal 28):
    assert shares == {
        "JKK": (23_339, 0, 0, 4_321_987),  # 0.54 % (class 2) x 4,321,987 = 23,338.73
        "JKM": (12_966, 0, 0, 4_321_987),  # 0.30 % = 12,965.96
        "JHT": (159_914, 86_440, 0, 4_321_987),  # 3.7 % = 159,913.52; 2 % = 86,439.74
        "JP": (86_440, 43_220, 0, 4_321_987),  # 2 % = 86,439.74; 1 % = 43,219.87 (below the cap)
    }
    other.refresh_from_db()
    assert (other.wage, other.government_share) == (
        3_000_000,
        10_800,
    )  # employer B's: not this file's
    history = Membership.history.filter(history_batch_id=batch.pk)
    assert history.count() == 4 and {h.history_type for h in history} == {"~"}
    assert {h.history_channel for h in history} == {Channel.IMPORT}
    again = import_(csv_file([row(nik, start="2024-01-01", wage="4.321.987")]), employer_a)
    assert not Membership.history.filter(history_batch_id=again.pk).exists()


def test_a_known_worker_is_linked_not_duplicated(employer_a, employer_b):
    worker = factories.make_worker(name="Andi Anwar")
    factories.make_employment(worker, employer_b)
    batch = import_(csv_file([row(worker.nik, name="Andi Anwar")]), employer_a)
    assert batch.count_new == 1
    assert Worker.objects.filter(nik=worker.nik).count() == 1
    assert set(worker.employments.values_list("employer", flat=True)) == {
        employer_a.pk,
        employer_b.pk,
    }


def test_a_worker_shared_with_another_employer_keeps_their_record_and_the_file_asks_for_the_change(
    employer_a, employer_b
):
    worker = factories.make_worker(name="Andi Anwar", phone="")
    factories.make_employment(worker, employer_b, monthly_wage=3_000_000)
    before_b = list(Employment.objects.filter(employer=employer_b).values())
    batch = import_(csv_file([row(worker.nik, name="Nama Lain", phone="081100001111")]), employer_a)
    worker.refresh_from_db()
    assert (worker.name, worker.phone) == ("Andi Anwar", "")
    assert [entry.row for entry in entries(batch, "requested")] == [2]
    request = worker.change_requests.get()
    assert (request.employer, request.status, request.import_batch) == (
        employer_a,
        "PENDING",
        batch,
    )
    assert request.changes == {
        "name": ["Andi Anwar", "Nama Lain"],
        "phone": ["", "081100001111"],
        "address": ["", "Jl. Somba Opu 1"],
        "occupation": ["Pedagang", "Kasir"],
    }
    assert list(Employment.objects.filter(employer=employer_b).values()) == before_b


def test_a_worker_only_on_this_roster_takes_the_files_data(employer_a):
    worker = factories.make_worker(name="Andi Anwar")
    factories.make_employment(worker, employer_a)
    import_(csv_file([row(worker.nik, name="Andi Anwar Daeng")]), employer_a)
    worker.refresh_from_db()
    assert worker.name == "Andi Anwar Daeng"


def test_a_program_the_worker_already_holds_is_not_opened_twice(employer_a):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKM", segment=Segment.objects.get(code="RENTAN"))
    batch = import_(csv_file([row(worker.nik)]), employer_a)
    assert batch.status == Status.IMPORTED
    assert (2, "program_held") in codes(batch, "warning")
    assert sorted(worker.memberships.values_list("program__code", flat=True)) == [
        "JHT",
        "JKK",
        "JKM",
        "JKP",
    ]


# --- full-roster sync -------------------------------------------------------------------------------------------


def test_a_full_sync_ends_the_jobs_absent_from_the_file_and_their_memberships(employer_a):
    staying, leaving = factories.make_worker(), factories.make_worker()
    for worker in (staying, leaving):
        factories.make_employment(worker, employer_a)
        factories.make_membership(worker, "JKK", employer=employer_a)
    later = factories.make_membership(
        leaving, "JKM", employer=employer_a, start_date=date(2025, 9, 1)
    )
    end = date(2025, 8, 31)
    batch = import_(
        csv_file([row(staying.nik, start="2024-01-01", wage="3900000")]),
        employer_a,
        full_sync=True,
        end_date=end,
        reason=Employment.TerminationReason.RESIGNED,
    )
    assert (batch.status, batch.count_terminated) == (Status.IMPORTED, 1)
    job = leaving.employments.get()
    assert (job.end_date, job.termination_reason) == (end, "RESIGNED")
    assert leaving.memberships.get().end_date == end
    assert not Membership.objects.filter(
        pk=later.pk
    ).exists()  # it would have started after the job
    assert (
        Membership.history.filter(id=later.pk, history_batch_id=batch.pk).get().history_type == "-"
    )
    assert staying.employments.get().end_date is None


def test_without_a_full_sync_absent_workers_stay(employer_a):
    factories.make_employment(factories.make_worker(), employer_a)
    batch = import_(csv_file([row()]), employer_a)
    assert batch.count_terminated == 0
    assert Employment.objects.filter(employer=employer_a, end_date=None).count() == 2


def test_a_full_sync_keeps_a_worker_whose_row_has_errors(employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    batch = import_(
        csv_file([row(worker.nik, wage="?"), row()]),
        employer_a,
        only_valid_rows=True,
        full_sync=True,
        end_date=date(2025, 8, 31),
    )
    assert (batch.status, batch.count_terminated) == (Status.IMPORTED, 0)
    assert worker.employments.get().end_date is None


def test_a_full_sync_is_blocked_while_a_nik_cannot_be_read(employer_a):
    factories.make_employment(factories.make_worker(), employer_a)
    before = snapshot()
    batch = check(
        csv_file([row(), row("12")]), employer_a, full_sync=True, end_date=date(2025, 8, 31)
    )
    assert batch.summary["blocked"]
    assert not batches.confirm_batch(batch, only_valid_rows=True)
    assert snapshot() == before


# --- one transaction ------------------------------------------------------------------------------------------------


def test_a_failure_halfway_leaves_nothing_written(employer_a, monkeypatch):
    factories.make_employment(factories.make_worker(), employer_a)
    before = snapshot()

    def crash(self, model):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(BulkWriter, "history_of_new_rows", crash)  # after every row was inserted
    batch = import_(csv_file([row(), row()]), employer_a)
    assert batch.status == Status.FAILED
    assert batch.message
    assert snapshot() == before


def test_a_batch_is_imported_once_however_often_it_is_confirmed(employer_a):
    batch = check(csv_file([row()]), employer_a)
    assert batches.confirm_batch(batch)
    assert not batches.confirm_batch(batch)
    batches.run_batch(batch.pk)
    batches.run_batch(batch.pk)
    assert Worker.objects.filter(import_batch=batch).count() == 1


def test_checking_does_not_query_per_row(employer_a):
    from django.db import connection

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            check(csv_file([row() for _ in range(rows)]), employer_a)
        return len(captured)

    assert queries(200) == queries(5)


# --- DTSEN ---------------------------------------------------------------------------------------------------------

DTSEN_HEADER = [column.header.lower().replace(" ", "_") for column in DTSEN_COLUMNS]


def dtsen_row(nik=None, decile=3, name="Rahmat") -> list:
    values = {
        "nik": nik or factories.make_nik(),
        "nama": name,
        "no_kpj": "",
        "tanggal_lahir": "1990-03-12",
        "jenis_kelamin": "L",
        "no_hp": "",
        "alamat": "Jl. Rajawali",
        "kode_kelurahan": KELURAHAN,
        "pekerjaan": "Pengemudi ojek",
        "disabilitas": "ya",
        "desil": str(decile),
    }
    return [values[header] for header in DTSEN_HEADER]


def test_dtsen_registers_new_workers_with_city_funded_jkk_jkm_and_skips_or_flags_the_rest(
    reference_data, employer_b, settings
):
    settings.DTSEN_MAX_DECILE = 5
    covered = factories.make_worker()
    rentan = Segment.objects.get(code="RENTAN")
    for code in ("JKK", "JKM"):
        factories.make_membership(covered, code, segment=rentan)
    employed = factories.make_worker()
    factories.make_membership(employed, "JKK", employer=employer_b)
    half = factories.make_worker()
    factories.make_membership(half, "JKK", segment=rentan)
    new_nik = factories.make_nik()
    rows = [
        dtsen_row(new_nik, decile=5),
        dtsen_row(decile=6),
        dtsen_row(covered.nik),
        dtsen_row(employed.nik),
        dtsen_row(half.nik),
    ]
    start = date(2025, 10, 1)
    batch = import_(
        csv_file(rows, header=DTSEN_HEADER, name="dtsen.csv"),
        None,
        source=ImportBatch.Source.DTSEN,
        start_date=start,
    )
    assert batch.status == Status.IMPORTED
    assert (batch.count_new, batch.count_updated) == (1, 1)
    assert batch.summary["skipped_reasons"] == {"above_cutoff": 1, "covered": 1}
    assert codes(batch, "flagged") == [(5, "employer")]
    worker = Worker.objects.get(nik=new_nik)
    assert (worker.dtsen_decile, worker.has_disability, worker.import_batch_id) == (
        5,
        True,
        batch.pk,
    )
    memberships = worker.memberships.select_related("program", "segment", "funding_scheme")
    assert {
        (
            m.program.code,
            m.monthly_contribution,
            m.segment.code,
            m.funding_scheme.code,
            m.start_date,
        )
        for m in memberships
    } == {("JKK", 10_000, "RENTAN", "APBD", start), ("JKM", 6_800, "RENTAN", "APBD", start)}
    assert list(
        half.memberships.filter(import_batch=batch).values_list("program__code", flat=True)
    ) == ["JKM"]
    assert not employed.memberships.filter(import_batch=batch).exists()
    assert FundingScheme.objects.get(code="APBD").is_city_budget
    assert Membership.history.filter(history_batch_id=batch.pk, history_type="+").count() == 3


def test_the_dtsen_cut_off_is_a_setting(reference_data, settings):
    settings.DTSEN_MAX_DECILE = 3
    batch = import_(
        csv_file([dtsen_row(decile=3), dtsen_row(decile=4)], header=DTSEN_HEADER),
        None,
        source=ImportBatch.Source.DTSEN,
    )
    assert (batch.count_new, batch.summary["skipped_reasons"]) == (1, {"above_cutoff": 1})


def test_a_roster_file_is_not_a_dtsen_list(reference_data):
    batch = import_(csv_file([row()]), None, source=ImportBatch.Source.DTSEN)
    assert (batch.status, batch.summary["refused"]) == (Status.REFUSED, "missing_columns")


# --- the DTSEN list seed_demo writes ------------------------------------------------------------------------------


def import_seeded_dtsen(tmp_path, scale: float) -> tuple[ImportBatch, object]:
    from enrollment.demo import seed_demo

    result = seed_demo(scale=scale, seed=42, dtsen_path=tmp_path / "dtsen.csv", replace=False)
    upload = ContentFile((tmp_path / "dtsen.csv").read_bytes(), name="dtsen.csv")
    batch = import_(upload, None, source=ImportBatch.Source.DTSEN, start_date=date(2025, 10, 1))
    return batch, result.dtsen


def assert_registered_as_listed(batch: ImportBatch, listed) -> None:
    assert (batch.status, batch.count_errors) == (Status.IMPORTED, 0)
    assert batch.count_new == listed.awaiting
    assert batch.summary["skipped_reasons"] == {
        "covered": listed.already_covered,
        "above_cutoff": listed.above_cutoff,
    }
    assert batch.summary["rows"]["flagged"] == listed.formal_employees
    assert Membership.objects.filter(import_batch=batch).count() == 2 * listed.awaiting


def test_the_dtsen_list_that_seed_demo_writes_is_registered_as_listed(reference_data, tmp_path):
    batch, listed = import_seeded_dtsen(tmp_path, scale=0.004)
    assert_registered_as_listed(batch, listed)


@pytest.mark.slow
def test_the_dtsen_list_at_full_scale_registers_45685_workers(reference_data, tmp_path):
    batch, listed = import_seeded_dtsen(tmp_path, scale=1)
    assert listed.awaiting == 45_685
    assert_registered_as_listed(batch, listed)
