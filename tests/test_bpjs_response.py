"""BPJS's response to a registration file, through the import engine (decision 62): each result and each error
kind counted by hand, the same response imported again changes nothing, a foreign file is refused with nothing
written, and the administrator's column mapping is read at the next upload."""

import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import Workbook

from bpjs.models import ColumnMapping, FileKind
from bpjs.services.handover import create_registration_file
from enrollment.imports import batches
from enrollment.models import BpjsStatus, ImportBatch, Membership, Worker
from programs.models import Segment
from tests import factories
from tests.test_bpjs_handover import city_funded
from tests.test_imports import HEADER as ROSTER_HEADER
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.usefixtures("reference_data")
Status = ImportBatch.Status
RESPONSE_HEADER = ["NIK", "NAMA LENGKAP", "NO KPJ", "STATUS", "TGL EFEKTIF", "ALASAN"]


@pytest.fixture
def handed_over(operator):
    """Seven persons handed over in one file, each with JKK and JKM; ``other`` in an earlier file; ``holder``, a
    worker already holding KPJ 25000000099."""
    people = {}
    for key in ("ani", "budi", "citra", "dedi", "eka", "fajar", "gita"):
        worker = factories.make_worker(name=key.capitalize())
        city_funded(worker, "JKK")
        city_funded(worker, "JKM")
        people[key] = worker
    Worker.objects.filter(pk=people["fajar"].pk).update(kpj="25000000077")
    people["holder"] = factories.make_worker(name="Pemegang", kpj="25000000099")
    people["file"] = create_registration_file(
        acting_user=operator, segment=Segment.objects.get(code="RENTAN")
    )
    return people


def response_file(rows, header=RESPONSE_HEADER, name="jawaban-bpjs.csv"):
    return csv_file(rows, header=header, name=name)


def import_response(content, user, *, registration_file=None) -> ImportBatch:
    """Upload, check, and import when no row has errors: the admin's steps, without the pages."""
    batch = batches.stage_upload(
        content,
        source=ImportBatch.Source.BPJS_RESPONSE,
        acting_user=user,
        options=batches.UploadOptions(source_options={"registration_file": registration_file}),
    )
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    if batch.status == Status.VALIDATED and batches.confirm_batch(batch):
        batches.run_batch(batch.pk)
        batch.refresh_from_db()
    return batch


def states(worker) -> set[tuple]:
    return set(
        Membership.objects.filter(worker=worker).values_list(
            "bpjs_status", "bpjs_effective_date", "bpjs_reason"
        )
    )


def test_each_result_and_each_error_kind_is_counted_and_only_the_valid_rows_are_applied(
    handed_over, operator
):
    p = handed_over
    stranger = factories.make_worker(name="Orang Lain")
    rows = [
        [p["ani"].nik, "Ani", "25000000001", "Diterima", "01/09/2025", ""],  # accepted
        [p["budi"].nik, "Budi", "", "DITOLAK", "", "NIK tidak ditemukan di Dukcapil"],  # rejected
        [
            p["citra"].nik,
            "Citra",
            "25000000099",
            "aktif",
            "01/09/2025",
            "",
        ],  # KPJ held by another worker
        [
            stranger.nik,
            "Orang Lain",
            "25000000002",
            "diterima",
            "01/09/2025",
            "",
        ],  # not handed over
        [p["dedi"].nik, "Dedi", "25-ABC", "diterima", "01/09/2025", ""],  # KPJ malformed
        [p["eka"].nik, "Eka", "", "gagal", "", ""],  # rejected without a reason
        [
            p["fajar"].nik,
            "Fajar",
            "25000000078",
            "diterima",
            "01/09/2025",
            "",
        ],  # another KPJ on record
        [p["gita"].nik, "Gita", "25000000003", "menunggu", "", ""],  # not a result
    ]
    batch = import_response(response_file(rows), operator)
    # Rows 2 and 3 of the file (accepted, rejected) are valid; rows 4 to 9 each have one error.
    assert (
        batch.status == Status.VALIDATED
    )  # errors: nothing is imported unless the valid rows only
    assert (batch.summary["outcomes"], batch.count_errors) == ({"accepted": 1, "rejected": 1}, 6)
    assert states(p["ani"]) == {(BpjsStatus.SUBMITTED, None, "")}
    assert sorted(batches_codes(batch)) == sorted(
        ["kpj_taken", "not_handed_over", "kpj_digits", "required", "kpj_differs", "unknown_result"]
    )

    assert batches.confirm_batch(batch, only_valid_rows=True)
    batches.run_batch(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.count_updated, batch.count_errors) == (Status.IMPORTED, 2, 6)
    assert batch.error_file
    assert states(p["ani"]) == {(BpjsStatus.ACTIVE, date(2025, 9, 1), "")}
    assert Worker.objects.get(pk=p["ani"].pk).kpj == "25000000001"
    assert states(p["budi"]) == {(BpjsStatus.REJECTED, None, "NIK tidak ditemukan di Dukcapil")}
    for key in ("citra", "dedi", "eka", "fajar", "gita"):
        assert states(p[key]) == {(BpjsStatus.SUBMITTED, None, "")}, key
    assert Worker.objects.get(pk=p["fajar"].pk).kpj == "25000000077"  # not overwritten
    history = Membership.history.filter(history_batch_id=batch.pk, history_type="~")
    assert history.count() == 4  # Ani's and Budi's JKK and JKM
    assert {entry.history_user for entry in history} == {operator}


def batches_codes(batch: ImportBatch) -> list[str]:
    return [entry.code for entry in batches.review_page(batch, "error")[0:100]]


def test_the_same_response_imported_again_changes_nothing(handed_over, operator):
    p = handed_over
    rows = [
        [p["ani"].nik, "Ani", "25000000001", "accepted", "01/09/2025", ""],
        [p["budi"].nik, "Budi", "", "rejected", "", "Sudah terdaftar sebagai peserta segmen lain"],
    ]
    first = import_response(response_file(rows), operator)
    assert (first.status, first.count_updated) == (Status.IMPORTED, 2)
    history_rows = Membership.history.count() + Worker.history.count()
    again = import_response(response_file(rows), operator)
    assert (again.status, again.count_updated, again.count_unchanged, again.count_errors) == (
        Status.IMPORTED,
        0,
        2,
        0,
    )
    assert again.summary["outcomes"] == {}
    assert Membership.history.count() + Worker.history.count() == history_rows


def test_a_chosen_registration_file_names_the_rows_it_does_not_list(handed_over, operator):
    earlier = factories.make_worker(name="Lama")
    city_funded(earlier, "JKK", segment=Segment.objects.get(code="KADER"))
    create_registration_file(acting_user=operator, segment=Segment.objects.get(code="KADER"))
    rows = [[earlier.nik, "Lama", "25000000005", "diterima", "01/09/2025", ""]]
    batch = import_response(response_file(rows), operator, registration_file=handed_over["file"].pk)
    [error] = batches.review_page(batch, "error")[0:1]
    assert (error.code, error.text) == (
        "not_handed_over",
        f"NIK ini tidak ada dalam berkas pendaftaran {handed_over['file'].reference}.",
    )


@pytest.mark.parametrize("kind", ["roster", "xlsx"])
def test_a_foreign_file_is_refused_naming_the_missing_columns_and_nothing_is_written(
    handed_over, operator, kind
):
    if kind == "roster":
        content = csv_file([row(handed_over["ani"].nik)], header=ROSTER_HEADER)
    else:
        workbook = Workbook()
        workbook.active.append(["NIK", "NAMA", "KOTA"])
        workbook.active.append([handed_over["ani"].nik, "Ani", "Makassar"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = ContentFile(buffer.getvalue(), name="lain.xlsx")
    history_rows = Membership.history.count()
    batch = import_response(content, operator)
    assert batch.status == Status.REFUSED
    assert "STATUS" in batch.message  # the result column, required, is missing
    assert states(handed_over["ani"]) == {(BpjsStatus.SUBMITTED, None, "")}
    assert Membership.history.count() == history_rows


def test_an_edited_heading_is_read_at_the_next_upload(handed_over, operator):
    header = ["NIK", "NO KPJ", "HASIL VERIFIKASI", "TGL EFEKTIF", "ALASAN"]
    rows = [[handed_over["ani"].nik, "25000000001", "diterima", "01/09/2025", ""]]
    assert import_response(response_file(rows, header), operator).status == Status.REFUSED
    ColumnMapping.objects.filter(kind=FileKind.RESPONSE, field="result").update(
        heading="HASIL VERIFIKASI"
    )
    batch = import_response(response_file(rows, header), operator)
    assert (batch.status, batch.summary["outcomes"]) == (Status.IMPORTED, {"accepted": 1})


def test_an_operator_uploads_the_response_in_the_admin_and_sees_its_preview(
    client, handed_over, operator
):
    client.force_login(operator)
    url = reverse("admin:bpjs_registrationfile_response")
    assert client.get(url).status_code == 200
    rows = [[handed_over["ani"].nik, "Ani", "25000000001", "diterima", "01/09/2025", ""]]
    response = client.post(
        url, {"file": response_file(rows), "registration_file": handed_over["file"].pk}
    )
    batch = ImportBatch.objects.get(source=ImportBatch.Source.BPJS_RESPONSE)
    assert response.url == reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk})
    page = client.get(response.url)
    assert page.status_code == 200
    assert batch.options["registration_file"] == handed_over["file"].pk
    assert "diterima BPJS (aktif, KPJ dicatat)" in page.content.decode()


def test_an_administrator_edits_a_heading_and_the_template_carries_it(client, administrator):
    client.force_login(administrator)
    mapping = ColumnMapping.objects.get(kind=FileKind.RESPONSE, field="kpj")
    change = reverse("admin:bpjs_columnmapping_change", args=[mapping.pk])
    page = client.get(change)
    assert "KPJ" in page.content.decode()  # the field's meaning, from bpjs.columns.FIELDS
    client.post(change, {"heading": "NOMOR KARTU", "aliases": "kpj\nno kpj"})
    template = client.get(
        reverse(
            "admin:bpjs_registrationfile_columns_template",
            kwargs={"kind": "response", "file_format": "csv"},
        )
    )
    lines = b"".join(template.streaming_content).decode("utf-8-sig").splitlines()
    # The response's six columns in FIELDS order, the KPJ's under its new heading, and one example row.
    assert lines[0] == "NIK,NAMA LENGKAP,NOMOR KARTU,STATUS,TGL EFEKTIF,ALASAN"
    assert lines[1] == "7371014101900001,Andi Baso,25012345678,Diterima,01/09/2025,"
    assert len(lines) == 2


def test_operators_may_not_edit_the_column_mapping(client, operator):
    client.force_login(operator)
    assert client.get(reverse("admin:bpjs_columnmapping_changelist")).status_code == 403
