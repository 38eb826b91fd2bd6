"""Period snapshots: stored once, never rewritten; a new version only when asked for, the old one kept."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from reports.models import ReportSnapshot
from reports.periods import parse_period, previous_month
from reports.snapshots import generate_snapshot
from tests import factories


@pytest.fixture
def covered_worker(reference_data):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK")
    factories.make_membership(worker, "JKM")
    return worker


def stored_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_it_stores_the_figures_and_the_three_files(covered_worker):
    outcome = generate_snapshot(parse_period("2025-08"))
    snapshot = outcome.snapshot
    assert outcome.created
    assert (snapshot.report, snapshot.period, snapshot.version) == ("coverage", "2025-08", 1)
    headline = {f["key"]: f["value"] for f in snapshot.figures["headline"]}
    assert headline["covered"] == 1
    assert stored_bytes(snapshot.pdf_file).startswith(b"%PDF")
    assert stored_bytes(snapshot.xlsx_file).startswith(b"PK")  # a zip
    assert stored_bytes(snapshot.csv_file).startswith(b"\xef\xbb\xbfMakassar Berjasa")
    assert snapshot.pdf_file.name == "reports/2025-08/v1/coverage-2025-08-v1.pdf"


def test_running_again_leaves_the_stored_snapshot_as_it_is(covered_worker):
    first = generate_snapshot(parse_period("2025-08")).snapshot
    before = (first.figures, stored_bytes(first.pdf_file), first.created_at)
    factories.make_membership(factories.make_worker(), "JKK")  # the data moves on

    again = generate_snapshot(parse_period("2025-08"))
    assert not again.created
    assert again.snapshot.pk == first.pk
    first.refresh_from_db()
    assert (first.figures, stored_bytes(first.pdf_file), first.created_at) == before
    assert ReportSnapshot.objects.count() == 1


def test_a_new_version_is_added_and_the_old_one_kept(covered_worker):
    first = generate_snapshot(parse_period("2025-08")).snapshot
    old_pdf = stored_bytes(first.pdf_file)
    second_worker = factories.make_worker()
    factories.make_membership(second_worker, "JKK")
    factories.make_membership(second_worker, "JKM")

    second = generate_snapshot(parse_period("2025-08"), new_version=True).snapshot
    assert second.version == 2
    assert {f["key"]: f["value"] for f in second.figures["headline"]}["covered"] == 2
    first.refresh_from_db()
    assert {f["key"]: f["value"] for f in first.figures["headline"]}["covered"] == 1
    assert stored_bytes(first.pdf_file) == old_pdf
    assert second.pdf_file.name != first.pdf_file.name
    # Without --new-version the latest version is the answer.
    assert generate_snapshot(parse_period("2025-08")).snapshot.pk == second.pk


def test_the_command_for_a_period_and_for_the_previous_month(covered_worker):
    out = io.StringIO()
    call_command("generate_period_reports", period="2025-Q3", stdout=out)
    assert "Cakupan dan klaim, Triwulan III 2025 (versi 1)" in out.getvalue()
    call_command("generate_period_reports", period="2025-Q3", stdout=out)
    assert "left as it is" in out.getvalue()
    call_command("generate_period_reports", period="2025-Q3", new_version=True, stdout=out)
    assert list(ReportSnapshot.objects.values_list("period", "version")) == [
        ("2025-Q3", 2),
        ("2025-Q3", 1),
    ]

    call_command("generate_period_reports", previous_month=True, stdout=out)
    expected = previous_month(timezone.localdate()).key
    assert ReportSnapshot.objects.filter(period=expected, version=1).exists()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"period": "2025-01..2025-03"},
        {"period": "August"},
        {"period": "2025-08", "previous_month": True},
    ],
)
def test_the_command_refuses_ranges_and_nonsense(reference_data, options):
    with pytest.raises(CommandError):
        call_command("generate_period_reports", **options)


def test_previous_month_crosses_the_year():
    assert previous_month(date(2026, 1, 15)).key == "2025-12"
    assert previous_month(date(2025, 9, 1)).key == "2025-08"
