"""Error pages, the admin's header, the dashboard's date and its snapshot button in headless Chromium, at 1280 px
and on a phone (390 px); the screenshots are left in test-artifacts/wayfinding-*.png for people to look at."""

import pytest

from tests.conftest import save_screenshot
from tests.test_reports_browser import build_sample_city, log_in

WIDTHS = {"1280": (1280, 900), "390": (390, 844)}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_error_pages_and_the_date_picker_in_the_browser(page, operator, reference_data):
    build_sample_city()
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        response = page.goto("/tidak-ada/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Halaman tidak ditemukan"
        save_screenshot(page, f"wayfinding-404-{width}")

    log_in(page, operator)
    page.wait_for_url("**/admin/")
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        save_screenshot(page, f"wayfinding-admin-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#user-tools a[href='/reports/']")  # the admin's header leads to the reports
    page.wait_for_url("**/reports/")
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        response = page.goto("/admin/auth/user/")
        assert response.status == 403
        assert page.locator("h1").inner_text() == "Akses ditolak"
        save_screenshot(page, f"wayfinding-403-{width}")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/reports/?period_type=month&year=2025&month=7")
    page.click("#snapshots button[type=submit]")
    assert "Laporan Juli 2025 telah disimpan" in page.locator(".messages").inner_text()
    assert "Juli 2025" in page.locator("#snapshots table").inner_text()
    assert (
        page.locator("#snapshots button").count() == 0
    )  # stored once: no button, a note says when
    save_screenshot(page, "wayfinding-snapshot-stored-twice")

    page.goto("/reports/")
    page.select_option("select[name=period_type]", "day")
    page.fill("input[name=day]", "2025-08-14")
    page.click("form.filters button[type=submit]")
    assert "14 Agustus 2025" in page.locator("h1").inner_text()
    assert "Data terakhir" in page.locator(".latest-data").inner_text()
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        save_screenshot(page, f"wayfinding-dashboard-day-{width}")
