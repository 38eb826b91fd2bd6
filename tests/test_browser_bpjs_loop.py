"""The whole loop with BPJS and the city budget in headless Chromium, on one register: an operator hands a DTSEN
batch over to BPJS and imports BPJS's response, then imports BPJS's August statement and settles a discrepancy;
finance then reads August's bill, downloads its PDF, records a payment and reads the budget view. Screenshots
at 1280 and 390 px go to test-artifacts/bpjs-loop-*.png.

Every figure is counted by hand from the register below (``tests/budget_fixture.py`` and three DTSEN persons).
"""

import csv
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from openpyxl import load_workbook

from berjasa.roles import Role
from bpjs.models import DiscrepancyStatus, StatementLine
from budget.models import Payment
from enrollment.models import BpjsStatus, ImportBatch, Worker
from tests import factories
from tests.budget_fixture import make_population
from tests.conftest import save_screenshot
from tests.test_bpjs_handover import city_funded
from tests.test_reports_browser import PASSWORD, log_in
from tests.test_reports_exports import pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
AUGUST = date(2025, 8, 1)


def both_widths(page, name: str) -> None:
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        save_screenshot(page, f"bpjs-loop-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def write_csv(path, header: list[str], rows: list[list[str]]):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_loop_from_hand_over_to_the_budget_view(page, operator, reference_data, tmp_path):
    population = make_population()
    dtsen = ImportBatch.objects.create(
        source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.IMPORTED, file_name="dtsen.csv"
    )
    putri, rudi, sari = (factories.make_worker(name=name) for name in ("Putri", "Rudi", "Sari"))
    for worker in (putri, rudi, sari):  # registered here from 1 August 2025, not yet handed over
        for code in ("JKK", "JKM"):
            city_funded(worker, code, import_batch=dtsen, start_date=AUGUST)

    # 1. The hand-over: the DTSEN batch's three persons, one row each.
    log_in(page, operator)
    page.wait_for_url("**/admin/")
    page.goto("/admin/enrollment/importbatch/")
    page.check(f"input.action-select[value='{dtsen.pk}']")
    page.select_option("select[name=action]", "produce_registration_file")
    page.click("button[name=index]")
    page.wait_for_url("**/admin/bpjs/registrationfile/produce/**")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/bpjs/registrationfile/")
    both_widths(page, "1-registration-files")
    with page.expect_download() as download:
        page.click("a[href$='download.xlsx']")
    handed = tmp_path / "pendaftaran.xlsx"
    download.value.save_as(handed)
    sheet = load_workbook(handed).active
    assert sorted(sheet.cell(row=row, column=1).value for row in (2, 3, 4)) == sorted(
        worker.nik for worker in (putri, rudi, sari)
    )

    # 2. BPJS's response: Putri and Rudi accepted with a KPJ number, Sari rejected.
    response = write_csv(
        tmp_path / "jawaban.csv",
        ["NIK", "NAMA LENGKAP", "NO KPJ", "STATUS", "TGL EFEKTIF", "ALASAN"],
        [
            [putri.nik, "", "25000000021", "Diterima", "01/08/2025", ""],
            [rudi.nik, "", "25000000022", "Diterima", "01/08/2025", ""],
            [sari.nik, "", "", "Ditolak", "", "NIK tidak ditemukan di Dukcapil"],
        ],
    )
    page.click("a[href$='/admin/bpjs/registrationfile/response/']")
    page.set_input_files("input[name=file]", str(response))
    page.select_option("select[name=registration_file]", index=1)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/enrollment/importbatch/*/review/")
    assert page.locator(".stats .value").all_inner_texts() == ["2", "1", "0", "0"]
    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    both_widths(page, "2-response-imported")
    assert Worker.objects.get(pk=putri.pk).kpj == "25000000021"

    # 3. BPJS's August statement of the city's participants. Ours active in August: Ani, Budi, Citra, Dedi, Eka,
    # Fajar, Gita (budget_fixture), Putri, Rudi, Sari. The statement names Ani, Dedi, Putri, Rudi (paid for
    # August: confirmed, 4), Eka (paid through June: lapsed, 1) and Wahyu (unknown here, 1); it does not name
    # Budi, Citra, Fajar, Gita, Sari (unknown to BPJS, 5); no other employer or program (different, 0).
    wahyu = factories.make_nik()
    statement = write_csv(
        tmp_path / "rekap-2025-08.csv",
        [
            "NIK",
            "NO KPJ",
            "NPP",
            "NAMA PESERTA",
            "PROGRAM",
            "STATUS KEPESERTAAN",
            "BULAN TERAKHIR BAYAR",
        ],
        [
            [worker.nik, worker.kpj or "", "", worker.name, "JKK,JKM", "aktif", "08/2025"]
            for worker in Worker.objects.filter(name__in=["Ani", "Dedi", "Putri", "Rudi"])
        ]
        + [
            [Worker.objects.get(name="Eka").nik, "", "", "Eka", "JKK,JKM", "aktif", "06/2025"],
            [wahyu, "", "", "Wahyu", "JKK,JKM", "aktif", "08/2025"],
        ],
    )
    page.goto("/admin/bpjs/statement/upload/")
    page.fill("input[name=month]", "2025-08")
    page.set_input_files("input[name=file]", str(statement))
    page.click("#content input[type=submit]")
    page.wait_for_url("**/admin/bpjs/statement/batch/*/")
    # In Category's order: confirmed, unknown to BPJS, lapsed, unknown here, different; KPJ to fill; errors.
    assert page.locator(".stats .stat .value").all_inner_texts() == [
        "4", "5", "1", "1", "0", "0", "0"
    ]  # fmt: skip
    both_widths(page, "3-statement-preview")
    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    eka = Worker.objects.get(name="Eka").memberships.get(program__code="JKK")
    # Paid through June: lapsed, ended on 30 June 2025 (decision 64).
    assert (eka.bpjs_status, eka.end_date) == (BpjsStatus.LAPSED, date(2025, 6, 30))
    citra = Worker.objects.get(name="Citra").memberships.get(program__code="JKK")
    assert citra.bpjs_status == BpjsStatus.MISSING  # confirmed before, not named now

    # 4. The discrepancy list: Wahyu and the five not named are open (Eka's lapse was applied).
    page.goto("/admin/bpjs/statementline/?status__exact=OPEN")
    assert page.locator("#result_list tbody tr").count() == 6
    both_widths(page, "4-discrepancies")
    page.goto(f"/admin/bpjs/statementline/?q={wahyu}")
    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option("select[name=action]", "mark_resolved")
    page.click("button[name=index]")
    page.fill("textarea[name=note]", "Peserta mandiri, bukan tanggungan APBD.")
    page.click("#content input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert StatementLine.objects.get(nik=wahyu).status == DiscrepancyStatus.RESOLVED

    # 5. Finance: August's bill. Billed: RENTAN Ani, Budi, Citra, Putri, Rudi at Rp16.800 (BPU JKK Rp10.000 +
    # JKM Rp6.800, PP 44/2015) = Rp84.000; NON_ASN Dedi at Rp3.000.000 (JKK 0,24 % Rp7.200 + JKM 0,30 %
    # Rp9.000) = Rp16.200; Eka no longer (ended in June), Sari rejected, Fajar not handed over. Rp100.200.
    page.context.clear_cookies()
    finance = User.objects.create_user(username="keuangan_dian", password=PASSWORD)
    finance.groups.add(Group.objects.get(name=Role.FINANCE.value))
    log_in(page, finance)
    page.wait_for_url("**/anggaran/")
    page.goto("/anggaran/tagihan/2025-08/")
    assert "Rp100.200" in page.locator(".stats").inner_text()
    both_widths(page, "5-bill")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rekapitulasi untuk ditandatangani (PDF)").click()
    with open(download_info.value.path(), "rb") as pdf:
        text = pdf_text(pdf.read())
    assert "Rp84.000" in text and "Rp16.200" in text and "Rp100.200" in text

    # 6. The treasury pays the RENTAN line's Rp84.000.
    page.fill("#id_payment-order_number", "SP2D/0901/LS")
    page.fill("#id_payment-amount", "84000")
    page.fill("#id_payment-paid_on", "2025-09-20")
    page.select_option("#id_payment-budget_line", str(population.rentan_line.pk))
    page.click("#payment-form button[type=submit]")
    page.wait_for_url("**/anggaran/tagihan/2025-08/")
    assert Payment.objects.get().amount == 84_000

    # 7. The budget view of 2025: the RENTAN line with its payment.
    page.goto("/anggaran/?tahun=2025")
    table = page.locator("section.card table").first.inner_text()
    assert "Iuran pekerja rentan" in table and "Rp84.000" in table
    both_widths(page, "6-budget")
