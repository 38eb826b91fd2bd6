"""The admin pages of django-import-export and django-simple-history and the report archive, in headless
Chromium at 1280 px and on a phone (390 px). Screenshots go to test-artifacts/admin-pages-*.png."""

import pytest

from tests.conftest import save_screenshot
from tests.test_admin_pages_language import paid_claim, stored_snapshot
from tests.test_reports_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_import_export_history_and_archive_pages_in_the_browser(
    page, reference_data, administrator
):
    claim = paid_claim()
    snapshot = stored_snapshot()
    log_in(page, administrator)
    page.wait_for_url("**/admin/**")
    pages = {
        "export": ("/admin/enrollment/worker/export/", "Pilih semua"),
        "import": ("/admin/enrollment/worker/import/", "Berkas yang diimpor"),
        "history": (f"/admin/enrollment/claim/{claim.pk}/history/", "Rp3.650.000"),
        "archive": (f"/admin/reports/reportsnapshot/{snapshot.pk}/change/", "Rp3.650.000"),
    }
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, (url, expected) in pages.items():
            page.goto(url)
            assert expected in page.locator("#content").inner_text()
            save_screenshot(page, f"admin-pages-{name}-{width}")
