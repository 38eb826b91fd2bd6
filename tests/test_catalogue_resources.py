"""The admin's Import of catalogue rows reads dates as clerks write them: day first, never month first."""

from datetime import date

import pytest
import tablib

from programs.models import ContributionRate
from programs.resources import ContributionRateResource

pytestmark = pytest.mark.usefixtures("reference_data")

HEADERS = ("program", "segment_kind", "risk_class", "percent_of_wage", "worker_percent", "wage_cap")
HEADERS += ("paid_by_government", "valid_from", "legal_basis")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        (
            "01/03/2026",
            date(2026, 3, 1),
        ),  # 1 March: the JP cap changes each March (PP 45/2015 Pasal 29)
        ("05/08/2026", date(2026, 8, 5)),  # a month-first reading would be 8 May
        ("2026-03-01", date(2026, 3, 1)),
    ],
)
def test_a_rate_imported_with_a_day_first_date_starts_on_that_day(written, meant):
    row = ("JP", "PU", "", "3.00", "1.00", "11000000", "false", written, "uji")
    result = ContributionRateResource().import_data(
        tablib.Dataset(row, headers=HEADERS), dry_run=False, raise_errors=True
    )
    assert not result.has_errors()
    assert (
        ContributionRate.objects.filter(program__code="JP", wage_cap=11_000_000).get().valid_from
        == meant
    )
