"""The import commands (exit codes, error file, template, export round trip), the portal's upload loop, the
background worker, and the exports (streamed, scoped, NIK as text, formulas neutralised)."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import Employment, ImportBatch, Membership, Worker
from enrollment.roster_file import EXAMPLE_NIK, ROSTER_HEADER
from tests import factories
from tests.test_imports import csv_file, row, snapshot

pytestmark = pytest.mark.django_db
Status = ImportBatch.Status


def write(path, upload) -> str:
    path.write_bytes(upload.read())
    return str(path)


def run(*args, **options) -> int:
    """The command's exit status: 0, or the SystemExit code."""
    try:
        call_command("import_roster", *args, stdout=io.StringIO(), **options)
    except SystemExit as exit:
        return exit.code
    return 0


# --- import_roster ------------------------------------------------------------------------------------------------


def test_import_roster_imports_and_exits_0(tmp_path, employer_a, administrator):
    path = write(tmp_path / "roster.csv", csv_file([row(), row()]))
    out = io.StringIO()
    call_command(
        "import_roster",
        path,
        source="roster",
        employer=employer_a.npp,
        user="admin_ani",
        stdout=out,
    )
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.count_new, batch.created_by) == (Status.IMPORTED, 2, administrator)
    assert "new" in out.getvalue() and f"#{batch.pk}" in out.getvalue()
    assert Worker.history.filter(history_batch_id=batch.pk, history_user=administrator).count() == 2


def test_import_roster_exits_1_and_writes_the_error_file_next_to_the_input(tmp_path, employer_a):
    path = write(tmp_path / "roster.csv", csv_file([row(), row("123")]))
    before = snapshot()
    assert run(path, source="roster", employer=employer_a.npp) == 1
    assert snapshot() == before
    report = (tmp_path / "roster-kesalahan.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[0].startswith("Kesalahan,NIK")
    assert len(report) == 3
    assert run(path, source="roster", employer=employer_a.npp, only_valid_rows=True) == 0
    assert Worker.objects.filter(import_batch__isnull=False).count() == 1


def test_import_roster_exits_1_on_a_refused_file(tmp_path, employer_a):
    path = tmp_path / "kosong.csv"
    path.write_bytes(b"")
    assert run(str(path), source="roster", employer=employer_a.npp) == 1
    assert ImportBatch.objects.get().status == Status.REFUSED


def test_a_dry_run_writes_nothing_and_exits_0_only_for_a_clean_file(tmp_path, employer_a):
    before = snapshot()
    clean = write(tmp_path / "clean.csv", csv_file([row()]))
    dirty = write(tmp_path / "dirty.csv", csv_file([row("1")]))
    assert run(clean, source="roster", employer=employer_a.npp, dry_run=True) == 0
    assert run(dirty, source="roster", employer=employer_a.npp, dry_run=True) == 1
    assert snapshot() == before
    assert (tmp_path / "dirty-kesalahan.csv").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"source": "roster"}, "--employer"),
        ({"source": "roster", "employer": "99999999"}, "99999999"),
        ({"source": "dtsen", "employer": "10000001"}, "--employer"),
        ({"source": "roster", "employer": "10000001", "user": "nobody"}, "nobody"),
    ],
)
def test_import_roster_refuses_wrong_arguments(tmp_path, employer_a, options, message):
    path = write(tmp_path / "roster.csv", csv_file([row()]))
    with pytest.raises(CommandError, match=message):
        call_command("import_roster", path, **options)
    assert not ImportBatch.objects.exists()


def test_import_roster_takes_a_dtsen_list(tmp_path, reference_data):
    from tests.test_imports import DTSEN_HEADER, dtsen_row

    path = write(
        tmp_path / "dtsen.csv", csv_file([dtsen_row(), dtsen_row(decile=9)], header=DTSEN_HEADER)
    )
    assert run(path, source="dtsen", start_date=date(2025, 10, 1)) == 0
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.count_new, batch.summary["skipped_reasons"]) == (
        ImportBatch.Source.DTSEN,
        1,
        {"above_cutoff": 1},
    )


# --- roster_template and export_roster ----------------------------------------------------------------------------


def test_the_template_has_the_import_columns_one_example_row_and_niks_as_text(
    tmp_path, reference_data
):
    call_command("roster_template", output=str(tmp_path / "t.xlsx"), stdout=io.StringIO())
    call_command("roster_template", output=str(tmp_path / "t.csv"), stdout=io.StringIO())
    workbook = load_workbook(tmp_path / "t.xlsx")
    sheet = workbook["Roster"]
    assert [cell.value for cell in sheet[1]] == ROSTER_HEADER  # the import's columns, Program last
    assert sheet.max_row == 2
    assert (sheet["A2"].value, sheet["A2"].number_format) == (EXAMPLE_NIK, "@")
    assert workbook["Kode Kelurahan"].max_row == 154  # the 153 kelurahan of Makassar
    lines = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))))
    assert lines[0] == ROSTER_HEADER and lines[1][0] == EXAMPLE_NIK and len(lines) == 2


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_roster_writes_a_file_import_roster_accepts_unchanged(
    tmp_path, employer_a, employer_b, suffix
):
    for employer, count in ((employer_a, 3), (employer_b, 1)):
        for _ in range(count):
            worker = factories.make_worker(name="=cmd|' /C calc'!A0")
            factories.make_employment(worker, employer)
            factories.make_membership(worker, "JKK", employer=employer)
    path = tmp_path / f"roster.{suffix}"
    call_command("export_roster", employer=employer_a.npp, output=str(path), stdout=io.StringIO())
    before = snapshot()
    assert run(str(path), source="roster", employer=employer_a.npp) == 0
    batch = ImportBatch.objects.get()
    assert (batch.row_count, batch.count_unchanged, batch.count_errors) == (3, 3, 0)
    assert snapshot() == before


def test_the_export_neutralises_formulas_and_keeps_niks_as_text(tmp_path, employer_a):
    worker = factories.make_worker(name="=HYPERLINK(1)")
    factories.make_employment(worker, employer_a)
    path = tmp_path / "r.xlsx"
    call_command("export_roster", employer=employer_a.npp, output=str(path), stdout=io.StringIO())
    sheet = load_workbook(path).active
    assert sheet["B2"].value == "'=HYPERLINK(1)"
    assert (sheet["A2"].value, sheet["A2"].number_format, sheet["A2"].data_type) == (
        worker.nik,
        "@",
        "s",
    )


# --- the portal ---------------------------------------------------------------------------------------------------


def upload(client, content, **data):
    return client.post(
        reverse("portal:imports"), {"file": content, "reason": "CONTRACT_ENDED", **data}
    )


def test_the_portal_loop_upload_preview_confirm(client, employer_a_user, employer_a):
    client.force_login(employer_a_user)
    response = upload(client, csv_file([row(), row("99")]))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("portal:import_batch", kwargs={"pk": batch.pk})
    assert (batch.status, batch.employer, batch.created_by) == (
        Status.VALIDATED,
        employer_a,
        employer_a_user,
    )
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["kinds"] == [("error", 1), ("new", 1)]
    assert page.context["page"].paginator.count == 1
    refused = client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    assert refused.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}), {"only_valid_rows": "1"})
    batch.refresh_from_db()
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 1)
    errors = client.get(reverse("portal:import_errors", kwargs={"pk": batch.pk}))
    assert b"Kesalahan" in b"".join(errors.streaming_content)


def test_the_preview_lists_changes_page_by_page(client, employer_a_user, employer_a):
    client.force_login(employer_a_user)
    upload(client, csv_file([row() for _ in range(120)]))
    batch = ImportBatch.objects.get()
    url = reverse("portal:import_batch", kwargs={"pk": batch.pk})
    page = client.get(url, {"show": "new", "page": 3}).context["page"]
    assert (page.paginator.num_pages, len(page.object_list), page.object_list[0].row) == (
        3,
        20,
        102,
    )


def test_an_upload_always_goes_to_the_users_own_roster_whatever_the_form_says(
    client, employer_a_user, employer_a, employer_b
):
    client.force_login(employer_a_user)
    upload(client, csv_file([row()]), employer=employer_b.pk, employer_id=employer_b.pk)
    batch = ImportBatch.objects.get()
    assert batch.employer == employer_a
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    assert not Employment.objects.filter(employer=employer_b).exists()
    assert Employment.objects.filter(employer=employer_a).count() == 1


def test_a_file_naming_another_employers_workers_never_touches_their_jobs(
    client, employer_a_user, employer_a, employer_b
):
    worker = factories.make_worker(phone="081100001111", address="Jl. Losari")
    factories.make_employment(worker, employer_b, monthly_wage=3_000_000)
    factories.make_membership(worker, "JKK", employer=employer_b)
    before = {
        "jobs": list(Employment.objects.filter(employer=employer_b).values()),
        "memberships": list(Membership.objects.filter(employer=employer_b).values()),
        "worker": list(Worker.objects.filter(pk=worker.pk).values()),
    }
    client.force_login(employer_a_user)
    upload(
        client,
        csv_file([row(worker.nik, name="Diubah", wage="1")]),
        full_sync="on",
        end_date="2025-08-31",
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    assert before == {
        "jobs": list(Employment.objects.filter(employer=employer_b).values()),
        "memberships": list(Membership.objects.filter(employer=employer_b).values()),
        "worker": list(Worker.objects.filter(pk=worker.pk).values()),
    }


def test_a_cancelled_upload_cannot_be_confirmed(client, employer_a_user, employer_a):
    client.force_login(employer_a_user)
    upload(client, csv_file([row()]))
    batch = ImportBatch.objects.get()
    client.post(reverse("portal:import_cancel", kwargs={"pk": batch.pk}))
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED
    assert not Worker.objects.filter(import_batch=batch).exists()


def test_a_large_upload_goes_to_the_background_and_shows_progress(
    client, employer_a_user, employer_a, settings
):
    settings.IMPORT_INLINE_MAX_KB = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(employer_a_user)
    response = upload(client, csv_file([row()]))
    batch = ImportBatch.objects.get()
    assert batch.status == Status.PENDING
    page = client.get(response.url)
    assert page.context["in_progress"]
    assert b'http-equiv="refresh"' in page.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_checks_and_imports_a_queued_upload(
    client, employer_a_user, employer_a, settings
):
    settings.IMPORT_INLINE_MAX_KB = 0
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(employer_a_user)
    upload(client, csv_file([row(), row()]))
    batch = ImportBatch.objects.get()
    assert batch.status == Status.PENDING and batch.task_id
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == Status.RUNNING
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    batch.refresh_from_db()
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 2)


# --- exports -----------------------------------------------------------------------------------------------------


def test_the_portal_xlsx_download_is_streamed_from_a_file(client, employer_a_user, employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    client.force_login(employer_a_user)
    response = client.get(reverse("portal:roster_download", kwargs={"file_format": "xlsx"}))
    assert response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (sheet["A2"].value, sheet["A2"].number_format) == (worker.nik, "@")
