"""The coverage ledger beside the direct count from the memberships, on PostgreSQL, printed as Markdown.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_ledger_bench .venv/bin/python bench/ledger.py \\
        [--rebuild] [--import-rows 50000] [--import-runs 3] [--runs 7] [--direct-runs 7]

The database holds ``seed_demo --scale 1`` (or 10), analysed (``VACUUM ANALYZE``), with the ledger built
(``coverage_ledger rebuild``). Every case runs once to warm up, then ``RUNS`` times, first as the reports read it
(the ledger), then with the ledger switched off for the process (every figure counted from the memberships and
claims, as before the ledger), in the same run. The dashboard's charts are drawn once per set of figures and
kept (``reports.charts``): the page is timed as most views find it, charts from the cache, and as the first
view does, drawn anew (matplotlib, the same with or without the ledger). ``--rebuild`` times a rebuild from the memberships; ``--import-rows`` times
the import of a new roster of that many rows (``bench/imports.py``'s file and scenario, each in its own process)
with the ledger kept and without it (its triggers dropped, then put back), in turn, which goes first alternating
from round to round; each import is removed again, so the database ends as it began.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PLAIN_STATIC, machine, signed_in_client  # noqa: E402  (sets Django up)
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from berjasa.accounts import ensure_user_with_role  # noqa: E402
from berjasa.roles import Role  # noqa: E402
from enrollment.models import Membership, Worker  # noqa: E402
from reports import charts  # noqa: E402
from reports.ledger import posting, triggers  # noqa: E402
from reports.ledger.comparison import coverage_figures  # noqa: E402
from reports.models import (  # noqa: E402
    CoverageBalance,
    CoverageChange,
    CoverageLedgerState,
    CoverageSpan,
)
from reports.periods import parse_period  # noqa: E402
from reports.queries import CITY, DIMENSIONS, coverage_on, coverage_trend  # noqa: E402
from reports.registry import ReportParams, run_report  # noqa: E402

RUNS = 7
AUGUST = parse_period("2025-08")
TREND = parse_period("2023-01..2025-10")
DASHBOARD = "/reports/?period_type=month&year=2025&month=8"


def measure(case, runs: int = RUNS) -> tuple[float, float, int]:
    """(median ms, max ms, SQL statements of one run) over ``runs`` runs after a warm-up."""
    case()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            case()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), len(queries)


def direct():
    """The reports with the ledger switched off: every figure counted from the memberships."""
    return mock.patch("reports.ledger.reading.answers", lambda days: False)


def reads(runs: int, direct_runs: int) -> None:
    client = signed_in_client(
        ensure_user_with_role("bench_manager", Role.MANAGER, password="bench-manager-password-1")
    )
    august_end = AUGUST.end
    trend_days = list(TREND.month_ends())

    def dashboard():
        response = client.get(DASHBOARD)
        assert response.status_code == 200, response.status_code

    def dashboard_drawn():
        charts.clear_cache()  # the charts drawn anew, as on the first view of these figures
        dashboard()

    cases = [
        (
            "Coverage on 31/08/2025, every breakdown (coverage_on)",
            lambda: coverage_on(august_end, CITY, DIMENSIONS),
            100,
        ),
        (
            "34 month ends, Jan 2023 – Oct 2025 (coverage_trend)",
            lambda: coverage_trend(trend_days),
            100,
        ),
        (
            "August 2025 report, every breakdown, with flows and claims (run_report)",
            lambda: run_report("coverage", ReportParams(AUGUST)),
            None,
        ),
        (
            "34-month trend report with the headline (run_report)",
            lambda: run_report("coverage-trend", ReportParams(TREND)),
            None,
        ),
        ("Dashboard page, August 2025 (HTTP GET, charts from the cache)", dashboard, 300),
        ("Dashboard page, August 2025 (HTTP GET, charts drawn anew)", dashboard_drawn, None),
    ]
    print(
        "| case | ledger median (ms) | ledger max (ms) | statements | from the memberships, median (ms) | max (ms) | faster | target (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")  # fmt: skip
    for label, case, target in cases:
        ledger = measure(case, runs)
        with direct():
            counted = measure(case, direct_runs)
        verdict = "" if target is None or ledger[0] < target else " **(over)**"
        print(
            f"| {label} | {ledger[0]:.1f} | {ledger[1]:.1f} | {ledger[2]} | {counted[0]:.1f} | {counted[1]:.1f} "
            f"| {counted[0] / ledger[0]:.0f}× | {f'< {target}' if target else '—'}{verdict} |"
        )
    same = coverage_on(august_end, CITY, DIMENSIONS)
    with direct():
        counted = coverage_on(august_end, CITY, DIMENSIONS)
    assert coverage_figures(same) == coverage_figures(counted), "the ledger differs!"
    print(
        f"\nBoth ways count {same.total:,} covered workers on 31/08/2025 and agree on every breakdown."
    )


def rebuild() -> None:
    started = time.perf_counter()
    with transaction.atomic():
        rebuilt = posting.rebuild()
    seconds = time.perf_counter() - started
    print(
        f"Rebuild from the memberships: {seconds:.1f} s ({rebuilt.spans:,} spans, {rebuilt.changes:,} changes, "
        f"{rebuilt.balances:,} balances); differing from the ledger before: {len(rebuilt.differing_changes)} "
        f"changes, {len(rebuilt.differing_balances)} balances."
    )


def imports(rows: int, rounds: int) -> None:
    from imports import child, cleanup, roster_csv  # noqa: PLC0415 - bench/imports.py, only for this part

    path = roster_csv(Path(tempfile.mkdtemp()) / "bench-ledger-roster.csv", rows)
    state = CoverageLedgerState.objects.get()
    runs: dict[str, list[float]] = {"with the ledger": [], "without the ledger": []}
    for round_number in range(rounds):
        # Each round alternates which goes first: a database without autovacuum slows down as imports come and go.
        for kept in (True, False) if round_number % 2 == 0 else (False, True):
            if not kept:
                triggers.uninstall(connection)
                CoverageLedgerState.objects.filter(pk=state.pk).update(built_at=None)
            # Each import starts with the same write-ahead log behind it.
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")
            try:
                result = child("import", str(path), "ROSTER")
                cleanup()
            finally:
                if not kept:
                    triggers.install(connection)
                    CoverageLedgerState.objects.filter(pk=state.pk).update(built_at=state.built_at)
            runs["with the ledger" if kept else "without the ledger"].append(result["run"])
    print(
        f"\n| {rows:,}-row new roster, import after confirm | "
        + " | ".join(f"run {n + 1} (s)" for n in range(rounds))
        + " | median (s) |"
    )
    print("|---|" + "---:|" * (rounds + 1))
    for label, seconds in runs.items():
        print(
            f"| {label} | "
            + " | ".join(f"{value:.2f}" for value in seconds)
            + f" | {statistics.median(seconds):.2f} |"
        )
    kept, without = (statistics.median(runs[k]) for k in runs)
    print(
        f"\nThe ledger's share: {kept - without:+.2f} s, {100 * (kept - without) / without:+.1f} %."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--import-rows", type=int, default=0)
    parser.add_argument(
        "--import-runs", type=int, default=3, help="imports with and without the ledger, in turn"
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument(
        "--direct-runs", type=int, help="runs counted from the memberships (default: --runs)"
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    print("Coverage ledger benchmark: " + "; ".join(f"{k} {v}" for k, v in machine().items()) + ".")
    print(
        f"Data: {Worker.objects.count():,} workers, {Membership.objects.count():,} memberships; ledger: "
        f"{CoverageSpan.objects.count():,} spans, {CoverageChange.objects.count():,} changes, "
        f"{CoverageBalance.objects.count():,} month-end balances.\n"
    )
    if options.rebuild:
        rebuild()
    if not CoverageLedgerState.objects.filter(built_at__isnull=False).exists():
        sys.exit("The ledger is not built: run 'coverage_ledger rebuild' (or --rebuild).")
    with PLAIN_STATIC:
        reads(options.runs, options.direct_runs or options.runs)
    if options.import_rows:
        imports(options.import_rows, options.import_runs)


if __name__ == "__main__":
    main()
