"""The roster upload loop in headless Chromium: template, upload with errors, error report, fix, re-upload,
preview, confirm; and an upload whose check died, checked again. Screenshots go to test-artifacts/import-*.png."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.imports import batches
from enrollment.models import Employment, ImportBatch
from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in
from tests.test_imports import csv_file, row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(page, path) -> None:
    page.goto("/portal/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url("**/portal/imports/*/")


def test_an_employer_uploads_a_roster_fixes_the_errors_and_imports_it(
    page, employer_a_user, employer_a, tmp_path
):
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.click("nav a[href$='/portal/imports/']")
    save_screenshot(page, "import-1-upload-page")

    with page.expect_download() as download:
        page.click("a[href$='template.xlsx']")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook["Roster"]
    sheet.delete_rows(2)  # the example row
    niks = [factories.make_nik() for _ in range(3)]
    people = [("Nur Ma'rifah", "3900000"), ("Andi Baso", "tiga juta"), ("Sitti Aisyah", "4100000")]
    for number, (nik, (name, wage)) in enumerate(zip(niks, people, strict=True), start=2):
        values = [
            nik,
            name,
            "",
            "12/03/1990",
            "L",
            "081200002222",
            "Jl. Ratulangi",
            "73.71.01.1001",
        ]
        values += ["Kasir", "tidak", "01/08/2025", wage]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value).number_format = "@"
    workbook.save(template)

    upload(page, template)
    assert page.locator(".stat-error .value").inner_text() == "1"
    assert "Upah Bulanan" in page.locator("table.changes").inner_text()
    save_screenshot(page, "import-2-preview-with-errors")

    with page.expect_download() as download:
        page.click("a[href$='/errors/']")
    report = tmp_path / "kesalahan.xlsx"
    download.value.save_as(report)
    workbook = load_workbook(report)
    sheet = workbook.active
    assert sheet["A3"].value.startswith("Upah Bulanan")
    assert sheet["B3"].value == niks[1]
    sheet["M3"] = "3800000"  # the wage, one column right of the template's (Kesalahan comes first)
    workbook.save(report)

    upload(page, report)
    assert page.locator(".stat .value").first.inner_text() == "3"
    assert not page.locator(".stat-error").count()
    save_screenshot(page, "import-3-preview-clean")

    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    save_screenshot(page, "import-4-imported")
    assert Employment.objects.filter(employer=employer_a, worker__nik__in=niks).count() == 3
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count() == 1

    page.click("a[href$='/portal/roster/']")
    assert "Nur Ma'rifah" in page.locator("table").inner_text()
    save_screenshot(page, "import-5-roster")


def test_an_employer_rechecks_an_upload_whose_check_died_and_imports_it(
    page, employer_a_user, employer_a, settings
):
    """The worker checking the upload was killed: once its lease expired, the page says so and offers a
    re-check; the re-check and the import then run as for any upload."""
    settings.IMPORT_MAX_ATTEMPTS = 1
    rows = [row(), row()]
    batch = batches.stage_upload(
        ContentFile(csv_file(rows).read(), name="roster.csv"),
        source=ImportBatch.Source.ROSTER,
        acting_user=employer_a_user,
        employer=employer_a,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.VALIDATING,
        attempts=1,
        lease_token="a-dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.goto(f"/portal/imports/{batch.pk}/")
    alert = page.locator("section[role=alert]").inner_text()
    assert "Unggahan ini terhenti saat memeriksa" in alert and "Tidak ada yang ditulis." in alert
    save_screenshot(page, "import-6-interrupted")

    page.click("form[action$='/recheck/'] button")
    page.wait_for_selector("button[form=confirm]")
    assert page.locator(".stat .value").first.inner_text() == "2"
    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    assert Employment.objects.filter(employer=employer_a).count() == 2
