"""The second factor in headless Chromium, at desk (1280 px) and phone (390 px) width: enrolment with the QR code,
the recovery codes, the code asked after the password, the status page. Screenshots go to test-artifacts/second-factor-*.png."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def code_from_the_page(page) -> str:
    """The code an authenticator app shows for the key written on the enrolment page."""
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    return f"{totp(b32decode(secret)):06d}"


def enrol_and_log_in_again(page, user, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, user.username)
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    assert page.locator("h1").inner_text() == "Aktifkan verifikasi dua langkah"
    qr = page.locator("img.qr-code")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("image => image.naturalWidth") > 0  # the QR code is drawn
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    save_screenshot(page, f"second-factor-enrol-{width}")

    page.fill("input[name=code]", code_from_the_page(page))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/second-factor/recovery-codes/**")
    assert page.locator(".recovery-codes li").count() == 10
    save_screenshot(page, f"second-factor-recovery-codes-{width}")
    page.click("text=Sudah saya simpan, lanjutkan")
    page.click("a:has-text('Verifikasi dua langkah')")  # in the admin's header and the site's
    assert "Sisa 10 kode pemulihan." in page.locator("main").inner_text()
    save_screenshot(page, f"second-factor-status-{width}")

    page.click("header button:has-text('Keluar')")
    log_in(page, user.username)
    page.wait_for_url("**/accounts/second-factor/verify/**")
    page.fill("input[name=code]", "000000")
    page.click("main button[type=submit]")
    assert "Kode itu salah." in page.locator(".errorlist").inner_text()
    save_screenshot(page, f"second-factor-code-{width}")


def test_an_operator_enrols_and_logs_in_with_a_code_at_a_desk(page, operator):
    enrol_and_log_in_again(page, operator, 1280)
    assert "/admin/" not in page.url


def test_a_manager_enrols_and_logs_in_with_a_code_on_a_phone(page, manager):
    enrol_and_log_in_again(page, manager, 390)
    assert "/reports/" not in page.url
