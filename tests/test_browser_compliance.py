"""The managers' compliance page in headless Chromium, at desk (1280 px) and phone (390 px) width: from the reports
dashboard's link to a month and a kecamatan chosen in the filters, the reporting rate of a hand-counted city, its
charts, the employers that did not confirm and the CSV download of that list. Screenshots:
test-artifacts/compliance-*.png."""

import csv
from datetime import date, datetime, time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import pgettext

from compliance.models import RosterConfirmation
from compliance.months import first_of, month_label, next_month, previous_month
from compliance.services import confirm_month, reopen_confirmation
from enrollment.models import EmployerUser
from programs.models import Kelurahan
from tests import factories
from tests.conftest import ARTIFACTS_DIR, save_screenshot
from tests.test_reports_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def months() -> tuple[date, date, date]:
    """The last complete month (the page opens on it), the one before (the month the manager picks) and the one
    before that: relative to today, so that the walk stays inside the 36 months the filter offers."""
    last = previous_month(first_of(timezone.localdate()))
    return last, previous_month(last), previous_month(previous_month(last))


def build_city(administrator) -> dict:
    """Eight employers in two kecamatan, counted by hand for the picked month M (L: the month after, M1: before).

    | employer                                  | kecamatan | worker on the roster at M's end | confirmed    |
    |-------------------------------------------|-----------|---------------------------------|--------------|
    | PT Angin Mamiri Sejahtera                 | Mariso    | yes                             | M1, M, L     |
    | CV Daeng Tompo Logistik                   | Mariso    | yes                             | M1, M        |
    | PT Losari Bahari Nusantara Makmur Abadi   | Mariso    | yes                             | never        |
    | UD Coto Gagak                             | Mariso    | yes                             | M, reopened  |
    | Koperasi Karya Pantai                     | Mariso    | yes                             | M1           |
    | PT Sudah Tutup Makassar                   | Mariso    | no (left on M's 15th)           | M            |
    | PT Pinisi Raya                            | Mamajang  | yes                             | M            |
    | CV Benteng Rotterdam                      | Mamajang  | yes                             | never        |

    M, Mariso: five employers with a worker at the month's end, two of them confirmed: 40,00%. M, the city: seven,
    three confirmed: 42,86%. L, the city: seven, one: 14,29%. M1, Mariso: six (Sudah Tutup still had its worker),
    three: 50,00%.
    """
    last, month, before = months()
    mariso = Kelurahan.objects.filter(kecamatan__code="73.71.01").order_by("code").first()
    mamajang = Kelurahan.objects.filter(kecamatan__code="73.71.02").order_by("code").first()
    clerk = User.objects.create_user("clerk_fajar", email="fajar@contoh.test")
    rows = [
        ("PT Angin Mamiri Sejahtera", mariso, "SMALL", None, [before, month, last]),
        ("CV Daeng Tompo Logistik", mariso, "MEDIUM", None, [before, month]),
        ("PT Losari Bahari Nusantara Makmur Abadi", mariso, "LARGE", None, []),
        ("UD Coto Gagak", mariso, "MICRO", None, [month]),
        ("Koperasi Karya Pantai", mariso, "SMALL", None, [before]),
        ("PT Sudah Tutup Makassar", mariso, "SMALL", month.replace(day=15), [month]),
        ("PT Pinisi Raya", mamajang, "SMALL", None, [month]),
        ("CV Benteng Rotterdam", mamajang, "SMALL", None, []),
    ]
    employers = {}
    for number, (name, kelurahan, size, left, confirmed) in enumerate(rows, start=1):
        employer = factories.make_employer(
            npp=f"7100{number:04d}",
            name=name,
            kelurahan=kelurahan,
            size=size,
            email=f"kantor{number}@usaha.test",
        )
        factories.link_employer_user(clerk, employer)
        factories.make_employment(
            factories.make_worker(),
            employer,
            start_date=before.replace(year=before.year - 2),
            end_date=left,
            termination_reason="RESIGNED" if left else "",
        )
        for confirmed_month in confirmed:
            confirmation = confirm_month(employer, confirmed_month, acting_user=clerk)
            on_the_third = datetime.combine(next_month(confirmed_month).replace(day=3), time(10))
            RosterConfirmation.objects.filter(pk=confirmation.pk).update(
                confirmed_at=timezone.make_aware(on_the_third)
            )
        employers[name] = employer
    reopen_confirmation(
        RosterConfirmation.objects.get(employer=employers["UD Coto Gagak"]),
        reason="Dua pekerja keluar belum dicatat",
        acting_user=administrator,
    )
    contact = User.objects.create_user("rina_losari", email="rina@losari-bahari.test")
    EmployerUser.objects.create(
        user=contact,
        employer=employers["PT Losari Bahari Nusantara Makmur Abadi"],
        is_main_contact=True,
    )
    return employers


def tables_running_off(page) -> list[str]:
    """The tables wider than their frame (which would scroll sideways), by their first heading."""
    return page.evaluate(
        """[...document.querySelectorAll('main .table-wrap')]
            .filter(frame => frame.scrollWidth > frame.clientWidth + 1)
            .map(frame => frame.querySelector('th').innerText)"""
    )


def stat(page, label: str) -> str:
    return (
        page.locator(".stats .stat", has=page.get_by_text(label, exact=True))
        .locator(".value")
        .inner_text()
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_reads_the_reporting_rate_of_a_month_and_a_kecamatan(
    page, manager, administrator, reference_data, width
):
    employers = build_city(administrator)
    last, month, before = months()
    with translation.override("id"):
        labels = {m: month_label(m) for m in (last, month, before)}
        confirmed = pgettext("roster confirmation", "Confirmed")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, manager)

    page.goto("/reports/")
    page.click("nav >> text=Lapor bulanan")
    page.wait_for_url("**/reports/kepatuhan/")
    assert labels[last] in page.locator("h1").inner_text()  # opens on the latest month confirmed
    assert stat(page, "Tingkat pelaporan") == "14,29%"  # 1 of 7

    page.select_option("select[name=month]", f"{month:%Y-%m}")
    page.select_option("select[name=kecamatan]", label="Mariso")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "kecamatan=73.71.01" in url)
    assert parse_qs(urlsplit(page.url).query) == {
        "month": [f"{month:%Y-%m}"],
        "kecamatan": ["73.71.01"],
    }  # a view of the figures with its own address
    assert labels[month] in page.locator("h1").inner_text()
    assert stat(page, "Tingkat pelaporan") == "40,00%"  # 2 of 5
    assert stat(page, "Pemberi kerja dengan pekerja") == "5"
    assert stat(page, "Belum terkonfirmasi") == "3"
    assert stat(page, confirmed) == "2"
    assert "Cocok" not in page.locator("main").inner_text()  # BPJS's "matches", not a confirmation
    for chart in ("#trend", "#by-kecamatan-chart"):  # drawn on the server, no JavaScript
        image = page.locator(f"{chart} figure.chart img")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        box = image.bounding_box()
        frame = page.locator(f"{chart} figure.chart").bounding_box()
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width  # the frame fits the screen
        assert box["width"] >= min(
            600, width * 0.6
        )  # the chart keeps a size whose words can be read
    page.click("#trend summary")
    trend = page.locator("#trend table tbody tr", has_text=labels[before]).inner_text()
    assert "50,00%" in trend  # the month before: 3 of 6 (Sudah Tutup still had its worker)
    save_screenshot(page, f"compliance-1-page-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert tables_running_off(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=ARTIFACTS_DIR / f"compliance-2-top-{width}.png")  # what one sees first

    listed = page.locator("#not-confirmed")
    assert "(3)" in listed.locator("h2").inner_text()
    names = listed.locator("tbody tr").all_inner_texts()
    assert (
        [text.splitlines()[0] for text in names]
        == [
            "Koperasi Karya Pantai",
            "PT Losari Bahari Nusantara Makmur Abadi",
            "UD Coto Gagak",
        ]
    )  # not Sudah Tutup (no worker at the month's end), not the Mamajang employer, not the confirmed
    assert labels[before] in names[0]  # Koperasi's last confirmation
    assert "rina_losari" in names[1] and "rina@losari-bahari.test" in names[1]
    listed.scroll_into_view_if_needed()
    listed.screenshot(path=ARTIFACTS_DIR / f"compliance-3-not-confirmed-{width}.png")

    with page.expect_download() as download_info:
        listed.locator(".downloads a", has_text="CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"kepatuhan-not-confirmed-{month:%Y-%m}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[:2] == ["NPP", "Pemberi kerja"] and "Bulan terakhir dikonfirmasi" in header
    by_npp = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(by_npp) == sorted(
        employers[name].npp
        for name in (
            "Koperasi Karya Pantai",
            "PT Losari Bahari Nusantara Makmur Abadi",
            "UD Coto Gagak",
        )
    )
    koperasi = by_npp[employers["Koperasi Karya Pantai"].npp]
    assert koperasi["Bulan terakhir dikonfirmasi"] == f"{before:%Y-%m}"
    losari = by_npp[employers["PT Losari Bahari Nusantara Makmur Abadi"].npp]
    assert (
        losari["Bulan terakhir dikonfirmasi"] == "" and "rina@losari-bahari.test" in losari.values()
    )
    assert {row[3] for row in rows} == {"Mariso"}
