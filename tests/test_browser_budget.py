"""Finance in headless Chromium: the August bill, its PDF, a payment, the budget view. Screenshots at 1280 and
390 px in test-artifacts/budget-*.png, for people to look at."""

import pytest
from django.contrib.auth.models import Group, User

from berjasa.roles import Role
from budget.models import Payment
from tests.budget_fixture import make_population
from tests.conftest import save_screenshot
from tests.test_browser_csp import RECORD_VIOLATIONS
from tests.test_reports_browser import PASSWORD, log_in
from tests.test_reports_exports import pdf_text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_finance_reads_the_bill_records_a_payment_and_reads_the_budget(page, reference_data):
    population = make_population()
    finance = User.objects.create_user(username="keuangan_dian", password=PASSWORD)
    finance.groups.add(Group.objects.get(name=Role.FINANCE.value))
    page.add_init_script(
        RECORD_VIOLATIONS
    )  # the Content-Security-Policy: no inline style, no script
    log_in(page, finance)
    page.wait_for_url("**/anggaran/")  # finance lands on the budget view

    page.goto("/anggaran/tagihan/2025-08/")
    assert "Agustus 2025" in page.locator("h1").inner_text()
    assert (
        "Rp82.800" in page.locator(".stats").inner_text()
    )  # Rp50.400 + Rp32.400, tests/budget_fixture.py
    save_screenshot(page, "budget-bill")
    assert page.evaluate("window.__violations") == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rekapitulasi untuk ditandatangani (PDF)").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert "Rp82.800" in pdf_text(pdf.read())

    def record_payment(amount: str) -> None:
        page.fill("#id_payment-order_number", "SP2D/0815/LS")
        page.fill("#id_payment-amount", amount)
        page.fill("#id_payment-paid_on", "2025-09-20")
        page.select_option("#id_payment-budget_line", str(population.rentan_line.pk))
        page.click("#payment-form button[type=submit]")
        page.wait_for_url("**/anggaran/tagihan/2025-08/")
        assert "Tercatat: SP2D/0815/LS." in page.locator(".messages").inner_text()

    record_payment("504000")  # a zero too many: cancelled with a reason, then recorded rightly
    page.get_by_text("Batalkan…").click()
    page.get_by_label("Mengapa dibatalkan?").fill("Salah ketik nominal")
    page.get_by_role("button", name="Batalkan catatan ini").click()
    page.wait_for_url("**/anggaran/tagihan/2025-08/")
    assert "Dibatalkan: SP2D/0815/LS." in page.locator(".messages").inner_text()
    record_payment("50400")
    assert "Salah ketik nominal" in page.locator("tr.cancelled").inner_text()
    save_screenshot(page, "budget-bill-cancelled-payment")
    payment = Payment.objects.get(cancelled_at__isnull=True)
    assert (payment.amount, payment.recorded_by) == (50_400, finance)

    page.goto("/anggaran/?tahun=2025")
    table = page.locator("section.card table").first.inner_text()
    assert (
        "Iuran pekerja rentan" in table and "November 2025" in table
    )  # decision 66's example, by hand
    save_screenshot(page, "budget-overview")
    assert (
        page.evaluate("window.__violations") == []
    )  # the meters of the chart are no inline styles
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "budget-overview-390")
    page.goto("/anggaran/tagihan/2025-08/")
    save_screenshot(page, "budget-bill-390")
