"""Every format renders every declared report, opens with the headline, spells the city's names right and
carries no personal data."""

import csv
import io
import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from enrollment.models import Claim
from programs.models import Kelurahan
from reports.engine import COUNT, ReportContext
from reports.exporters import EXPORTERS, neutralise
from reports.models import WorkforceEstimate
from reports.periods import parse_period
from reports.registry import (
    REPORTS,
    Column,
    ReportDefinition,
    ReportParams,
    Table,
    register,
    run_report,
)
from tests import factories

APOSTROPHE_KELURAHAN = ("Pa'batang", "La'latang", "Pa'baeng-Baeng")
AUGUST = ReportParams(parse_period("2025-08"))


def covered(worker, **membership):
    factories.make_membership(worker, "JKK", **membership)
    factories.make_membership(worker, "JKM", **membership)
    return worker


@pytest.fixture
def small_city(reference_data):
    """Three covered workers, one in each kelurahan with an apostrophe, a paid claim and the estimates."""
    workers = []
    for name, person in zip(
        APOSTROPHE_KELURAHAN, ("Andi Pratama", "Besse Daeng Caya", "Cahya Ramadhani"), strict=True
    ):
        place = Kelurahan.objects.get(name=name)
        workers.append(covered(factories.make_worker(name=person, kelurahan=place)))
    factories.make_claim(
        workers[0], status=Claim.Status.PAID, paid_date=date(2025, 8, 12), amount=21_700_000
    )
    for kind, number in (
        (WorkforceEstimate.Kind.UCJ_ELIGIBLE, 5),
        (WorkforceEstimate.Kind.EMPLOYED, 6),
    ):
        WorkforceEstimate.objects.create(year=2025, kind=kind, workers=number)
    return workers


def poppler(tool: str, *args: str, **options) -> subprocess.CompletedProcess:
    """Run a poppler-utils tool (pdftotext, pdftoppm); skip the test where it is not installed."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is missing (Debian: apt-get install poppler-utils)")
    return subprocess.run([path, *args], check=True, **options)  # noqa: S603 - our own arguments


def pdf_text(content: bytes) -> str:
    return poppler(
        "pdftotext", "-layout", "-", "-", input=content, capture_output=True
    ).stdout.decode()


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(
        " | ".join("" if v is None else str(v) for v in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def as_text(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        return pdf_text(content)
    if fmt == "xlsx":
        return xlsx_text(content)
    return content.decode("utf-8-sig")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("identifier", sorted(REPORTS))
def test_every_report_renders_in_every_format_opening_with_the_headline(
    small_city, english, identifier, fmt
):
    text = as_text(fmt, EXPORTERS[fmt].render(run_report(identifier, AUGUST)))
    headline_at = text.index("Covered workers on 31 August 2025")
    assert text.index("Claims paid up to 31 August 2025") > headline_at
    for table in run_report(identifier, AUGUST).tables:
        assert table.title in text[headline_at:], table.title


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sheet_name_is_whole_short_and_unique_in_its_workbook(small_city, language):
    """Excel refuses a sheet name over 31 characters, so a cut title ("Cakupan menurut kelompok seg") was
    what a reader saw; each table declares a short name instead, and its sheet opens with the whole title."""
    for period in (AUGUST.period, parse_period("2025-01..2025-08")):
        for identifier in REPORTS:
            with translation.override(language):
                result = run_report(identifier, ReportParams(period))
                workbook = load_workbook(io.BytesIO(EXPORTERS["xlsx"].render(result)))
                summary = translation.gettext("Summary")
            names = workbook.sheetnames
            assert names == [summary, *(table.sheet for table in result.tables)], identifier
            assert all(len(name) <= 31 for name in names), names
            assert len({name.lower() for name in names}) == len(names), names
            for table, sheet in zip(result.tables, workbook.worksheets[1:], strict=True):
                assert sheet["A1"].value == table.title


def test_a_newly_declared_report_renders_in_every_format(small_city, english):
    def build(context: ReportContext, params: ReportParams) -> list[Table]:
        coverage = context.coverage
        return [
            Table(
                "sex",
                "Covered workers by sex, as declared in a test",
                "By sex",
                (Column("sex", "Sex"), Column("covered", "Workers", COUNT)),
                tuple((key, coverage.count("sex", key)) for key in ("L", "P")),
            )
        ]

    register(ReportDefinition("test-sex", "Sex test", build, dimensions=lambda p: ("sex",)))
    try:
        for fmt, exporter in EXPORTERS.items():
            text = as_text(fmt, exporter.render(run_report("test-sex", AUGUST)))
            assert "Covered workers by sex, as declared in a test" in text, fmt
            assert "Covered workers on 31 August 2025" in text, fmt
    finally:
        del REPORTS["test-sex"]


def test_the_headline_figures_and_their_values(small_city, english):
    result = run_report("coverage", AUGUST)
    headline = result.headline
    assert headline["covered"] == 3
    assert headline["covered_formal"] == 3
    assert headline["ucj_percent"] == Decimal("60.00")  # 3 / 5
    assert headline["employed_percent"] == Decimal("50.00")  # 3 / 6
    assert headline["claims_amount"] == 21_700_000
    assert headline["claims_recipients"] == 1
    figures = {
        f["key"]: f["value"] for f in json.loads(EXPORTERS["json"].render(result))["headline"]
    }
    assert figures["ucj_percent"] == 60.0
    assert figures["claims_amount_formal"] == 21_700_000


@pytest.mark.parametrize("fmt", ["csv", "pdf", "xlsx", "json", "table"])
def test_names_with_an_apostrophe_come_out_right(small_city, fmt):
    text = as_text(fmt, EXPORTERS[fmt].render(run_report("kelurahan-coverage", AUGUST)))
    for name in APOSTROPHE_KELURAHAN:
        assert name in text, (fmt, name)
    assert "&#x27;" not in text and "&apos;" not in text and "\u2019" not in text


def test_the_csv_is_utf8_with_a_bom_and_plain_numbers(small_city, english):
    content = EXPORTERS["csv"].render(run_report("kelurahan-coverage", AUGUST))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    # covered, share, confirmed by BPJS (none: the factories' memberships are "registered here"), its share
    assert ["Pa'batang", "Mamajang", "1", "33.33", "0", ""] in rows
    assert ["UCJ-eligible workforce (estimate 2025)", "5"] in rows


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("identifier", sorted(REPORTS))
def test_no_download_carries_a_nik_or_a_name(small_city, identifier, fmt):
    text = as_text(fmt, EXPORTERS[fmt].render(run_report(identifier, AUGUST)))
    for worker in small_city:
        assert worker.nik not in text
        assert worker.name not in text


def test_text_that_a_spreadsheet_would_run_is_neutralised():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Pa'batang") == "Pa'batang"


def test_xlsx_cells_are_numbers_with_formats_and_text_never_a_formula(small_city, reference_data):
    from programs.models import Segment

    Segment.objects.filter(code="RENTAN").update(name="=cmd|' /C calc'!A0")
    content = EXPORTERS["xlsx"].render(run_report("coverage-by-segment", AUGUST))
    sheet = load_workbook(io.BytesIO(content)).worksheets[1]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert cells["=cmd|' /C calc'!A0"].data_type == "s"
    covered = next(c for c in sheet["D"] if c.value == 3)
    assert covered.number_format == "#,##0"


def test_the_command_writes_each_format(small_city, tmp_path, english):
    out = io.StringIO()
    call_command("coverage_report", period="2025-08", by="segment,kecamatan", stdout=out)
    assert "Covered workers on 31 August 2025" in out.getvalue()
    assert "Districts ranked by UCJ coverage" in out.getvalue()
    assert "Coverage by sex" not in out.getvalue()  # only the breakdowns asked for
    for fmt in ("xlsx", "pdf", "csv", "json"):
        target = tmp_path / f"report.{fmt}"
        call_command("coverage_report", period="2025-Q3", format=fmt, output=str(target))
        assert target.stat().st_size > 0


def test_the_command_gives_the_month_trend_for_a_range(small_city, english):
    out = io.StringIO()
    call_command("coverage_report", period="2025-06..2025-08", format="json", stdout=out)
    trend = next(t for t in json.loads(out.getvalue())["tables"] if t["key"] == "trend")
    assert [(row[0], row[1]) for row in trend["rows"]] == [
        ("2025-06", 3),
        ("2025-07", 3),
        ("2025-08", 3),
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"period": "2025-13"},
        {"period": "2025-08", "by": "shoe_size"},
        {"period": "2025-08", "format": "pdf"},  # a binary format needs --output
        {"period": "2025-08", "kecamatan": "Atlantis"},
    ],
)
def test_the_command_refuses_what_it_cannot_do(reference_data, options):
    with pytest.raises(CommandError):
        call_command("coverage_report", **options)
