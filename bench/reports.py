"""Report timings at full published scale (``seed_demo --scale 1``), printed as a Markdown table.

    createdb -h 127.0.0.1 -U postgres berjasa_reports_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_reports_bench
    DEBUG=true .venv/bin/python manage.py migrate && DEBUG=true .venv/bin/python manage.py seed_reference
    DEBUG=true .venv/bin/python manage.py seed_demo --scale 1
    .venv/bin/python bench/reports.py

Each case runs once to warm up, then ``RUNS`` times; the table gives the median and the maximum, the number of
SQL statements of one run, and the targets of the reports issue (a median over its target is marked). DEBUG is
off, as in production.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="berjasa-bench-media-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berjasa.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from berjasa.accounts import ensure_user_with_role  # noqa: E402
from berjasa.roles import Role  # noqa: E402
from enrollment.models import Claim, Employer, Membership, Worker  # noqa: E402
from reports import charts  # noqa: E402
from reports.periods import parse_period  # noqa: E402
from reports.registry import ReportParams, run_report  # noqa: E402
from reports.snapshots import generate_snapshot  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import signed_in_client  # noqa: E402  (the manager signs in with both factors)

RUNS = 5
AUGUST = parse_period("2025-08")
TREND = parse_period("2023-01..2025-10")


def _proc_field(path: str, name: str) -> str:
    lines = Path(path).read_text().splitlines()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name)), "")


def machine() -> dict[str, str]:
    cpu = _proc_field("/proc/cpuinfo", "model name") or platform.processor()
    memory_kb = int(_proc_field("/proc/meminfo", "MemTotal").split()[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "date": timezone.localdate().isoformat(),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.0f} GiB",
        "database": f"{connection.vendor} {server}",
        "python": platform.python_version(),
    }


def measure(case) -> tuple[float, float, int]:
    """(median seconds, max seconds, SQL statements of one run) over RUNS runs after a warm-up."""
    case()
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            case()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), max(timings), len(queries)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    counts = {
        "workers": Worker.objects.count(),
        "memberships": Membership.objects.count(),
        "claims": Claim.objects.count(),
        "employers": Employer.objects.count(),
    }
    if counts["workers"] < 100_000:
        sys.exit(
            f"Expected the full-scale demo data (seed_demo --scale 1); found {counts['workers']:,} workers."
        )

    manager = ensure_user_with_role(
        "bench_manager", Role.MANAGER, password="bench-manager-password-1"
    )
    client = signed_in_client(manager)

    def dashboard():
        response = client.get("/reports/?period_type=month&year=2025&month=8")
        assert response.status_code == 200, response.status_code

    def dashboard_drawn():
        charts.clear_cache()  # as on the first view of these figures
        dashboard()

    def snapshot():
        charts.clear_cache()
        # Measured in full, then rolled back, so that every run makes the same version.
        with transaction.atomic():
            generate_snapshot(AUGUST, new_version=True)
            transaction.set_rollback(True)

    cases = [
        (
            "August 2025 report, all breakdowns, flows and claims",
            lambda: run_report("coverage", ReportParams(AUGUST)),
            1.0,
        ),
        (
            "34-month trend, Jan 2023 – Oct 2025 (with the headline)",
            lambda: run_report("coverage-trend", ReportParams(TREND)),
            2.0,
        ),
        ("Dashboard page, August 2025 (HTTP GET, 4 charts drawn)", dashboard_drawn, 1.5),
        ("Dashboard page again, same figures (charts from the cache)", dashboard, 1.5),
        ("Snapshot of August 2025 with PDF, XLSX and CSV", snapshot, 10.0),
    ]
    covered = run_report("coverage-trend", ReportParams(AUGUST)).headline["covered"]

    details = machine()
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Reports benchmark, {details['date']}: {details['cpu']}, {details['memory']} RAM, "
        f"{details['database']}, Python {details['python']}; load average before the runs {load}."
    )
    print(
        f"Data: {counts['workers']:,} workers, {counts['memberships']:,} memberships, "
        f"{counts['claims']:,} claims, {counts['employers']:,} employers; {covered:,} covered on 2025-08-31.\n"
    )
    print("| case | median (s) | max (s) | SQL statements | target (s) |")
    print("|---|---:|---:|---:|---:|")
    for label, case, target in cases:
        median, worst, statements = measure(case)
        verdict = "" if median < target else " **(over)**"
        print(f"| {label} | {median:.3f} | {worst:.3f} | {statements} | < {target:g}{verdict} |")


if __name__ == "__main__":
    # No collectstatic here: the page links its stylesheets by their plain names.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        main()
