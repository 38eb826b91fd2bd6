"""The dashboard in headless Chromium, and a page of the PDF report as an image. Both leave their pictures in
test-artifacts/ (reports-dashboard*.png, reports-pdf-*.png) for people to look at."""

import html
import random
from datetime import date, timedelta

import pytest

from enrollment.models import BpjsStatus, Claim
from programs.models import Kecamatan, Kelurahan, Segment
from reports.exporters import EXPORTERS
from reports.models import WorkforceEstimate
from reports.periods import parse_period
from reports.registry import ReportParams, run_report
from tests import factories
from tests.conftest import ARTIFACTS_DIR, enter_second_factor, save_screenshot, totp_device_for
from tests.test_reports_exports import pdf_text, poppler

PASSWORD = "rahasia-yang-panjang-1"
AUGUST = "period_type=month&year=2025&month=8"


def build_sample_city(workers: int = 240, seed: int = 7) -> None:
    """A small city with a history from 2023: every segment and district, some leavers, paid claims; BPJS
    confirms about nine in ten memberships (its own random sequence, so the rest of the city stays as it was)."""
    rng, bpjs = random.Random(seed), random.Random(seed + 1)
    states = [BpjsStatus.ACTIVE, BpjsStatus.SUBMITTED, BpjsStatus.LAPSED, BpjsStatus.REGISTERED]
    segments = list(Segment.objects.all())
    weights = [70, 4, 5, 5, 3, 13][: len(segments)]
    places = list(Kelurahan.objects.all())
    employers = [
        factories.make_employer(size=size) for size in ("MICRO", "SMALL", "MEDIUM", "LARGE")
    ]
    for _ in range(workers):
        segment = rng.choices(segments, weights)[0]
        worker = factories.make_worker(
            kelurahan=rng.choice(places),
            sex=rng.choice("LP"),
            birth_date=date(1965, 1, 1) + timedelta(days=rng.randrange(13_000)),
            has_disability=rng.random() < 0.03,
        )
        start = date(2022, 6, 1) + timedelta(days=rng.randrange(1_150))
        end = start + timedelta(days=rng.randrange(200, 900)) if rng.random() < 0.2 else None
        common = {
            "segment": segment,
            "employer": rng.choice(employers) if segment.code == "FORMAL" else None,
            "start_date": start,
            "end_date": end,
        }
        for program in ("JKK", "JKM", "JHT") if segment.kind == "PU" else ("JKK", "JKM"):
            status = bpjs.choices(states, [90, 4, 3, 3])[0]
            factories.make_membership(worker, program, bpjs_status=status, **common)
        if rng.random() < 0.12:
            paid = min(start + timedelta(days=rng.randrange(30, 500)), date(2025, 10, 20))
            factories.make_claim(
                worker,
                rng.choice(["JHT", "JHT", "JKK", "JKM", "BEASISWA"]),
                segment=segment,
                incident_date=paid - timedelta(days=20),
                submitted_date=paid - timedelta(days=10),
                paid_date=paid,
                status=Claim.Status.PAID,
                amount=rng.randrange(2, 60) * 1_000_000,
            )
    kecamatan = list(Kecamatan.objects.all())
    for year in (2023, 2024, 2025):
        for kind, city in (
            (WorkforceEstimate.Kind.UCJ_ELIGIBLE, 330),
            (WorkforceEstimate.Kind.EMPLOYED, 400),
        ):
            WorkforceEstimate.objects.create(year=year, kind=kind, workers=city)
            for place in kecamatan:
                WorkforceEstimate.objects.create(
                    year=year, kind=kind, kecamatan=place, workers=city // len(kecamatan) + 2
                )


def log_in(page, user) -> None:
    """Password, then the code of the manager's authenticator (managers need a second factor)."""
    totp_device_for(user)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    enter_second_factor(page, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_reads_the_dashboard_in_the_browser(page, manager, reference_data):
    build_sample_city()
    log_in(page, manager)
    page.goto(f"/reports/?{AUGUST}")
    assert "Agustus 2025" in page.locator("h1").inner_text()
    assert (
        page.locator(".report-section .chart img").count() == 4
    )  # every chart drawn, no JavaScript
    assert (
        page.locator("#confirmation table").count() == 1
    )  # the gap: registered here, confirmed by BPJS
    save_screenshot(page, "reports-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "reports-dashboard-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    mamajang = Kecamatan.objects.get(name="Mamajang")
    page.select_option("select[name=kecamatan]", mamajang.code)
    page.select_option("select[name=period_type]", "quarter")
    page.select_option("select[name=quarter]", "3")
    page.click("form.filters button[type=submit]")
    assert "Triwulan III 2025" in page.locator("h1").inner_text() or "Quarter III 2025" in (
        page.locator("h1").inner_text()
    )
    assert "Pa'batang" in html.unescape(page.content())
    save_screenshot(page, "reports-dashboard-mamajang")

    with page.expect_download() as download_info:
        page.locator("#kelurahan .downloads a", has_text="CSV").click()
    csv_text = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Pa'batang,Mamajang," in csv_text


def test_a_pdf_page_as_an_image(reference_data):
    build_sample_city()
    result = run_report("coverage", ReportParams(parse_period("2025-08")))
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    pdf = ARTIFACTS_DIR / "reports-coverage-2025-08.pdf"
    pdf.write_bytes(EXPORTERS["pdf"].render(result))
    for old in ARTIFACTS_DIR.glob("reports-pdf-*.png"):
        old.unlink()
    poppler(
        "pdftoppm",
        "-png",
        "-r",
        "80",
        "-f",
        "1",
        "-l",
        "3",
        str(pdf),
        str(ARTIFACTS_DIR / "reports-pdf"),
    )
    pages = sorted(ARTIFACTS_DIR.glob("reports-pdf-*.png"))
    assert len(pages) == 3
    assert all(p.stat().st_size > 20_000 for p in pages)  # drawn pages, not blank ones
    text = pdf_text(pdf.read_bytes())
    assert "Makassar Berjasa" in text
    assert "Pa'batang" in text
