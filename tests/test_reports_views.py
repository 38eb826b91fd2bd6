"""The managers' dashboard and its downloads: who gets in, what they see, what they download."""

import html
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from enrollment.models import Claim
from programs.models import Kecamatan, Kelurahan
from reports.ledger.posting import settle
from reports.models import ReportSnapshot, WorkforceEstimate
from reports.periods import parse_period
from reports.queries import TrendPoint
from reports.snapshots import generate_snapshot
from reports.summary import employer_summary
from tests import factories

AUGUST = "period_type=month&year=2025&month=8"
DASHBOARD = f"/reports/?{AUGUST}"


def covered(worker, **membership):
    factories.make_membership(worker, "JKK", **membership)
    factories.make_membership(worker, "JKM", **membership)
    return worker


@pytest.fixture
def city(reference_data, employer_a):
    mamajang = Kelurahan.objects.get(name="Pa'batang")
    workers = [
        covered(factories.make_worker(name="Siti Aminah", kelurahan=mamajang), employer=employer_a),
        covered(factories.make_worker(name="Rudi Hartono")),
    ]
    factories.make_claim(
        workers[0],
        status=Claim.Status.PAID,
        paid_date=date(2025, 8, 3),
        amount=387_400_000_000,
        employer=employer_a,
    )
    return workers


def download_urls() -> list[str]:
    return [
        f"{reverse('reports:download', args=[identifier, fmt])}?{AUGUST}"
        for identifier in ("coverage", "kecamatan-ranking", "coverage-trend")
        for fmt in ("csv", "xlsx", "pdf")
    ]


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "administrator", "operator"])
def test_managers_and_staff_reach_the_dashboard_and_downloads(client, city, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(DASHBOARD).status_code == 200
    for url in download_urls():
        assert client.get(url).status_code == 200, url


def test_employers_get_a_404(client, city, employer_a_user):
    client.force_login(employer_a_user)
    assert client.get(DASHBOARD).status_code == 404
    for url in download_urls():
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, city):
    for url in [DASHBOARD, *download_urls()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_stored_snapshots_are_for_managers_and_staff_only(
    client, city, manager, operator, employer_a_user
):
    snapshot = generate_snapshot(parse_period("2025-08")).snapshot
    url = reverse("reports:snapshot-file", args=[snapshot.pk, "pdf"])
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(operator)
    assert client.get(url).status_code == 200
    client.force_login(employer_a_user)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert (
        client.get(reverse("reports:snapshot-file", args=[snapshot.pk, "exe"])).status_code == 404
    )
    assert (
        client.get(reverse("reports:snapshot-file", args=[snapshot.pk + 99, "pdf"])).status_code
        == 404
    )


def test_unknown_reports_and_formats_are_404_and_state_never_changes_on_post(client, city, manager):
    client.force_login(manager)
    assert client.get(f"/reports/download/nope.csv?{AUGUST}").status_code == 404
    assert client.get(f"/reports/download/coverage.exe?{AUGUST}").status_code == 404
    assert client.get(f"/reports/download/coverage.table?{AUGUST}").status_code == 404
    assert client.post(DASHBOARD).status_code == 405


# --- What the dashboard shows --------------------------------------------------------------------


def test_the_dashboard_shows_the_headline_in_the_indonesian_format(client, city, manager):
    client.force_login(manager)
    page = html.unescape(client.get(DASHBOARD).content.decode())
    assert "Agustus 2025" in page
    assert "Rp387,4 miliar" in page
    assert 'src="data:image/svg+xml;base64,' in page  # charts drawn on the server, as images
    outside_charts = re.sub(r"data:image/svg\+xml;base64,[^\"]+", "", page)
    assert "cdn" not in outside_charts.lower() and "<script" not in page
    for worker in city:
        assert worker.name not in page
        assert worker.nik not in page


def test_the_dashboard_numbers_use_dots_and_decimal_commas(client, reference_data, manager):
    for _ in range(3):
        covered(factories.make_worker())
    WorkforceEstimate.objects.create(year=2025, kind="UCJ_ELIGIBLE", workers=4_726)
    client.force_login(manager)
    page = client.get(DASHBOARD).content.decode()
    assert "4.726" in page  # 3 ÷ 4,726 = 0.0635 %
    assert "0,06%" in page  # EYD: no space before the sign


def test_the_filters_narrow_every_figure_and_the_downloads_keep_them(client, city, manager):
    client.force_login(manager)
    mamajang = Kecamatan.objects.get(name="Mamajang")
    response = client.get(f"{DASHBOARD}&kecamatan={mamajang.code}")
    page = html.unescape(response.content.decode())
    assert "Pa'batang" in page  # the district's sub-districts replace the ranking of districts
    sections = response.context["sections"]
    assert [s.report.identifier for s in sections][2] == "kelurahan-coverage"
    assert response.context["headline"]["covered"] == 1
    assert f"kecamatan={mamajang.code}" in sections[0].downloads[0][1]
    csv = client.get(sections[2].downloads[0][1]).content.decode("utf-8-sig")
    assert "Pa'batang,Mamajang,1," in csv


def test_the_period_filters_choose_month_quarter_or_year(client, city, manager):
    client.force_login(manager)
    for query, key in (
        ("period_type=quarter&year=2025&quarter=3", "2025-Q3"),
        ("period_type=year&year=2024", "2024"),
        ("period_type=month&year=2024&month=2", "2024-02"),
    ):
        assert client.get(f"/reports/?{query}").context["period"].key == key


def test_invalid_filters_show_last_month_with_the_error(client, city, manager):
    client.force_login(manager)
    response = client.get("/reports/?period_type=decade&year=1900")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/reports/download/coverage.csv?period_type=decade").status_code == 400


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    client, city, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(DASHBOARD)
    for _ in range(5):
        covered(factories.make_worker())
    settle()  # what the commit of those writes does (berjasa.db); the test's own transaction never commits
    # A fixed number: the coverage ledger's reads (decision 76) are a handful per figure, whatever the data.
    with django_assert_max_num_queries(60):
        client.get(DASHBOARD)


def test_the_snapshot_list_offers_the_stored_files(client, city, manager):
    generate_snapshot(parse_period("2025-08"))
    client.force_login(manager)
    page = client.get(DASHBOARD).content.decode()
    snapshot = ReportSnapshot.objects.get()
    assert reverse("reports:snapshot-file", args=[snapshot.pk, "xlsx"]) in page


# --- The employer's own summary ------------------------------------------------------------------


def test_the_employer_summary_counts_only_the_employers_own_workers(city, employer_a, employer_b):
    covered(factories.make_worker(), employer=employer_b)
    summary = employer_summary(employer_a, on=date(2025, 8, 31))
    assert summary.covered == 1
    assert dict(summary.by_program)["JKK"] == 1
    assert summary.by_segment == [("Pekerja formal (karyawan)", 1)]
    assert summary.claims.amount == 387_400_000_000
    assert summary.claims.period_count == 1  # paid on 3 August
    assert [p.total for p in summary.trend][-1] == 1
    assert len(summary.trend) == 12
    assert employer_summary(employer_b, on=date(2025, 8, 31)).claims.count == 0


def test_the_employer_summary_template_renders(city, employer_a):
    summary = employer_summary(employer_a, on=date(2025, 8, 31))
    page = render_to_string("reports/_employer_summary.html", {"summary": summary})
    assert "Rp387,4 miliar" in page
    assert "Siti Aminah" not in page


def test_the_employer_summary_chart_labels_every_month_and_writes_its_value(city, employer_a):
    """Twelve bars whose numbers showed only on hover: each month is now a row of a table, named and counted."""
    summary = employer_summary(employer_a, on=date(2025, 8, 20))
    month_ends = [date(2024, 9, 30), date(2024, 10, 31), date(2024, 11, 30), date(2024, 12, 31)]
    month_ends += [date(2025, month + 1, 1) - timedelta(days=1) for month in range(1, 8)]
    trend = [TrendPoint(day, 39_000 + n, {}) for n, day in enumerate(month_ends)]
    summary = replace(summary, trend=[*trend, TrendPoint(date(2025, 8, 20), 39_851, {})])

    page = render_to_string("reports/_employer_summary.html", {"summary": summary})
    chart = page[page.index('<table class="bar-chart"') :]
    rows = re.findall(r'<th scope="row">([^<]*)</th>.*?<td class="num">([^<]*)</td>', chart, re.S)
    assert rows[0] == ("Sep 2024", "39.000")
    assert rows[3] == ("Des 2024", "39.003")
    assert rows[10] == ("Jul 2025", "39.010")
    assert rows[11] == ("20 Agustus 2025", "39.851")
    assert len(rows) == 12
    assert "<caption>" in chart


def test_the_dashboard_works_on_an_empty_database(client, manager):
    """No reference data, no workers: zeros and dashes, not an error."""
    client.force_login(manager)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["headline"]["covered"] == 0
