"""BPJS's monthly statement: read through the import engine, reconciled per participant (decision 63), applied
(decision 64), refused when malformed or foreign or already applied, and the discrepancy list's actions and access.

Every expected count below is counted by hand from the statement the test builds (the rows are numbered as in
the file: row 1 is the header).
"""

import csv
import io
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from bpjs.models import Category, DiscrepancyStatus, Statement, StatementLine
from bpjs.services.reconciliation import (
    LAPSED_REASON,
    Choices,
    Scope,
    advance_paid_through,
    assign_lines,
    parse_month,
    parse_status,
    settle_lines,
)
from bpjs.services.statements import confirm_statement, stage_statement
from enrollment.imports import batches, cells
from enrollment.models import BpjsStatus, ImportBatch, Membership, Worker
from enrollment.roster_file import ROSTER_HEADER
from programs.models import FundingScheme, Segment
from tests import factories

AUGUST = date(2025, 8, 1)
HEADER = [
    "NIK",
    "NO KPJ",
    "NPP",
    "NAMA PESERTA",
    "PROGRAM",
    "STATUS KEPESERTAAN",
    "BULAN TERAKHIR BAYAR",
]
Status = ImportBatch.Status


def statement_file(rows, header=HEADER, name="rekap-agustus.csv") -> ContentFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ContentFile(buffer.getvalue().encode(), name=name)


def statement_rows(upload) -> list[list[str]]:
    """The rows of a statement file made by ``statement_file`` (read again from its start)."""
    upload.seek(0)
    return list(csv.reader(io.StringIO(upload.read().decode())))[1:]


def check(upload, scope=Scope.CITY, month=AUGUST) -> ImportBatch:
    batch = stage_statement(upload, month=month, scope=scope, acting_user=None)
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def apply(batch: ImportBatch, **choices) -> ImportBatch:
    if confirm_statement(batch, Choices(**choices)):
        batches.run_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def city_worker(*codes, **overrides) -> Worker:
    """A worker the city pays JKK and JKM for (informal, vulnerable), from 1/1/2025."""
    membership = {
        key: overrides.pop(key) for key in ("end_date", "bpjs_status") if key in overrides
    }
    worker = factories.make_worker(**overrides)
    for code in codes or ("JKK", "JKM"):
        factories.make_membership(
            worker,
            code,
            segment=Segment.objects.get(code="RENTAN"),
            start_date=date(2025, 1, 1),
            **membership,
        )
    return worker


def states(worker: Worker) -> set[tuple]:
    return set(
        worker.memberships.values_list(
            "bpjs_status", "bpjs_paid_through", "bpjs_reason", "end_date"
        )
    )


@pytest.fixture
def august(reference_data, employer_a, employer_b):
    """Our side and BPJS's statement of August 2025, one participant of each kind."""
    ours = {
        "confirmed": city_worker(kpj="11111111111"),
        "kpj_missing": city_worker(),
        "unpaid": city_worker(),
        "inactive": city_worker(),
        "programs": city_worker(),
        "left_out": city_worker(bpjs_status=BpjsStatus.ACTIVE),  # confirmed by BPJS before
        "registered": city_worker(),  # registered here, never handed over: BPJS cannot know it yet
        "ended": city_worker(end_date=date(2025, 6, 30)),
        # paid by an employer: outside the city's statement, never "unknown to BPJS" there
        "employed": factories.make_worker(),
    }
    factories.make_membership(ours["employed"], "JKK", employer=employer_a)
    new_nik, twice = factories.make_nik(), factories.make_nik()
    rows = [
        [
            ours["confirmed"].nik,
            "11111111111",
            "",
            "ANDI",
            "JKK,JKM",
            "aktif",
            "08/2025",
        ],  # 2 confirmed
        [
            ours["kpj_missing"].nik,
            "22222222222",
            "",
            "BUDI",
            "JKK+JKM",
            "Aktif",
            "2025-08",
        ],  # 3 confirmed, KPJ
        [
            ours["unpaid"].nik,
            "",
            "",
            "CICI",
            "JKK,JKM",
            "aktif",
            "Juni 2025",
        ],  # 4 lapsed since 07/2025
        [
            ours["inactive"].nik,
            "",
            "",
            "DEDI",
            "JKK,JKM",
            "tidak aktif",
            "07/2025",
        ],  # 5 lapsed (inactive)
        [
            ours["programs"].nik,
            "",
            "",
            "EKA",
            "JKK,JKM,JHT",
            "aktif",
            "08/2025",
        ],  # 6 different programs
        [
            new_nik,
            "33333333333",
            employer_b.npp,
            "FAJAR",
            "JKK,JKM",
            "aktif",
            "08/2025",
        ],  # 7 unknown here
        [
            ours["ended"].nik,
            "",
            "",
            "GITA",
            "JKK,JKM",
            "aktif",
            "08/2025",
        ],  # 8 unknown here (ended in June)
        ["12345", "", "", "HADI", "JKK,JKM", "aktif", "08/2025"],  # 9 error: not a NIK
        [factories.make_nik(), "", "", "IWAN", "JKK,JKM", "mungkin", "08/2025"],  # 10 error: status
        [twice, "", "", "JOKO", "JKK,JKM", "aktif", "08/2025"],  # 11 error: NIK also on row 12
        [twice, "", "", "JOKO", "JKK,JKM", "aktif", "08/2025"],  # 12 error: NIK also on row 11
    ]  # left_out and registered (active here, city-funded) are on no row: unknown to BPJS
    return ours, statement_file(rows), new_nik


# Categories counted from the rows above: confirmed rows 2, 3; lapsed 4, 5; different 6; unknown here 7, 8;
# unknown to BPJS: left_out, registered (the employed worker is outside the city's scope); errors: rows 9, 10,
# 11, 12.
EXPECTED = {
    Category.CONFIRMED: 2,
    Category.LAPSED: 2,
    Category.DIFFERENT: 1,
    Category.UNKNOWN_HERE: 2,
    Category.UNKNOWN_AT_BPJS: 2,
}


def test_a_statement_is_previewed_per_category_with_its_row_errors(august):
    ours, upload, _new = august
    batch = check(upload)
    assert batch.status == Status.VALIDATED
    assert batch.summary["facts"]["categories"] == EXPECTED
    assert batch.summary["facts"]["kpj_fill"] == 1  # row 3
    assert batch.count_errors == 4  # rows 9, 10, 11, 12
    assert batch.error_file
    assert Statement.objects.count() == 0  # nothing written before confirming


def test_applying_moves_the_memberships_and_keeps_the_discrepancy_list(august):
    ours, upload, new_nik = august
    batch = apply(check(upload))
    assert batch.status == Status.IMPORTED, batch.message
    statement = Statement.objects.get(import_batch=batch)
    assert {key: statement.counts[key] for key in EXPECTED} == EXPECTED
    assert statement.lines.count() == sum(
        EXPECTED.values()
    )  # 9: one per participant, none for error rows

    assert states(ours["confirmed"]) == {(BpjsStatus.ACTIVE, AUGUST, "", None)}
    assert states(ours["kpj_missing"]) == {(BpjsStatus.ACTIVE, AUGUST, "", None)}
    ours["kpj_missing"].refresh_from_db()
    assert ours["kpj_missing"].kpj == "22222222222"
    # Paid through June: ended on 30/06/2025, the last day of the last month paid (decision 64).
    assert states(ours["unpaid"]) == {
        (BpjsStatus.LAPSED, date(2025, 6, 1), LAPSED_REASON, date(2025, 6, 30))
    }
    assert states(ours["inactive"]) == {
        (BpjsStatus.LAPSED, date(2025, 7, 1), LAPSED_REASON, date(2025, 7, 31))
    }
    assert states(ours["programs"]) == {
        (BpjsStatus.REGISTERED, None, "", None)
    }  # a difference: left open
    assert states(ours["left_out"]) == {(BpjsStatus.MISSING, None, "", None)}
    # Only a membership BPJS had confirmed goes missing; one never handed over stays registered (on the list).
    assert states(ours["registered"]) == {(BpjsStatus.REGISTERED, None, "", None)}
    assert states(ours["employed"]) == {(BpjsStatus.REGISTERED, None, "", None)}

    open_lines = statement.lines.filter(status=DiscrepancyStatus.OPEN)
    assert sorted(open_lines.values_list("category", flat=True)) == sorted(
        [Category.DIFFERENT, Category.UNKNOWN_HERE, Category.UNKNOWN_HERE]
        + [Category.UNKNOWN_AT_BPJS] * 2
    )
    unknown = statement.lines.get(nik=new_nik)
    assert unknown.employer.name == "CV Losari Jaya"
    assert "CV Losari Jaya" in unknown.detail
    assert (
        statement.lines.get(nik=ours["unpaid"].nik).detail == "Belum dibayar sejak 07/2025."
    )  # July
    assert "JHT" in statement.lines.get(nik=ours["programs"].nik).detail
    assert statement.lines.get(nik=ours["ended"].nik).worker_id == ours["ended"].pk
    # Every membership changed has its history row, by the import.
    changed = Membership.history.filter(history_batch_id=batch.pk, history_type="~")
    assert (
        changed.count() == 2 * 5
    )  # confirmed, kpj_missing, unpaid, inactive, left_out: JKK and JKM each


def test_lapsed_memberships_stay_open_when_the_administrator_does_not_end_them(august):
    ours, upload, _new = august
    apply(check(upload), end_lapsed=False, fill_kpj=False)
    assert states(ours["unpaid"]) == {(BpjsStatus.LAPSED, date(2025, 6, 1), LAPSED_REASON, None)}
    assert not Worker.objects.get(pk=ours["kpj_missing"].pk).kpj
    assert StatementLine.objects.get(nik=ours["unpaid"].nik).status == DiscrepancyStatus.OPEN


def test_the_same_statement_again_is_refused_and_changes_nothing(august):
    ours, upload, _new = august
    apply(check(upload))
    memberships = sorted(Membership.objects.values_list("pk", "bpjs_status", "end_date", "version"))
    lines = StatementLine.objects.count()
    upload.seek(0)
    again = apply(check(ContentFile(upload.read(), name="rekap-agustus-lagi.csv")))
    assert again.status == Status.VALIDATED  # never applied
    assert "sudah diterapkan" in again.summary["blocked"]  # already applied
    assert (
        sorted(Membership.objects.values_list("pk", "bpjs_status", "end_date", "version"))
        == memberships
    )
    assert (Statement.objects.count(), StatementLine.objects.count()) == (1, lines)


def test_a_confirmed_membership_already_active_moves_its_last_month_paid_on_after_the_commit(
    reference_data, django_capture_on_commit_callbacks
):
    worker = city_worker()
    worker.memberships.update(bpjs_status=BpjsStatus.ACTIVE, bpjs_paid_through=date(2025, 7, 1))
    rows = [[worker.nik, "", "", "", "JKK,JKM", "aktif", "08/2025"]]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = apply(check(statement_file(rows)))
    assert (
        len(callbacks) == 1
    )  # the job, queued when the statement's transaction commits (run at once here)
    assert states(worker) == {(BpjsStatus.ACTIVE, AUGUST, "", None)}
    assert not Membership.history.filter(
        history_batch_id=batch.pk
    ).exists()  # the line is its record
    assert advance_paid_through(Statement.objects.get().pk) == 0  # again: nothing left to move on


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (HEADER[:5] + HEADER[6:], "missing_columns"),  # no status column
        (list(ROSTER_HEADER), "missing_columns"),  # an employer's roster
    ],
)
def test_a_malformed_or_foreign_file_is_refused_and_nothing_is_written(august, header, code):
    ours, _upload, _new = august
    rows = [[ours["confirmed"].nik, *[""] * (len(header) - 1)]]
    batch = apply(check(statement_file(rows, header=header)))
    assert (batch.status, batch.summary["refused"]) == (Status.REFUSED, code)
    assert batch.message
    assert (Statement.objects.count(), StatementLine.objects.count()) == (0, 0)
    assert states(ours["confirmed"]) == {(BpjsStatus.REGISTERED, None, "", None)}
    assert states(ours["left_out"]) == {(BpjsStatus.ACTIVE, None, "", None)}


def test_a_person_two_employers_share_is_matched_by_nik_in_the_right_category(
    reference_data, employer_a, employer_b
):
    same_employer, other_employer = factories.make_worker(), factories.make_worker()
    for worker in (same_employer, other_employer):  # on both rosters, covered through employer A
        factories.make_employment(worker, employer_a)
        factories.make_employment(worker, employer_b)
        for code in ("JKK", "JKM"):
            factories.make_membership(worker, code, employer=employer_a)
    rows = [
        [same_employer.nik, "", employer_a.npp, "", "JKK,JKM", "aktif", "08/2025"],
        [other_employer.nik, "", employer_b.npp, "", "JKK,JKM", "aktif", "08/2025"],
    ]
    batch = apply(check(statement_file(rows), scope=Scope.ALL))
    lines = dict(StatementLine.objects.values_list("nik", "category"))
    assert lines == {same_employer.nik: Category.CONFIRMED, other_employer.nik: Category.DIFFERENT}
    detail = StatementLine.objects.get(nik=other_employer.nik).detail
    assert "CV Losari Jaya" in detail and "PT Angin Mamiri" in detail
    assert batch.summary["facts"]["categories"] == {Category.CONFIRMED: 1, Category.DIFFERENT: 1}


def test_a_kpj_another_worker_holds_or_several_are_given_is_never_filled_in(reference_data):
    holder = city_worker(kpj="44444444444")
    other, twin_a, twin_b = city_worker(), city_worker(), city_worker()
    rows = [
        [holder.nik, "44444444444", "", "", "JKK,JKM", "aktif", "08/2025"],
        [other.nik, "44444444444", "", "", "JKK,JKM", "aktif", "08/2025"],  # holder's KPJ
        [twin_a.nik, "55555555555", "", "", "JKK,JKM", "aktif", "08/2025"],  # one KPJ for two
        [twin_b.nik, "55555555555", "", "", "JKK,JKM", "aktif", "08/2025"],
    ]
    batch = apply(check(statement_file(rows)))
    assert batch.status == Status.IMPORTED, batch.message
    for worker in (other, twin_a, twin_b):
        assert not Worker.objects.get(pk=worker.pk).kpj
        line = StatementLine.objects.get(nik=worker.nik)
        assert (line.category, line.status) == (Category.DIFFERENT, DiscrepancyStatus.OPEN)


@pytest.mark.parametrize(
    "value",
    ["08/2025", "8/2025", "2025-08", "Agustus 2025", "AUG 2025", date(2025, 8, 31), "31/08/2025"],
)
def test_the_last_month_paid_reads_as_branch_offices_write_it(value):
    assert parse_month(value) == AUGUST


def test_a_status_is_active_or_inactive_or_an_error():
    assert (parse_status("AKTIF"), parse_status("Tidak Aktif"), parse_status("inactive")) == (
        True,
        False,
        False,
    )
    with pytest.raises(cells.CellError):
        parse_status("mungkin")


# --- the discrepancy list -----------------------------------------------------------------------------------


def test_lines_are_assigned_and_settled_with_a_note_once(august, operator, administrator):
    _ours, upload, _new = august
    apply(check(upload))
    # As the admin's changelist selects them: with the statement and the (nullable) owner joined.
    open_lines = StatementLine.objects.select_related("statement", "owner").filter(
        status=DiscrepancyStatus.OPEN
    )
    assert assign_lines(open_lines, operator, acting_user=administrator) == 5
    assert set(StatementLine.objects.filter(owner=operator).values_list("status", flat=True)) == {
        "OPEN"
    }
    with pytest.raises(ValueError):
        settle_lines(open_lines, DiscrepancyStatus.RESOLVED, "  ", acting_user=operator)
    first = StatementLine.objects.filter(category=Category.UNKNOWN_HERE).order_by("pk")[:1]
    chosen = StatementLine.objects.filter(pk__in=list(first.values_list("pk", flat=True)))
    assert (
        settle_lines(
            chosen, DiscrepancyStatus.RESOLVED, "Didaftarkan lewat formulir.", acting_user=operator
        )
        == 1
    )
    assert (
        settle_lines(chosen, DiscrepancyStatus.DISMISSED, "Lagi.", acting_user=operator) == 0
    )  # settled once
    line = chosen.get()
    assert (line.status, line.note, line.settled_by) == (
        "RESOLVED",
        "Didaftarkan lewat formulir.",
        operator,
    )
    assert LogEntry.objects.filter(object_id=str(line.pk)).count() == 2  # assigned, resolved


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_operators_upload_preview_and_apply_in_the_admin(august, operator):
    ours, upload, _new = august
    client = client_of(operator)
    upload.name = "rekap.csv"
    response = client.post(
        reverse("admin:bpjs_statement_upload"),
        {"month": "2025-08", "scope": Scope.CITY, "file": upload},
    )
    batch = ImportBatch.objects.get(source=ImportBatch.Source.BPJS_STATEMENT)
    assert response.url == reverse("admin:bpjs_statement_review", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    counts = {label: count for _value, label, count in page.context["counts"]}
    assert counts[Category.LAPSED.label] == 2
    client.post(
        reverse("admin:bpjs_statement_confirm", args=[batch.pk]),
        {"fill_kpj": "on", "end_lapsed": "on"},
    )
    batch.refresh_from_db()
    assert batch.status == Status.IMPORTED
    lines = client.get(reverse("admin:bpjs_statementline_changelist"), {"status__exact": "OPEN"})
    assert lines.status_code == 200 and lines.context["cl"].result_count == 5
    assert "737105••••••" in lines.content.decode()  # NIKs masked in the list


@pytest.mark.parametrize("persona", ["manager", "employer_a_user"])
def test_managers_and_employers_never_reach_the_statements(request, august, persona):
    client = client_of(request.getfixturevalue(persona))
    for name in (
        "bpjs_statement_changelist",
        "bpjs_statement_upload",
        "bpjs_statementline_changelist",
    ):
        response = client.get(reverse(f"admin:{name}"))
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_demo_statement_is_imported_and_applied_once(reference_data, administrator):
    from bpjs.demo_statement import ensure_statement_demo

    workers = [city_worker() for _ in range(3)]
    statement = ensure_statement_demo(administrator)
    assert statement.month == AUGUST
    assert statement.import_batch.status == Status.IMPORTED
    assert statement.lines.count() == 3  # each participant once, whatever the draw made of them
    assert {line.worker_id for line in statement.lines.all()} == {worker.pk for worker in workers}
    assert ensure_statement_demo(administrator) is None
    assert Statement.objects.count() == 1


def test_a_city_statement_with_no_city_funded_scheme_in_the_catalogue_is_checked_not_an_error(
    august,
):
    """With no scheme paid from the city budget, nobody is in the city's scope: every valid row (rows 2 to 8 of
    the fixture's statement: 7) is unknown here, and the check ends (it was an SQL error on PostgreSQL)."""
    _ours, upload, _new = august
    FundingScheme.objects.update(is_city_budget=False)
    batch = check(upload)
    assert batch.status == Status.VALIDATED, batch.message
    assert batch.summary["facts"]["categories"] == {Category.UNKNOWN_HERE: 7}


# --- registering those unknown here (decision 70) -------------------------------------------------------------


@pytest.fixture
def unknown_here(reference_data, employer_a, employer_b):
    """A city statement of August 2025 naming seven people who have no city-funded membership here that month."""
    known_ended = city_worker(end_date=date(2025, 6, 30))
    employed = factories.make_worker()
    factories.make_membership(employed, "JKK", employer=employer_a, start_date=date(2025, 1, 1))
    factories.make_membership(employed, "JKM", employer=employer_a, start_date=date(2025, 1, 1))
    holder = factories.make_worker(kpj="55555555555")
    niks = {
        "new": factories.make_nik(date(1988, 5, 17), "P"),
        "inactive": factories.make_nik(),
        "employer_named": factories.make_nik(),
        "kpj_held": factories.make_nik(date(1975, 12, 1), "L"),
    }
    later = city_worker()  # from September: unknown here in August, and nothing to open
    later.memberships.update(start_date=date(2025, 9, 1))
    rows = [
        [niks["new"], "44444444444", "", "SARI", "JKK,JKM", "aktif", "08/2025"],  # 2 registered, new
        [niks["inactive"], "", "", "TONO", "JKK,JKM", "nonaktif", "06/2025"],  # 3 not: inactive
        [niks["employer_named"], "", employer_b.npp, "UDIN", "JKK,JKM", "aktif", "08/2025"],  # 4 not: B's
        [known_ended.nik, "", "", "VINA", "JKK,JKM", "aktif", "08/2025"],  # 5 registered, known
        [employed.nik, "", "", "WAWAN", "JKK,JKM", "aktif", "08/2025"],  # 6 not: an employer's
        [niks["kpj_held"], "55555555555", "", "YUSUF", "JKK,JKM", "aktif", "08/2025"],  # 7 registered
        [later.nik, "", "", "ZAINAL", "JKK,JKM", "aktif", "08/2025"],  # 8 not: his start here is later
    ]  # fmt: skip
    return niks, known_ended, employed, holder, statement_file(rows)


def test_a_city_statement_registers_those_unknown_here_in_the_chosen_segment(unknown_here):
    niks, known_ended, employed, holder, upload = unknown_here
    batch = check(upload)
    assert batch.summary["facts"]["categories"] == {Category.UNKNOWN_HERE: 7}
    assert (
        batch.summary["facts"]["registered"] == 0
    )  # the preview registers nobody: a choice of applying
    batch = apply(batch, register_segment="RENTAN")
    assert batch.status == Status.IMPORTED, batch.message
    assert batch.summary["facts"]["registered"] == 3  # rows 2, 5, 7
    assert batch.count_new == 3

    sari = Worker.objects.get(nik=niks["new"])
    # The name and KPJ from the statement; born 17/05/1988, a woman (day 57 = 17 + 40): the NIK's own digits.
    assert (sari.name, sari.kpj, sari.birth_date, sari.sex) == (
        "SARI",
        "44444444444",
        date(1988, 5, 17),
        "P",
    )
    # JKK and JKM, city-funded informal workers from the statement's month, at the declared income of
    # Rp1.000.000 (PP 44/2015 as amended: JKK 1 % = Rp10.000, JKM Rp6.800), already active at BPJS.
    assert set(
        sari.memberships.values_list(
            "program__code", "segment__code", "funding_scheme__code", "start_date", "end_date",
            "monthly_contribution", "government_share", "bpjs_status", "bpjs_paid_through",
        )
    ) == {
        ("JKK", "RENTAN", "APBD", AUGUST, None, 10_000, 10_000, BpjsStatus.ACTIVE, AUGUST),
        ("JKM", "RENTAN", "APBD", AUGUST, None, 6_800, 6_800, BpjsStatus.ACTIVE, AUGUST),
    }  # fmt: skip
    assert sari.history.count() == 1 and Membership.history.filter(worker_id=sari.pk).count() == 2

    assert known_ended.memberships.filter(start_date=AUGUST, end_date=None).count() == 2
    assert Worker.objects.filter(nik=known_ended.nik).count() == 1
    yusuf = Worker.objects.get(nik=niks["kpj_held"])
    assert (
        yusuf.kpj is None and holder.kpj == "55555555555"
    )  # another worker's KPJ is not given twice
    assert not Worker.objects.filter(nik__in=[niks["inactive"], niks["employer_named"]]).exists()
    assert (
        employed.memberships.count() == 2
    )  # an employer's worker: no city-funded membership added

    lines = {line.row: line for line in Statement.objects.get().lines.all()}
    assert {row for row, line in lines.items() if line.status == DiscrepancyStatus.APPLIED} == {
        2,
        5,
        7,
    }
    assert lines[2].worker_id == sari.pk
    assert "didaftarkan" in lines[2].detail.lower()
    assert "pemberi kerja" in lines[6].detail  # enrolled through an employer here: left on the list
    assert "mulai lebih kemudian" in lines[8].detail and lines[8].status == DiscrepancyStatus.OPEN

    # The next statement of the month (re-exported: one more blank line) finds Sari and Vina confirmed, and
    # Yusuf different: BPJS's KPJ for him is another worker's here.
    again = check(statement_file([*statement_rows(upload), []]))
    assert again.summary["facts"]["categories"] == {
        Category.CONFIRMED: 2,
        Category.DIFFERENT: 1,
        Category.UNKNOWN_HERE: 4,
    }


def test_an_employers_statement_and_an_unknown_segment_register_nobody(unknown_here, operator):
    niks, *_rest, upload = unknown_here
    batch = check(upload, scope=Scope.ALL)
    batch = apply(
        batch, register_segment="RENTAN"
    )  # ignored: BPJS's whole statement names no segment
    assert batch.summary["facts"]["registered"] == 0
    assert not Worker.objects.filter(nik=niks["new"]).exists()

    client = client_of(operator)
    city_statement = statement_file([*statement_rows(upload), []])  # not the file applied above
    response = client.post(
        reverse("admin:bpjs_statement_upload"),
        {"month": "2025-08", "scope": Scope.CITY, "file": city_statement},
    )
    batch = ImportBatch.objects.filter(status=Status.VALIDATED).get()
    page = client.get(response.url).content.decode()
    assert 'name="register_segment"' in page and "RENTAN" in page and "NON_ASN" not in page
    client.post(
        reverse("admin:bpjs_statement_confirm", args=[batch.pk]), {"register_segment": "NON_ASN"}
    )  # a wage earners' segment: not offered, refused
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    assert not Worker.objects.filter(nik=niks["new"]).exists()


def test_a_kpj_given_both_to_fill_in_and_to_a_registered_worker_is_given_to_neither(reference_data):
    """One KPJ twice in the statement: once for a participant here without one, once for a person registered from
    it. Given to both, the second would break the KPJ's uniqueness and fail the whole statement."""
    known = city_worker()
    new_nik = factories.make_nik()
    upload = statement_file(
        [
            [known.nik, "66666666666", "", "ANI", "JKK,JKM", "aktif", "08/2025"],  # 2 KPJ to fill
            [new_nik, "66666666666", "", "BAYU", "JKK,JKM", "aktif", "08/2025"],  # 3 registered
        ]
    )
    batch = apply(check(upload), register_segment="RENTAN")
    assert batch.status == Status.IMPORTED, batch.message
    known.refresh_from_db()
    assert known.kpj is None and Worker.objects.get(nik=new_nik).kpj is None
    line = Statement.objects.get().lines.get(row=2)
    assert line.category == Category.DIFFERENT
    assert "66666666666" in line.detail
