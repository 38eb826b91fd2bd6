"""The admin pages that django-import-export and django-simple-history draw, the report archive, the import
batch list and the portal's sort options: in Indonesian (English when chosen), with labels, never codes, and
numbers, money and dates in the clerk's formats."""

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Claim, ImportBatch
from programs.models import Kecamatan
from reports.models import ReportSnapshot
from tests import factories
from tests.test_admin_imports import admin_import

pytestmark = pytest.mark.usefixtures("reference_data")


def visible_text(response) -> str:
    """The page's text as read: no scripts or styles, no tags, spaces collapsed."""
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<input[^>]*type="submit"[^>]*value="([^"]*)"[^>]*>', r" \1 ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def logged_in(user, language: str = "id") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- django-import-export's Import and Export pages ---------------------------------------------------------


def test_the_export_page_of_workers_is_indonesian(administrator):
    text = visible_text(logged_in(administrator).get(reverse("admin:enrollment_worker_export")))
    for english in ("This exporter will export", "Select all", "Birth Date", "Submit", "Format:"):
        assert english not in text
    for indonesian in (
        "Kolom yang diekspor",
        "Pilih semua",
        "Tanggal lahir (birth_date)",
        "Lanjutkan",
    ):
        assert indonesian in text


def test_the_import_page_of_workers_is_indonesian(administrator):
    text = visible_text(logged_in(administrator).get(reverse("admin:enrollment_worker_import")))
    for english in ("This importer will import", "File to import", "Submit", "birth_date,"):
        assert english not in text
    for indonesian in (
        "Kolom yang dibaca dari berkas",
        "Berkas yang diimpor",
        "Tanggal lahir (birth_date)",
    ):
        assert indonesian in text


def test_the_import_preview_of_workers_is_indonesian(administrator):
    nik = factories.make_nik()
    content = f"nik,name,birth_date,sex,kelurahan,has_disability\n{nik},Andi,12/03/1990,L,,0\n"
    response = logged_in(administrator).post(
        reverse("admin:enrollment_worker_import"),
        {"import_file": ContentFile(content.encode(), name="data.csv"), "format": "0"},
    )
    text = visible_text(response)
    for english in ("Below is a preview", "Confirm import", "Preview"):
        assert english not in text
    assert "Berikut pratinjau data yang akan diimpor" in text
    assert "Konfirmasi impor" in text


def test_the_export_page_is_english_when_english_is_chosen(administrator):
    response = logged_in(administrator, "en").get(reverse("admin:enrollment_worker_export"))
    text = visible_text(response)
    assert "Select all" in text and "Birth date (birth_date)" in text


def test_an_exported_file_is_named_after_the_model_and_the_day_in_makassar(
    administrator, monkeypatch
):
    # 17.30 UTC on 6 December is 01.30 WITA on 7 December.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 6, 17, 30, tzinfo=UTC))
    factories.make_worker()
    client = logged_in(administrator)
    url = reverse("admin:enrollment_worker_export")
    ticked = {name: "on" for name in client.get(url).context["form"].fields if "resource_" in name}
    response = client.post(url, {"format": "1", **ticked})
    assert response["Content-Disposition"] == 'attachment; filename="pekerja-2026-12-07.xlsx"'


def test_the_admin_log_of_an_imported_row_is_indonesian(administrator):
    client = logged_in(administrator)
    admin_import(client, Kecamatan, b"code,name\n73.71.99,Kecamatan Uji\n")
    district = Kecamatan.objects.get(code="73.71.99")
    text = visible_text(
        client.get(reverse("admin:programs_kecamatan_history", args=(district.pk,)))
    )
    assert "through import_export" not in text
    assert "Ditambahkan melalui impor berkas" in text


# --- History --------------------------------------------------------------------------------------------


def paid_claim() -> Claim:
    claim = factories.make_claim(factories.make_worker())
    claim = services.advance_claim(
        claim, Claim.Status.VERIFIED, acting_user=None, channel=Channel.ADMIN
    )
    return services.advance_claim(
        claim,
        Claim.Status.PAID,
        acting_user=None,
        channel=Channel.IMPORT,
        paid_date=date(2025, 2, 1),
        amount=3_650_000,
    )


def test_the_history_of_a_claim_reads_as_a_clerk_writes(administrator):
    claim = paid_claim()
    url = reverse("admin:enrollment_claim_history", args=(claim.pk,))
    text = visible_text(logged_in(administrator).get(url))
    for raw in ("history_channel", "VERIFIED", "PAID", "IMPORT", "None", "Changes", "12500000"):
        assert raw not in text
    assert "Status: Terverifikasi → Dibayar" in text
    assert "Jumlah (Rp): Rp12.500.000 → Rp3.650.000" in text
    assert "Tanggal bayar: — → 01/02/2025" in text
    assert "Batch impor" in text and "Admin" in text
    assert "Perubahan" in text and "Saluran" in text
    assert "Versi: " not in text  # the version counter is not a change a clerk made


def test_a_past_version_of_a_claim_is_named_as_the_menu_names_it(administrator):
    claim = paid_claim()
    version = claim.history.earliest()
    url = reverse("admin:enrollment_claim_simple_history", args=(claim.pk, version.history_id))
    text = visible_text(logged_in(administrator).get(url))
    assert "Enrollment" not in text and "Historical" not in text
    assert "Kepesertaan › Klaim ›" in text


def test_the_history_of_a_claim_in_english(administrator):
    claim = paid_claim()
    url = reverse("admin:enrollment_claim_history", args=(claim.pk,))
    text = visible_text(logged_in(administrator, "en").get(url))
    assert "Status: Verified → Paid" in text
    assert "Amount (Rp): Rp12.500.000 → Rp3.650.000" in text
    assert "Import batch" in text and "VERIFIED" not in text


# --- The report archive ---------------------------------------------------------------------------------


def stored_snapshot() -> ReportSnapshot:
    return ReportSnapshot.objects.create(
        report="coverage",
        period="2025-08",
        figures={
            "headline": [
                {"key": "covered", "label": "Pekerja terlindungi", "value": 39851, "kind": "count"},
                {"key": "rate", "label": "Cakupan", "value": 63.47, "kind": "percent"},
                {"key": "paid", "label": "Klaim dibayar", "value": 3650000, "kind": "rupiah"},
            ],
            "tables": [
                {
                    "key": "by_kecamatan",
                    "title": "Cakupan menurut kecamatan",
                    "columns": [
                        {"key": "name", "label": "Kecamatan", "kind": "text"},
                        {"key": "covered", "label": "Terlindungi", "kind": "count"},
                    ],
                    "rows": [["Tamalate", 12345]],
                }
            ],
        },
        xlsx_file="reports/2025-08/v1/cakupan.xlsx",
    )


def test_the_report_archive_shows_figures_not_json(administrator):
    snapshot = stored_snapshot()
    client = logged_in(administrator)
    page = visible_text(
        client.get(reverse("admin:reports_reportsnapshot_change", args=(snapshot.pk,)))
    )
    assert '"headline"' not in page and "{" not in page
    assert "coverage" not in page and "2025-08" not in page
    for shown in ("Pekerja terlindungi 39.851", "Cakupan 63,47%", "Klaim dibayar Rp3.650.000"):
        assert shown in page
    assert "Tamalate 12.345" in page
    assert "Agustus 2025" in page
    listing = client.get(reverse("admin:reports_reportsnapshot_changelist"))
    assert reverse("reports:snapshot-file", args=(snapshot.pk, "xlsx")) in listing.content.decode()
    assert "Agustus 2025" in visible_text(listing)
    assert "coverage" not in visible_text(listing)  # the filter names the report by its title


def test_the_archive_links_only_files_its_reader_may_open(operator):
    """Operators read the reports (decision 53): the archive links the files. This snapshot's files are named
    but were never stored: the link answers 404, not a server error."""
    snapshot = stored_snapshot()
    client = logged_in(operator)
    listing = client.get(reverse("admin:reports_reportsnapshot_changelist"))
    link = reverse("reports:snapshot-file", args=(snapshot.pk, "xlsx"))
    assert link in listing.content.decode()
    assert client.get(link).status_code == 404


# --- The import batch list ------------------------------------------------------------------------------


def test_the_import_batch_list_has_clean_columns_and_formatted_counts(operator):
    ImportBatch.objects.create(
        source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.IMPORTED, count_new=39851
    )
    text = visible_text(logged_in(operator).get(reverse("admin:enrollment_importbatch_changelist")))
    assert "review" not in text.lower()
    assert "39.851" in text and "39851" not in text
    assert "Pratinjau" in text


# --- The portal's sort options --------------------------------------------------------------------------


def test_the_roster_sort_options_say_which_way(employer_a_user):
    text = visible_text(logged_in(employer_a_user).get(reverse("portal:roster")))
    assert "descending" not in text and "(menurun)" not in text
    assert "Nama (A–Z)" in text and "Nama (Z–A)" in text
