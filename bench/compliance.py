"""The monthly roster confirmation's compliance figures at full published scale, printed as a Markdown table.

    createdb -h 127.0.0.1 -U postgres berjasa_perf_c
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_perf_c
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_reference
    .venv/bin/python manage.py seed_demo --scale 1 --seed 42
    psql -h 127.0.0.1 -U postgres berjasa_perf_c -c 'VACUUM ANALYZE'
    .venv/bin/python bench/compliance.py

The manager's compliance page (the month the page opens on, August 2025 with filters, a later page of the
non-confirmed list), its downloads, the employer's portal page, and ``compliance_report`` (table and JSON), each
timed after a warm-up, ``RUNS`` times; the table gives the median. The target of issue 15: the compliance page
under 1 s on PostgreSQL.
"""

import statistics
import sys
import time
from datetime import date
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PLAIN_STATIC, Page, measure_all, report, signed_in_client  # noqa: E402
from django.core.management import call_command  # noqa: E402

from berjasa.accounts import ensure_user_with_role  # noqa: E402
from berjasa.roles import Role  # noqa: E402
from compliance.figures import employers_on_roster  # noqa: E402
from compliance.models import RosterConfirmation  # noqa: E402
from enrollment.models import Employer  # noqa: E402

RUNS = 7
AUGUST = date(2025, 8, 1)
TARGET_MS = 1_000


def _command_ms(**options) -> float:
    call_command("compliance_report", stdout=StringIO(), **options)  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call_command("compliance_report", stdout=StringIO(), **options)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _cold_charts_ms(client, url: str) -> float:
    """The page as the first request after a change of figures sees it: the charts are drawn, not cached."""
    from reports import charts

    times = []
    with PLAIN_STATIC:
        for _ in range(RUNS):
            charts.clear_cache()
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    manager = ensure_user_with_role(
        "bench_manager_compliance", Role.MANAGER, password="benchmark-only-password-1"
    )
    largest = employers_on_roster(AUGUST).filter(size=Employer.Size.LARGE).order_by("npp").first()
    employer_user = ensure_user_with_role(
        "bench_employer_compliance",
        Role.EMPLOYER,
        password="benchmark-only-password-1",
        employers=[largest],
    )
    pages = [
        Page("compliance page, default month", "/reports/kepatuhan/"),
        Page("compliance page, August 2025", "/reports/kepatuhan/?month=2025-08"),
        Page(
            "compliance page, August 2025, one kecamatan and size",
            "/reports/kepatuhan/?month=2025-08&kecamatan=73.71.11&size=SMALL",
        ),
        Page("compliance page, list page 40", "/reports/kepatuhan/?month=2025-08&page=40"),
        Page("breakdown CSV", "/reports/kepatuhan/breakdown.csv?month=2025-08"),
        Page("breakdown XLSX", "/reports/kepatuhan/breakdown.xlsx?month=2025-08"),
        Page("non-confirmed list CSV", "/reports/kepatuhan/not-confirmed.csv?month=2025-08"),
        Page("non-confirmed list XLSX", "/reports/kepatuhan/not-confirmed.xlsx?month=2025-08"),
    ]
    timings = measure_all(signed_in_client(manager), pages, RUNS)
    timings += measure_all(
        signed_in_client(employer_user),
        [Page(f"portal lapor-bulanan ({largest.size}, {largest.npp})", "/portal/lapor-bulanan/")],
        RUNS,
    )
    cold_ms = _cold_charts_ms(signed_in_client(manager), "/reports/kepatuhan/?month=2025-08")
    table_ms = _command_ms(month="2025-08", format="table")
    json_ms = _command_ms(month="2025-08", format="json")
    over = [t.page.name for t in timings[:4] if t.median_ms > TARGET_MS]
    preface = [
        f"Roster confirmations: {RosterConfirmation.objects.count():,}; employers in the denominator of "
        f"August 2025: {employers_on_roster(AUGUST).count():,}.",
        "",
        f"The page with its two charts drawn anew each time (the charts' cache emptied before each request): "
        f"median {cold_ms:.0f} ms.",
        "",
        "| command | median ms |",
        "|---|---:|",
        f"| compliance_report --month 2025-08 (table) | {table_ms:.0f} |",
        f"| compliance_report --month 2025-08 --format json | {json_ms:.0f} |",
        "",
        f"Target: the compliance page under {TARGET_MS} ms"
        + (f" — OVER: {', '.join(over)}" if over else " — met."),
    ]
    print(report(timings, RUNS, preface))


if __name__ == "__main__":
    main()
