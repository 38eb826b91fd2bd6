"""BPJS's monthly statement in headless Chromium: an operator uploads it in the admin, reads the preview's counts,
applies it, opens the discrepancy list, assigns a line to themself and resolves it. Screenshots at 1280 and
390 px go to test-artifacts/bpjs-statement-*.png."""

from datetime import date

import pytest

from bpjs.models import DiscrepancyStatus, StatementLine
from tests.conftest import save_screenshot
from tests.test_bpjs_statement import august  # noqa: F401 - the statement of each category, as a fixture
from tests.test_reports_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def both_widths(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"bpjs-statement-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_operator_applies_a_statement_and_settles_a_discrepancy(
    page, request, operator, tmp_path
):
    ours, upload, _new_nik = request.getfixturevalue("august")
    path = tmp_path / "rekap-peserta-2025-08.csv"
    path.write_bytes(upload.read())
    log_in(page, operator)
    page.wait_for_url("**/admin/**")

    page.goto("/admin/bpjs/statement/")
    page.click("a[href$='/admin/bpjs/statement/upload/']")
    page.fill("input[name=month]", "2025-08")
    page.set_input_files("input[name=file]", str(path))
    both_widths(page, "1-upload")
    page.click("#content input[type=submit]")
    page.wait_for_url("**/admin/bpjs/statement/batch/*/")
    # Hand-counted in tests/test_bpjs_statement.py, in Category's order: 2 confirmed, 2 unknown to BPJS,
    # 2 lapsed, 2 unknown here, 1 different; then 1 KPJ to fill and 4 rows with errors.
    values = page.locator(".stats .stat .value").all_inner_texts()
    assert values == ["2", "2", "2", "2", "1", "1", "4"]
    assert "Iuran tidak dibayar (rekap BPJS)" in page.locator("#confirm").inner_text()
    both_widths(page, "2-preview")

    # Register those unknown here as informal workers: Gita (row 8, her city memberships ended in June); Fajar
    # (row 7) stays on the list, BPJS names him as employer B's worker.
    page.select_option("select[name=register_segment]", "RENTAN")
    page.click("button[form=confirm]")
    page.wait_for_selector(".status-imported")
    both_widths(page, "3-applied")
    assert (
        ours["ended"]
        .memberships.filter(start_date=date(2025, 8, 1), segment__code="RENTAN")
        .count()
        == 2
    )

    page.click("#content a.button[href*='/admin/bpjs/statementline/']")
    page.wait_for_url("**/admin/bpjs/statementline/**")
    assert page.locator("#result_list tbody tr").count() == 4  # the open lines
    both_widths(page, "4-discrepancies")

    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option("select[name=action]", "assign_to_me")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert StatementLine.objects.filter(owner=operator).count() == 1

    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option("select[name=action]", "mark_resolved")
    page.click("button[name=index]")
    page.wait_for_selector("textarea[name=note]")
    page.click("#content input[type=submit]")  # without a note: asked again
    page.wait_for_selector(".errorlist")
    page.fill("textarea[name=note]", "Sudah dicek ke BPJS cabang Makassar.")
    both_widths(page, "5-resolve")
    page.click("#content input[type=submit]")
    page.wait_for_selector(".messagelist")
    both_widths(page, "6-resolved")
    assert StatementLine.objects.filter(status=DiscrepancyStatus.RESOLVED).count() == 1
