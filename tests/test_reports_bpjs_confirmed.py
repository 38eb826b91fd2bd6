""" "Confirmed by BPJS" beside "registered here" in every coverage figure, counted by hand (decisions 59, 67).

A covered worker is confirmed on day D when the JKK and the JKM membership active on D are both
``bpjs_status = ACTIVE``. The fixture, on D = 2025-08-31 (all memberships from 2024-01-01):

    worker  segment (group)      JKK        JKM        on D
    Ani     FORMAL (formal)      ACTIVE     ACTIVE     registered, confirmed
    Budi    FORMAL (formal)      ACTIVE     ACTIVE     registered, confirmed
    Citra   RENTAN (informal)    ACTIVE     ACTIVE     registered, confirmed
    Dewi    FORMAL (formal)      ACTIVE     LAPSED     registered only
    Eka     RENTAN (informal)    SUBMITTED  ACTIVE     registered only
    Fajar   FORMAL (formal)      ACTIVE     ACTIVE     both ended 2025-08-30: neither

Registered 5, confirmed 3, not confirmed 2 = 2 / 5 = 40,00 %.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from enrollment.models import BpjsStatus
from programs.models import Program, Segment
from reports.engine import ReportContext
from reports.exporters import EXPORTERS
from reports.models import ReportSnapshot, WorkforceEstimate
from reports.periods import parse_period
from reports.queries import coverage_on, coverage_trend
from reports.registry import ReportParams, run_report
from reports.snapshots import generate_snapshot
from tests import factories
from tests.test_reports_exports import pdf_text, xlsx_text

D = date(2025, 8, 31)
AUGUST = parse_period("2025-08")
ACTIVE, LAPSED, SUBMITTED = BpjsStatus.ACTIVE, BpjsStatus.LAPSED, BpjsStatus.SUBMITTED


def worker_with(name, segment, jkk, jkm, *, end=None, jht=None):
    """A worker with a JKK and a JKM membership of ``segment`` in the given BPJS states (and JHT if named)."""
    person = factories.make_worker(name=name)
    for program, status in (("JKK", jkk), ("JKM", jkm), ("JHT", jht)):
        if status is not None:
            factories.make_membership(
                person, program, segment=segment, end_date=end, bpjs_status=status
            )
    return person


@pytest.fixture
def loop(reference_data):
    segments = {s.code: s for s in Segment.objects.all()}
    formal, rentan = segments["FORMAL"], segments["RENTAN"]
    worker_with("Ani", formal, ACTIVE, ACTIVE, jht=ACTIVE)
    worker_with("Budi", formal, ACTIVE, ACTIVE, jht=SUBMITTED)
    worker_with("Citra", rentan, ACTIVE, ACTIVE)
    worker_with("Dewi", formal, ACTIVE, LAPSED)
    worker_with("Eka", rentan, SUBMITTED, ACTIVE)
    worker_with("Fajar", formal, ACTIVE, ACTIVE, end=date(2025, 8, 30))
    WorkforceEstimate.objects.create(
        year=2025, kind=WorkforceEstimate.Kind.UCJ_ELIGIBLE, workers=10
    )
    return segments


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_registered_five_confirmed_three(loop):
    coverage = coverage_on(D, dimensions=["segment_group", "segment", "program"])
    assert (coverage.total, coverage.confirmed) == (5, 3)  # Fajar ended the day before: neither
    # formal: Ani, Budi, Dewi registered, Ani and Budi confirmed; informal: Citra and Eka, Citra
    assert coverage.by["segment_group"] == {"FORMAL": 3, "INFORMAL": 2}
    assert coverage.confirmed_by["segment_group"] == {"FORMAL": 2, "INFORMAL": 1}
    assert coverage.confirmed_count("segment", loop["RENTAN"].pk) == 1
    jht = Program.objects.get(code="JHT").pk
    # JHT: Ani and Budi hold it; only Ani's JHT is ACTIVE at BPJS
    assert (coverage.count("program", jht), coverage.confirmed_count("program", jht)) == (2, 1)


def test_a_worker_confirmed_only_by_an_ended_membership_is_neither(reference_data):
    formal = Segment.objects.get(code="FORMAL")
    worker_with("Fajar", formal, ACTIVE, ACTIVE, end=date(2025, 8, 30))
    coverage = coverage_on(D)
    assert (coverage.total, coverage.confirmed) == (0, 0)


def test_the_headline_gives_the_gap(loop):
    headline = ReportContext(AUGUST).headline
    assert headline["covered"] == 5
    assert headline["confirmed"] == 3
    assert headline["confirmed_formal"] == 2
    assert headline["confirmed_public_service"] == 0
    assert headline["confirmed_informal"] == 1
    assert headline["not_confirmed"] == 2
    assert headline["not_confirmed_percent"] == Decimal("40.00")  # 2 / 5
    assert headline["ucj_percent"] == Decimal("50.00")  # 5 / 10
    assert headline["ucj_confirmed_percent"] == Decimal("30.00")  # 3 / 10


def test_the_gap_by_segment_group(loop, english):
    table = run_report("bpjs-confirmation", ReportParams(AUGUST)).tables[0]
    assert table.rows == (
        # group, registered, confirmed, not confirmed, its % of registered
        ("Formal employees", 3, 2, 1, Decimal("33.33")),  # 1 / 3
        ("Public-service workers (city-funded)", 0, 0, 0, None),  # nobody: no percentage
        ("Informal and vulnerable workers", 2, 1, 1, Decimal("50.00")),  # 1 / 2
        ("All segment groups", 5, 3, 2, Decimal("40.00")),  # 2 / 5
    )


def test_every_breakdown_counts_the_confirmed(loop):
    tables = {t.key: t for t in run_report("coverage", ReportParams(AUGUST)).tables}
    sex = tables["sex"]  # the factory's workers are all of one sex
    assert sum(sex.column("covered")) == 5 and sum(sex.column("confirmed")) == 3
    segment = tables["segment"]
    assert segment.column("confirmed") == [
        2,
        0,
        0,
        0,
        0,
        1,
    ]  # FORMAL 2 … RENTAN 1, in catalogue order
    # shares of the confirmed: 2 / 3 and 1 / 3
    assert [s for s in segment.column("confirmed_share") if s] == [
        Decimal("66.67"),
        Decimal("33.33"),
    ]
    ranking = tables["kecamatan"]
    first = ranking.rows[0]
    columns = [c.key for c in ranking.columns]
    assert first[columns.index("covered")] == 5 and first[columns.index("confirmed")] == 3
    assert first[columns.index("ucj_confirmed_percent")] is None  # no district estimate


def test_the_trend_counts_the_confirmed_at_each_month_end(loop):
    july, august = coverage_trend([date(2025, 7, 31), D])
    # 31 July: Fajar still covered and confirmed → 6 registered, 4 confirmed; 31 August: 5 and 3
    assert (july.total, july.confirmed) == (6, 4)
    assert (august.total, august.confirmed) == (5, 3)
    table = run_report("coverage-trend", ReportParams(parse_period("2025-07..2025-08"))).tables[0]
    assert table.column("confirmed") == [4, 3]
    assert table.column("ucj_confirmed_percent") == [Decimal("40.00"), Decimal("30.00")]  # of 10


def test_every_export_shows_the_confirmed_column(loop, english):
    result = run_report("coverage-by-segment", ReportParams(AUGUST))

    rows = list(csv.reader(io.StringIO(EXPORTERS["csv"].render(result).decode("utf-8-sig"))))
    header = rows.index(["Segment", "Segment group", "Segment kind", "Covered workers", "Share",
                         "Confirmed by BPJS", "Share of the confirmed", "New enrolments",
                         "Terminations"])  # fmt: skip
    # FORMAL: Ani, Budi, Dewi of 5 = 60.00 %; Ani, Budi confirmed, of 3 confirmed = 66.67 %
    assert rows[header + 1][3:7] == ["3", "60.00", "2", "66.67"]
    assert ["Confirmed by BPJS on 31 August 2025", "3"] in rows
    assert ["Not confirmed by BPJS, of the covered workers", "40.00"] in rows

    xlsx = xlsx_text(EXPORTERS["xlsx"].render(result))
    assert "Confirmed by BPJS | Share of the confirmed" in xlsx
    assert "Confirmed by BPJS on 31 August 2025 | 3" in xlsx

    text = EXPORTERS["table"].render(result).decode()
    assert "Confirmed by BPJS" in text and "40,00%" in text

    pdf = pdf_text(EXPORTERS["pdf"].render(result))
    assert "Confirmed by BPJS on 31 August 2025" in pdf
    assert "Confirmed by" in pdf and "40,00%" in pdf


# --- The dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def discrepancy_list():
    """The admin's list of BPJS discrepancies (statement lines)."""
    return reverse("admin:bpjs_statementline_changelist")


DASHBOARD = "/reports/?period_type=month&year=2025&month=8"


def test_the_dashboard_shows_the_gap_and_staff_the_discrepancy_list(
    client, loop, operator, discrepancy_list
):
    client.force_login(operator)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert response.context["figures"]["not_confirmed"] == "2"
    assert response.context["figures"]["not_confirmed_percent"] == "40,00%"
    gap = next(s for s in response.context["sections"] if s.table.key == "confirmation")
    assert gap.rows[-1] == [("Semua kelompok segmen", False), ("5", True), ("3", True),
                            ("2", True), ("40,00%", True)]  # fmt: skip
    assert f'href="{discrepancy_list}"' in page
    assert discrepancy_list == "/admin/bpjs/statementline/"


def test_a_manager_sees_the_gap_but_no_link_to_the_admin(client, loop, manager, discrepancy_list):
    client.force_login(manager)
    response = client.get(DASHBOARD)
    assert response.context["figures"]["not_confirmed_percent"] == "40,00%"
    assert discrepancy_list not in response.content.decode()


# --- Snapshots -------------------------------------------------------------------------------------


def test_a_snapshot_stores_the_confirmed_figures(loop):
    snapshot = generate_snapshot(AUGUST).snapshot
    headline = {f["key"]: f["value"] for f in snapshot.figures["headline"]}
    assert (headline["covered"], headline["confirmed"], headline["not_confirmed"]) == (5, 3, 2)
    assert headline["not_confirmed_percent"] == 40.0
    gap = next(t for t in snapshot.figures["tables"] if t["key"] == "confirmation")
    assert gap["rows"][-1][1:] == [5, 3, 2, 40.0]


def without_confirmed(figures: dict) -> dict:
    """Figures as a report of issue 13 stored them: no "confirmed" figure, column or table."""
    tables = []
    for table in figures["tables"]:
        if table["key"] == "confirmation":
            continue
        kept = [i for i, c in enumerate(table["columns"]) if "confirmed" not in c["key"]]
        tables.append(
            {
                **table,
                "columns": [table["columns"][i] for i in kept],
                "rows": [[row[i] for i in kept] for row in table["rows"]],
            }
        )
    headline = [f for f in figures["headline"] if "confirmed" not in f["key"]]
    return {**figures, "headline": headline, "tables": tables}


def test_an_older_snapshot_without_them_still_renders(client, loop, administrator):
    snapshot = generate_snapshot(AUGUST).snapshot
    snapshot.figures = without_confirmed(snapshot.figures)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(figures=snapshot.figures)
    client.force_login(administrator)

    page = client.get(reverse("admin:reports_reportsnapshot_change", args=(snapshot.pk,)))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pekerja terlindungi per 31 Agustus 2025" in text
    assert "Terkonfirmasi BPJS" not in text

    dashboard = client.get(DASHBOARD)  # the period's stored report is the old one
    assert dashboard.status_code == 200
    assert dashboard.context["stored"].pk == snapshot.pk


def test_the_wider_district_ranking_keeps_its_words_whole_in_the_pdf(loop):
    """Nine columns at 8 points would break the headings inside words ("Terkonfir masi"); the table is set
    smaller instead."""
    result = run_report("kecamatan-ranking", ReportParams(AUGUST))
    words = pdf_text(EXPORTERS["pdf"].render(result)).split()
    for heading_word in ("Peringkat", "Kecamatan", "terlindungi", "Terkonfirmasi", "terkonfirmasi"):
        assert heading_word in words, heading_word
