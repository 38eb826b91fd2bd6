"""The change-request flow in headless Chromium: employer A corrects the name of a person it shares with B (the
change waits), B confirms it (applied). Screenshots at desk and phone width go to test-artifacts/."""

from datetime import date

import pytest

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import PersonalDataChangeRequest, Worker
from programs.models import Kelurahan
from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}


def _both_widths(page, name: str) -> None:
    save_screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    save_screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_shared_persons_name_change_waits_for_b_and_b_confirms_it(
    browser, live_server, page, employer_a, employer_a_user, employer_b, employer_b_user
):
    worker, _created = services.register_worker(
        acting_user=employer_b_user,
        channel=Channel.PORTAL,
        nik=factories.make_nik(date(1988, 4, 21), "P"),
        employer=employer_b,
        start_date=date(2024, 2, 1),
        monthly_wage=4_200_000,
        name="Siti Aminah",
        birth_date=date(1988, 4, 21),
        sex="P",
        phone="081399887766",
        address="Jl. Rahasia Losari No. 77",
        kelurahan=Kelurahan.objects.order_by("-code").first(),
        occupation="Juru Masak",
    )
    factories.make_employment(worker, employer_a)

    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.goto(f"/portal/workers/{worker.pk}/")
    assert "081399887766" not in page.content()
    page.click("main >> text=Ubah")
    page.fill("input[name=worker-name]", "Siti Aminah Saleh")
    _both_widths(page, "shared-1-edit-by-a")
    page.click("main button[type=submit]")
    assert "menunggu konfirmasi" in page.locator(".messages").inner_text()
    assert "Siti Aminah Saleh" in page.locator("main").inner_text()
    _both_widths(page, "shared-2-pending-for-a")
    assert Worker.objects.get(pk=worker.pk).name == "Siti Aminah"

    other = browser.new_context(base_url=live_server.url, locale="id-ID")
    page_b = other.new_page()
    log_in(page_b, employer_b_user.username)
    page_b.wait_for_url("**/portal/")
    page_b.click("nav >> text=Perubahan untuk dikonfirmasi")
    assert "Siti Aminah Saleh" in page_b.locator("main").inner_text()
    _both_widths(page_b, "shared-3-to-confirm-by-b")
    page_b.click("button:has-text('Konfirmasi perubahan')")
    assert "dikonfirmasi dan diterapkan" in page_b.locator(".messages").inner_text()
    _both_widths(page_b, "shared-4-confirmed-by-b")
    other.close()

    worker.refresh_from_db()
    assert (worker.name, worker.phone, worker.keeper) == (
        "Siti Aminah Saleh",
        "081399887766",
        employer_b,
    )
    assert PersonalDataChangeRequest.objects.get().status == "APPROVED"
