"""The registration hand-over in headless Chromium: an operator produces the file of a DTSEN batch from the import
batches' action, downloads it, uploads BPJS's response, reads the preview, confirms, and finds the rejection on
the work list. Screenshots at 1280 and 390 px go to test-artifacts/bpjs-handover-*.png."""

import csv

import pytest
from openpyxl import load_workbook

from enrollment.models import BpjsStatus, ImportBatch, Membership
from tests import factories
from tests.conftest import save_screenshot
from tests.test_bpjs_handover import city_funded
from tests.test_reports_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WIDTHS = {"1280": (1280, 900), "390": (390, 844)}


def screenshots(page, name: str) -> None:
    for width, (x, y) in WIDTHS.items():
        page.set_viewport_size({"width": x, "height": y})
        save_screenshot(page, f"bpjs-handover-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_operator_hands_a_batch_over_and_imports_bpjs_response(
    page, operator, reference_data, tmp_path
):
    batch = ImportBatch.objects.create(
        source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.IMPORTED, file_name="dtsen.csv"
    )
    people = [
        factories.make_worker(name=name) for name in ("Nur Ma'rifah", "Andi Baso", "Sitti Aisyah")
    ]
    for worker in people:
        city_funded(worker, "JKK", import_batch=batch)
        city_funded(worker, "JKM", import_batch=batch)

    log_in(page, operator)
    page.wait_for_url("**/admin/")
    page.goto("/admin/enrollment/importbatch/")
    page.check(f"input.action-select[value='{batch.pk}']")
    page.select_option("select[name=action]", "produce_registration_file")
    page.click("button[name=index]")
    page.wait_for_url(f"**/admin/bpjs/registrationfile/produce/?import_batch={batch.pk}")
    screenshots(page, "1-produce")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/bpjs/registrationfile/")
    assert "REG-" in page.locator(".messagelist").inner_text()
    screenshots(page, "2-files")

    with page.expect_download() as download:
        page.click("a[href$='download.xlsx']")
    handed = tmp_path / "pendaftaran.xlsx"
    download.value.save_as(handed)
    sheet = load_workbook(handed).active
    niks = [sheet.cell(row=number, column=1).value for number in (2, 3, 4)]
    assert sorted(niks) == sorted(worker.nik for worker in people)  # three persons, one row each
    assert {sheet.cell(row=number, column=8).value for number in (2, 3, 4)} == {"JKK+JKM"}

    response = tmp_path / "jawaban.csv"
    with response.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NIK", "NAMA LENGKAP", "NO KPJ", "STATUS", "TGL EFEKTIF", "ALASAN"])
        writer.writerow([niks[0], "", "25000000011", "Diterima", "01/09/2025", ""])
        writer.writerow([niks[1], "", "25000000012", "Diterima", "01/09/2025", ""])
        writer.writerow([niks[2], "", "", "Ditolak", "", "NIK tidak ditemukan di Dukcapil"])
    page.click("a[href$='/admin/bpjs/registrationfile/response/']")
    page.set_input_files("input[name=file]", str(response))
    page.select_option("select[name=registration_file]", index=1)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/enrollment/importbatch/*/review/")
    values = page.locator(".stats .value").all_inner_texts()
    assert values == ["2", "1", "0", "0"]  # accepted, rejected, unchanged, rows with errors
    listed = page.locator("table.changes").inner_text()
    assert (
        "Sitti Aisyah" in listed and "JKK, JKM" in listed
    )  # the file names no one: our names shown
    screenshots(page, "3-preview")
    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    screenshots(page, "4-imported")
    accepted = Membership.objects.filter(bpjs_status=BpjsStatus.ACTIVE).count()
    assert accepted == 4  # two persons' JKK and JKM

    page.goto("/admin/bpjs/rejectedmembership/")
    listed = page.locator("#result_list").inner_text()
    assert "NIK tidak ditemukan di Dukcapil" in listed
    screenshots(page, "5-rejected")
