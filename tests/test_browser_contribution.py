"""The contribution calculator in headless Chromium, at a desk's and a phone's width. Screenshots: test-artifacts/."""

import pytest

from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_employer_computes_a_contribution_before_hiring(page, employer_a_user, employer_a):
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.click("nav >> text=Kalkulator iuran")
    page.select_option("select[name=segment]", "FORMAL")
    page.fill("input[name=wage]", "20000000")
    page.fill("input[name=on]", "2025-08-01")
    page.click("main button[type=submit]")
    rows = page.locator("tbody tr")
    jp = rows.filter(has_text="JP").first.inner_text()
    assert "Rp316.422" in jp and "Rp210.948" in jp and "Rp105.474" in jp
    assert "Rp18.000" in rows.filter(has_text="JKP").first.inner_text()
    save_screenshot(page, "contribution-1-desk")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "contribution-2-phone")
