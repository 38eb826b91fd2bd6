from datetime import date

import pytest
from django.utils import translation

from berjasa.formatting import number, percent
from reports.formatting import cell
from reports.periods import PeriodError, PeriodKind, parse_period


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2025-08", PeriodKind.MONTH, date(2025, 8, 1), date(2025, 8, 31)),
        ("2024-02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-02", PeriodKind.MONTH, date(2025, 2, 1), date(2025, 2, 28)),
        ("2025-Q3", PeriodKind.QUARTER, date(2025, 7, 1), date(2025, 9, 30)),
        ("2025-q1", PeriodKind.QUARTER, date(2025, 1, 1), date(2025, 3, 31)),
        ("2025", PeriodKind.YEAR, date(2025, 1, 1), date(2025, 12, 31)),
        ("2023-01..2025-10", PeriodKind.RANGE, date(2023, 1, 1), date(2025, 10, 31)),
    ],
)
def test_it_reads_months_quarters_years_and_ranges(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_a_range_lists_its_month_ends():
    ends = parse_period("2023-01..2025-10").month_ends()
    assert len(ends) == 34
    assert ends[13] == date(2024, 2, 29)
    assert parse_period("2025-08").trailing_months(12).key == "2024-09..2025-08"


@pytest.mark.parametrize(
    "text",
    ["2025-13", "2025-00", "2025-Q5", "25", "2025-10..2025-01", "0000", "1990-01..2025-01", ""],
)
def test_it_refuses_what_is_not_a_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_labels_are_for_people():
    with translation.override("id"):
        assert parse_period("2025-08").label() == "Agustus 2025"
        assert parse_period("2023-01..2025-10").label() == "Januari 2023 – Oktober 2025"
    with translation.override("en"):
        assert parse_period("2025-Q3").label() == "Quarter III 2025"


def test_figures_in_the_indonesian_format():
    assert number(263_903) == "263.903"
    assert percent(63.4699) == "63,47%"  # EYD: no space before the sign
    assert percent(-1.5) == "-1,50%"
    assert cell(387_400_000_000, "rupiah", short_money=True) == "Rp387,4 miliar"
    assert cell(None, "count") == "—"
