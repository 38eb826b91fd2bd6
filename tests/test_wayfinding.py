"""Finding the way: error pages in the site's layout and language, the favicon, the links between the admin and
the reports, who reads the reports, the staff's snapshot button, the template download, and the dashboard's
date (the latest month with data, coverage as of a day)."""

import html
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportSnapshot
from reports.periods import parse_period
from reports.snapshots import generate_snapshot
from tests import factories

ROOT = Path(settings.BASE_DIR)
COMMAND_NAMES = ("manage.py", "seed_demo", "generate_period_reports", "roster_template")


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def covered(worker, **membership):
    factories.make_membership(worker, "JKK", **membership)
    factories.make_membership(worker, "JKM", **membership)
    return worker


@pytest.fixture
def production(settings):
    """Error pages as production shows them: DEBUG off."""
    settings.DEBUG = False


# --- Error pages and the favicon -------------------------------------------------------------------


def test_a_missing_page_is_our_404_in_indonesian(client, production, db):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    page = text_of(response)
    assert "Halaman tidak ditemukan" in page
    assert "Makassar Berjasa" in page  # the site's layout
    assert 'href="/accounts/login/"' in page  # a way on for a visitor who is not signed in


def test_a_missing_page_is_in_english_when_english_is_chosen(client, production, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text_of(client.get("/tidak-ada/"))
    assert "Page not found" in page


def test_a_refused_page_is_our_403_in_indonesian_with_the_way_home(client, production, operator):
    client.force_login(operator)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 403
    page = text_of(response)
    assert "Akses ditolak" in page
    assert "403 Forbidden" not in page
    assert f'href="{reverse("home")}"' in page


def test_a_failed_page_is_our_500_in_indonesian(production, manager, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("reports.views.run_reports", broken)
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    response = client.get("/reports/")
    assert response.status_code == 500
    page = text_of(response)
    assert "Terjadi kesalahan" in page
    assert "boom" not in page


def test_an_expired_form_is_our_csrf_page_in_indonesian(production, db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = text_of(response)
    assert "Formulir sudah kedaluwarsa" in page
    assert "CSRF" not in page


def test_a_request_for_an_unknown_host_is_our_400(client, production, db):
    response = client.get("/", HTTP_HOST="bukan.makassarkota.go.id")
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in text_of(response)


def test_the_favicon_is_served_and_linked(client, production, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("berjasa/favicon.ico")  # served as every static file
    icon = Path(finders.find("berjasa/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert static("berjasa/favicon.ico") in text_of(client.get(reverse("login")))


# --- Who reads the reports, and the way between admin and reports ----------------------------------


def test_operators_read_the_dashboard_and_its_downloads(client, reference_data, operator):
    client.force_login(operator)
    assert client.get("/reports/").status_code == 200
    query = "period_type=month&year=2025&month=8"
    assert client.get(f"/reports/download/coverage.csv?{query}").status_code == 200


def test_the_admin_links_to_the_reports_and_not_back_to_itself(client, reference_data, operator):
    client.force_login(operator)
    page = text_of(client.get(reverse("admin:index")))
    assert f'href="{reverse("reports:dashboard")}"' in page
    assert "Lihat situs" not in page
    assert static("berjasa/favicon.svg") in page


def test_the_reports_link_back_to_the_admin_for_staff_only(
    client, reference_data, operator, manager
):
    admin_link = f'href="{reverse("admin:index")}"'
    client.force_login(operator)
    assert admin_link in text_of(client.get("/reports/"))
    client.force_login(manager)
    assert admin_link not in text_of(client.get("/reports/"))


# --- The staff's snapshot button ---------------------------------------------------------------------


def test_staff_store_a_period_once_and_the_second_time_are_told_why_not(
    client, reference_data, administrator
):
    covered(factories.make_worker())
    client.force_login(administrator)
    page = text_of(client.get("/reports/?period_type=month&year=2024&month=6"))
    assert "Simpan laporan Juni 2024" in page
    url = reverse("reports:make-snapshot")

    first = client.post(url, {"period": "2024-06"}, follow=True)
    assert "Laporan Juni 2024 telah disimpan" in text_of(first)
    assert ReportSnapshot.objects.get().created_by == administrator

    second = client.post(url, {"period": "2024-06"}, follow=True)
    assert "sudah disimpan" in text_of(second)
    assert "tidak pernah dibuat ulang" in text_of(second)
    assert ReportSnapshot.objects.count() == 1
    page = text_of(client.get("/reports/?period_type=month&year=2024&month=6"))
    assert "Simpan laporan Juni 2024" not in page
    assert "Laporan Juni 2024 disimpan pada" in page


def test_operators_store_snapshots_and_managers_only_read_them(
    client, reference_data, operator, manager, employer_a_user
):
    url = reverse("reports:make-snapshot")
    client.force_login(manager)
    assert "Simpan laporan" not in text_of(client.get("/reports/"))
    assert client.post(url, {"period": "2024-06"}).status_code == 404
    client.force_login(employer_a_user)
    assert client.post(url, {"period": "2024-06"}).status_code == 404
    assert not ReportSnapshot.objects.exists()
    client.force_login(operator)
    assert client.get(url).status_code == 405
    client.post(url, {"period": "2024-06"})
    assert ReportSnapshot.objects.filter(period="2024-06").count() == 1


def test_a_period_not_ended_yet_or_a_day_is_not_stored(client, reference_data, administrator):
    client.force_login(administrator)
    url = reverse("reports:make-snapshot")
    this_year = str(timezone.localdate().year)
    assert "belum berakhir" in text_of(client.post(url, {"period": this_year}, follow=True))
    client.post(url, {"period": "2025-08-14"})
    assert not ReportSnapshot.objects.exists()


# --- The roster template for clerks, and no command names ------------------------------------------


def test_clerks_download_the_template_from_the_upload_page(
    client, reference_data, operator, tmp_path
):
    client.force_login(operator)
    page = text_of(client.get(reverse("admin:enrollment_importbatch_upload")))
    url = reverse("admin:enrollment_importbatch_template", args=["csv"])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    call_command("roster_template", output=str(tmp_path / "t.csv"), stdout=io.StringIO())
    assert b"".join(response.streaming_content) == (tmp_path / "t.csv").read_bytes()
    xlsx = client.get(reverse("admin:enrollment_importbatch_template", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert (
        client.get(reverse("admin:enrollment_importbatch_template", args=["exe"])).status_code
        == 404
    )


def test_no_template_or_interface_string_names_a_command():
    """Clerks and managers never read a command's name: not in a template, not in a translated string."""
    found = []
    for path in [*ROOT.glob("templates/**/*.html"), ROOT / "locale/id/LC_MESSAGES/django.po"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(name in line for name in COMMAND_NAMES) and not line.startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


# --- The dashboard's date ------------------------------------------------------------------------------


@pytest.fixture
def august_data(reference_data):
    """Data that ends in August 2025: one worker covered until the 14th, one still covered; a claim paid on
    the 20th (the last day anything was recorded)."""
    leaver = covered(factories.make_worker(name="Siti Aminah"), end_date=date(2025, 8, 14))
    stayer = covered(factories.make_worker(name="Rudi Hartono"))
    factories.make_claim(
        stayer,
        status="PAID",
        submitted_date=date(2025, 8, 1),
        paid_date=date(2025, 8, 20),
        amount=3_650_000,
    )
    return leaver, stayer


def test_the_dashboard_opens_on_the_latest_month_with_data_and_says_so(
    client, august_data, manager
):
    client.force_login(manager)
    response = client.get("/reports/")
    assert response.context["period"].key == "2025-08"
    page = text_of(response)
    assert "Agustus 2025" in page
    assert "Data terakhir: 20 Agustus 2025" in page


def test_coverage_as_of_a_day_counts_a_worker_on_their_last_day_and_not_after(
    client, august_data, manager
):
    client.force_login(manager)
    on_14th = client.get("/reports/?period_type=day&day=2025-08-14")
    assert on_14th.context["period"].key == "2025-08-14"
    assert on_14th.context["headline"]["covered"] == 2
    assert "14 Agustus 2025" in text_of(on_14th)
    on_15th = client.get("/reports/?period_type=day&day=2025-08-15")
    assert on_15th.context["headline"]["covered"] == 1
    # Claims are cumulative to the day: the claim paid on the 20th is not in the figures of the 15th.
    assert on_15th.context["headline"]["claims_amount"] == 0
    on_20th = client.get("/reports/?period_type=day&day=2025-08-20")
    assert on_20th.context["headline"]["claims_amount"] == 3_650_000


def test_the_downloads_of_a_day_are_the_figures_of_that_day(client, august_data, manager):
    client.force_login(manager)
    response = client.get("/reports/?period_type=day&day=2025-08-15")
    links = dict(response.context["full_report"])
    assert all("day=2025-08-15" in url for url in links.values())
    csv_response = client.get(links["CSV"])
    assert "coverage-2025-08-15.csv" in csv_response["Content-Disposition"]
    csv = csv_response.content.decode("utf-8-sig")
    assert re.search(r"^Pekerja terlindungi per 15 Agustus 2025,1\r?$", csv, re.MULTILINE), csv[
        :600
    ]
    pdf = client.get(links["PDF"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_day_without_a_date_is_an_error_not_a_guess(client, august_data, manager):
    client.force_login(manager)
    response = client.get("/reports/?period_type=day&day=")
    assert response.context["form"].errors["day"]
    tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1)
    response = client.get(f"/reports/?period_type=day&day={tomorrow.isoformat()}")
    assert "hari ini" in " ".join(response.context["form"].errors["day"])


def test_a_day_is_its_month_up_to_it_and_its_trend_ends_on_it():
    day = parse_period("2025-08-14")
    assert (day.start, day.end, day.label()) == (
        date(2025, 8, 1),
        date(2025, 8, 14),
        "14 Agustus 2025",
    )
    assert day.trailing_months(3).month_ends() == [
        date(2025, 6, 30),
        date(2025, 7, 31),
        date(2025, 8, 14),
    ]
    with pytest.raises(ValueError):
        generate_snapshot(day)
