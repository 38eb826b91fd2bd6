"""Imports and exports in the admin: the roster and DTSEN upload of the import batches, and django-import-export
on every main model (and the catalogue), with the same rules and an audit trail."""

import csv
import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from berjasa.audit import Channel
from enrollment.models import Employer, Employment, ImportBatch, Membership, Worker
from programs.models import ContributionRate, Kelurahan
from tests import factories
from tests.test_imports import DTSEN_HEADER, csv_file, dtsen_row, row

pytestmark = pytest.mark.usefixtures("reference_data")
Status = ImportBatch.Status


def upload(client, content, **data):
    return client.post(
        reverse("admin:enrollment_importbatch_upload"),
        {"file": content, "reason": "CONTRACT_ENDED", **data},
    )


@pytest.mark.parametrize("persona", ["administrator", "operator"])
def test_staff_upload_a_roster_for_an_employer_preview_and_confirm(
    client, request, persona, employer_a
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("admin:enrollment_importbatch_upload")).status_code == 200
    response = upload(client, csv_file([row(), row("12")]), source="ROSTER", npp=employer_a.npp)
    batch = ImportBatch.objects.get()
    assert response.url == reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk})
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["kinds"] == [("error", 1), ("new", 1)]
    assert client.get(page.context["errors_url"]).status_code == 200
    client.post(page.context["confirm_url"], {"only_valid_rows": "1"})
    batch.refresh_from_db()
    assert (batch.status, batch.employer, batch.count_new, batch.created_by) == (
        Status.IMPORTED,
        employer_a,
        1,
        user,
    )
    history = Worker.history.get(history_batch_id=batch.pk)
    assert (history.history_channel, history.history_user) == (Channel.IMPORT, user)


def test_the_dtsen_list_is_uploaded_in_the_admin(client, administrator):
    client.force_login(administrator)
    content = csv_file([dtsen_row(), dtsen_row(decile=8)], header=DTSEN_HEADER)
    upload(client, content, source="DTSEN", start_date="2025-10-01")
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.status, batch.employer) == (
        ImportBatch.Source.DTSEN,
        Status.VALIDATED,
        None,
    )
    client.post(reverse("admin:enrollment_importbatch_confirm", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 1)
    assert Membership.objects.filter(import_batch=batch, start_date=date(2025, 10, 1)).count() == 2


def test_a_roster_upload_needs_a_known_npp(client, administrator):
    client.force_login(administrator)
    response = upload(client, csv_file([row()]), source="ROSTER", npp="00000000")
    assert response.status_code == 200
    assert "npp" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_confirming_in_the_admin_refuses_a_get(client, administrator, employer_a):
    client.force_login(administrator)
    upload(client, csv_file([row()]), source="ROSTER", npp=employer_a.npp)
    batch = ImportBatch.objects.get()
    url = reverse("admin:enrollment_importbatch_confirm", kwargs={"pk": batch.pk})
    assert client.get(url).status_code == 405
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED


@pytest.mark.parametrize("persona", ["manager", "employer_a_user"])
def test_managers_and_employers_reach_no_admin_import(client, request, persona, employer_a):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("admin:enrollment_importbatch_upload"),
        reverse("admin:enrollment_worker_import"),
        reverse("admin:enrollment_worker_export"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


# --- django-import-export on every main model -----------------------------------------------------------------


def admin_import(client, model, content: bytes, name: str = "data.csv"):
    """django-import-export's two steps: upload and preview, then confirm."""
    opts = model._meta
    preview = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        {"import_file": ContentFile(content, name=name), "format": "0", "resource": "0"},
    )
    assert preview.status_code == 200
    form = preview.context.get("confirm_form")
    if form is None:
        return preview
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_process_import"),
        {**form.initial, "resource": "0"},
    )


def test_the_admin_imports_workers_with_the_nik_rules_and_history(client, operator):
    client.force_login(operator)
    nik = factories.make_nik()
    content = (
        "nik,name,birth_date,sex,kelurahan,has_disability\n"
        f"{nik[:4]} {nik[4:]},Andi,12/03/1990,L,73.71.01.1001,0\n"
    ).encode()
    admin_import(client, Worker, content)
    worker = Worker.objects.get(nik=nik)
    batch = ImportBatch.objects.get(source=ImportBatch.Source.ADMIN)
    assert (worker.entered_via, worker.import_batch, batch.created_by) == (
        Channel.IMPORT,
        batch,
        operator,
    )
    assert worker.history.get().history_channel == Channel.IMPORT


def test_the_admin_refuses_a_nik_in_scientific_notation(client, administrator):
    client.force_login(administrator)
    content = (
        b"nik,name,birth_date,sex,kelurahan,has_disability\n7.37105E+15,Andi,1990-03-12,L,,0\n"
    )
    preview = admin_import(client, Worker, content)
    assert preview.context.get("confirm_form") is None
    assert preview.context["result"].has_errors()
    assert not Worker.objects.exists()


def test_an_unknown_nik_or_npp_in_an_admin_import_is_named_for_the_clerk(client, administrator):
    client.force_login(administrator)
    nik = factories.make_nik()
    content = (
        f"worker,employer,start_date,monthly_wage\n{nik},NPP-TIDAK-ADA,2025-01-01,4000000\n"
    ).encode()
    with translation.override("id"):
        preview = admin_import(client, Employment, content)
    assert preview.context.get("confirm_form") is None
    page = preview.content.decode()
    assert f"Tidak ada pekerja dengan NIK “{nik}” yang terdaftar." in page
    assert "matching query does not exist" not in page
    assert not Employment.objects.exists()


@pytest.mark.parametrize("model", [Employer, Worker, Employment, Membership])
def test_every_main_model_exports_csv_and_xlsx(client, administrator, employer_a, model):
    worker = factories.make_worker(name="=HYPERLINK(1)")
    factories.make_employment(worker, employer_a)
    factories.make_membership(worker, "JKK", employer=employer_a)
    client.force_login(administrator)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    for index, kind in ((0, "csv"), (1, "xlsx")):
        response = client.post(
            url, {"format": str(index), "resource": "0", **_all_fields(client, url)}
        )
        assert response.status_code == 200, kind
        assert response["Content-Disposition"].startswith("attachment")
        if kind == "xlsx" and model is Worker:
            sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
            values = [cell.value for cell in sheet[2]]
            assert "'=HYPERLINK(1)" in values and worker.nik in values


def _all_fields(client, url) -> dict:
    """The export form's field checkboxes, all ticked."""
    form = client.get(url).context["form"]
    return {
        name: "on" for name in form.fields if name not in ("format", "resource", "export_items")
    }


def test_the_catalogue_exports_and_operators_may_not_import_it(client, operator):
    client.force_login(operator)
    export = reverse("admin:programs_contributionrate_export")
    assert client.get(export).status_code == 200
    response = client.get(reverse("admin:programs_contributionrate_import"))
    assert response.status_code == 403
    assert ContributionRate.objects.exists() and Kelurahan.objects.count() == 153


def test_the_admin_export_streams_the_filtered_changelist(client, administrator):
    """Export writes row by row (CSV streamed, XLSX from a file), the changelist's filters applied."""
    workers = [factories.make_worker(name=f"=Pekerja {number}") for number in range(3)]
    client.force_login(administrator)
    url = reverse("admin:enrollment_worker_export")
    searched = f"{url}?q={workers[1].nik}"
    response = client.post(searched, {"format": "0", "resource": "0", **_all_fields(client, url)})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    assert [(row[header.index("nik")], row[header.index("name")]) for row in rows[1:]] == [
        (workers[1].nik, "'=Pekerja 1")
    ]
    response = client.post(url, {"format": "1", "resource": "0", **_all_fields(client, url)})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("nik") + 1
    niks = {
        (row[column - 1].value, row[column - 1].number_format) for row in sheet.iter_rows(min_row=2)
    }
    assert niks == {(worker.nik, "@") for worker in workers}
    assert sheet.cell(row=2, column=header.index("birth_date") + 1).is_date


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_longer_than_the_admin_import_takes_is_refused_before_reading_it(
    client, administrator, settings, kind
):
    settings.ADMIN_IMPORT_MAX_ROWS = 3
    header = ["nik", "name", "birth_date", "sex", "kelurahan", "has_disability"]
    rows = [[factories.make_nik(), f"Pekerja {number}", "1990-03-12", "L", "", "0"] for number in range(4)]  # fmt: skip
    if kind == "csv":
        content = content_of(header, rows)
    else:
        workbook = Workbook()
        for line in [header, *rows]:
            workbook.active.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    client.force_login(administrator)
    with translation.override("id"):
        page = admin_import(client, Worker, content, name=f"pekerja.{kind}")
    assert "Berkas ini lebih dari 3 baris." in page.content.decode()
    assert not Worker.objects.exists() and not ImportBatch.objects.exists()
    # Three rows are within the limit.
    with translation.override("id"):
        admin_import(client, Worker, content_of(header, rows[:3]), name="pekerja.csv")
    assert Worker.objects.count() == 3


def content_of(header: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(line) for line in [header, *rows]).encode()
