"""The employer's journey and the login lock-out, in headless Chromium. Screenshots go to test-artifacts/."""

import pytest
from django.conf import settings

from enrollment.models import Worker
from tests.conftest import ARTIFACTS_DIR, save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "rahasia-yang-panjang-1"


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def test_an_employer_keeps_its_roster_in_the_browser(page, employer_a_user, employer_a):
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    assert page.locator("h1").inner_text() == "Ringkasan perlindungan"
    save_screenshot(page, "portal-1-home")

    page.click("text=Tambah pekerja")
    page.fill("input[name=nik]", "7371.0555.0392.0007")
    page.fill("input[name=name]", "Nur Ma'rifah")
    page.fill("input[name=birth_date]", "1992-03-15")
    page.select_option("select[name=sex]", "P")
    page.select_option("select[name=kelurahan]", label="Pa'batang, Mamajang")
    page.fill("input[name=occupation]", "Kasir")
    page.fill("input[name=start_date]", "2025-07-01")
    page.fill("input[name=monthly_wage]", "3900000")
    save_screenshot(page, "portal-2-add-form")
    page.click("main button[type=submit]")
    assert "sudah ditambahkan ke daftar pekerja" in page.locator(".messages").inner_text()

    page.click("text=Daftarkan ke program")
    for code in ("JKK", "JKM", "JHT"):
        page.check(f"label:has-text('{code} –') input")
    page.fill("input[name=start_date]", "2025-07-01")
    page.click("main button[type=submit]")
    assert "sudah didaftarkan pada JKK, JKM, JHT" in page.locator(".messages").inner_text()
    save_screenshot(page, "portal-3-worker")

    page.click("nav >> text=Daftar pekerja")
    page.fill("input[name=q]", "Ma'rifah")
    page.click("button:has-text('Tampilkan')")
    row = page.locator("tbody tr").first
    assert "737105••••••0007" in row.inner_text()  # lists mask the NIK; the person's page shows it
    assert "Terlindungi" in row.inner_text()
    save_screenshot(page, "portal-4-roster")

    with page.expect_download() as download_info:
        page.click("text=XLSX")
    download = download_info.value
    path = ARTIFACTS_DIR / "portal-roster.xlsx"
    download.save_as(path)
    assert path.stat().st_size > 0

    row.locator("a").first.click()
    page.click("text=Akhiri hubungan kerja")
    page.fill("input[name=end_date]", "2025-08-31")
    page.select_option("select[name=reason]", "RESIGNED")
    page.click("main button[type=submit]")
    assert "berakhir pada 31/08/2025" in page.locator(".messages").inner_text()
    save_screenshot(page, "portal-5-terminated")
    worker = Worker.objects.get(nik="7371055503920007")
    assert worker.employments.get().end_date.isoformat() == "2025-08-31"


def test_a_phone_sized_screen_shows_the_roster(browser, live_server, employer_a_user):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="id-ID"
    )
    page = context.new_page()
    log_in(page, employer_a_user.username)
    page.goto("/portal/roster/")
    assert page.locator("h1").inner_text() == "Daftar pekerja"
    save_screenshot(page, "portal-phone-roster")
    context.close()


def test_repeated_failed_logins_lock_the_account(page, employer_a_user):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, employer_a_user.username, "salah-sekali")
    log_in(page, employer_a_user.username)
    assert page.locator("h1").inner_text() == "Login dikunci"
    save_screenshot(page, "login-locked")
    page.goto("/portal/")
    assert "/accounts/login/" in page.url
