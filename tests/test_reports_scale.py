"""At seed_demo --scale 1, the engine reproduces every figure of DESIGN.md's table of published figures,
computed from the rows (the expected values are literals from that table, not read from the generator)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from berjasa.formatting import rupiah_short
from reports.periods import parse_period
from reports.registry import ReportParams, run_report

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="full published scale (310,000 workers) runs on PostgreSQL only",
    ),
]


def test_august_2025_reproduces_the_published_figures(db, tmp_path):
    call_command("seed_reference", verbosity=0)
    call_command("seed_demo", scale=1, seed=42, dtsen_output=tmp_path / "dtsen.csv", verbosity=0)

    headline = run_report("coverage", ReportParams(parse_period("2025-08"))).headline

    assert headline["covered"] == 263_903
    assert headline["covered_formal"] == 200_481
    assert headline["covered_public_service"] == 27_750
    assert headline["covered_informal"] == 35_672
    # The demo's memberships are all confirmed by BPJS (decision 59): confirmed = registered, no gap.
    assert headline["confirmed"] == 263_903
    assert headline["not_confirmed"] == 0
    assert headline["employers"] == 6_190
    assert headline["employed"] == 507_506
    assert headline["employed_percent"] == Decimal("52.00")  # published as "52 %"
    assert headline["ucj_eligible"] == 415_792
    assert headline["ucj_percent"] == Decimal("63.47")
    assert headline["target_percent"] == Decimal("57.10")
    assert rupiah_short(headline["claims_amount"]) == "Rp387,4 miliar"
    assert headline["claims_recipients"] == 31_373
    assert rupiah_short(headline["claims_amount_public_service"]) == "Rp21,7 miliar"
    assert headline["claims_recipients_public_service"] == 2_369
    assert rupiah_short(headline["claims_amount_informal"]) == "Rp5,97 miliar"
