"""Layout at a clerk's laptop width (1280 px) and on a phone (390 px), in headless Chromium: the admin's lists with
both sidebars, a worker's admin page, the portal's roster, home and import preview. Screenshots go to
test-artifacts/layout-*-1280.png and -390.png."""

from datetime import date

import pytest

from enrollment.models import Claim, ImportBatch
from programs.models import Segment
from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_imports import upload
from tests.test_browser_portal import log_in
from tests.test_imports import csv_file, row
from tests.test_reports_browser import log_in as log_in_with_second_factor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def covered_workers(employer) -> list:
    """Workers with the longest values the lists show: names, segments, benefit types and amounts."""
    religious = Segment.objects.get(code="KEAGAMAAN")  # the longest segment name
    workers = []
    for name in ("Andi Muhammad Rezky Syamsuddin Daeng Tompo", "Sitti Nurhaliza Ramadhani"):
        worker = factories.make_worker(name=name)
        factories.make_employment(worker, employer)
        for program in ("JKK", "JKM", "JHT", "JP", "JKP"):
            factories.make_membership(worker, program, employer=employer)
        factories.make_membership(
            worker,
            "JKM",
            segment=religious,
            start_date=date(2023, 1, 1),
            end_date=date(2023, 12, 31),
        )
        factories.make_claim(
            worker,
            "JKP",
            status=Claim.Status.PAID,
            paid_date=date(2025, 8, 12),
            amount=123_456_789,
            employer=employer,
        )
        workers.append(worker)
    return workers


def right_edge(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_every_admin_list_column_is_in_view_at_1280_and_the_page_fits_a_phone(
    page, administrator, employer_a
):
    workers = covered_workers(employer_a)
    ImportBatch.objects.create(
        source=ImportBatch.Source.ROSTER,
        employer=employer_a,
        file_name="daftar-pekerja-agustus.csv",
    )
    log_in_with_second_factor(page, administrator)
    lists = {
        "workers": "/admin/enrollment/worker/",
        "memberships": "/admin/enrollment/membership/",
        "claims": "/admin/enrollment/claim/",
        "import-batches": "/admin/enrollment/importbatch/",
        "worker-page": f"/admin/enrollment/worker/{workers[0].pk}/change/",
    }
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        width = viewport["width"]
        for name, url in lists.items():
            page.goto(url)
            save_screenshot(page, f"layout-admin-{name}-{width}")
            assert page_width(page) <= width, name  # nothing pushes the page sideways
            if width == LAPTOP["width"] and name != "worker-page":
                # The last column ends inside the table's box, left of the filter panel, on the screen.
                results = page.locator("#changelist .results").bounding_box()
                last = right_edge(page, "#result_list thead th:last-child")
                assert last <= results["x"] + results["width"] + 1, name
                assert last <= page.locator("#changelist-filter").bounding_box()["x"], name

    page.set_viewport_size(LAPTOP)
    page.goto(lists["claims"])
    status = page.locator("#result_list thead th.column-status")
    assert status.is_visible()
    assert right_edge(page, "#result_list thead th.column-status") <= LAPTOP["width"]
    assert page.locator("#result_list td.field-status").first.inner_text() == "Dibayar"


def test_the_portal_roster_home_and_import_preview_read_on_a_phone(
    page, employer_a_user, employer_a, tmp_path
):
    covered_workers(employer_a)
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    roster = tmp_path / "daftar-pekerja.csv"
    rows = [row(name="Nur Ma'rifah"), row(name="Andi Baso", wage="tiga juta")]
    roster.write_bytes(csv_file(rows).read())
    upload(page, roster)
    preview = page.url
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        width = viewport["width"]

        page.goto("/portal/roster/")
        save_screenshot(page, f"layout-portal-roster-{width}")
        assert page_width(page) <= width
        coverage = page.locator("main table tbody tr").first.locator(".badge.ok")
        assert coverage.inner_text() == "Terlindungi"
        assert right_edge(page, "main table tbody .badge.ok") <= width

        page.goto("/portal/")
        save_screenshot(page, f"layout-portal-home-{width}")
        assert page_width(page) <= width
        chart = page.locator("table.bar-chart")
        assert chart.locator("tbody tr").count() == 12
        assert chart.locator("tbody tr").last.locator("td.num").inner_text() == "2"
        assert right_edge(page, "table.bar-chart tbody td.num") <= width

        page.goto(preview)
        save_screenshot(page, f"layout-portal-import-preview-{width}")
        assert page_width(page) <= width
