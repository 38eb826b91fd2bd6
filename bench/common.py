"""What every page benchmark shares: Django set up as in production, timing, the machine, the report.

Import this module first: it configures Django (DEBUG off, a benchmark SECRET_KEY, ``testserver`` allowed).
"""

import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berjasa.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-deployed")
# The client speaks plain HTTP to the app, as the reverse proxy does behind TLS.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ["ALLOWED_HOSTS"] = ",".join(
    [*filter(None, os.environ.get("ALLOWED_HOSTS", "").split(",")), "testserver"]
)

import django  # noqa: E402

django.setup()
# WhiteNoise warns that collectstatic has not run; the benchmarks do not serve static files.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from enrollment.models import Claim, Employer, Employment, Membership, Worker  # noqa: E402

PLAIN_STATIC = override_settings(
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)


@dataclass
class Page:
    name: str
    url: str


@dataclass
class Timing:
    page: Page
    median_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    sql_ms: float  # median time waiting for the database
    cpu_ms: float  # median processor time of this process: what the page costs, however busy the machine


def p95(times: list[float]) -> float:
    """The 95th percentile, interpolated between the measured times (the time itself for one run)."""
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def signed_in_client(user) -> Client:
    """A client signed in as ``user`` with both factors: the session verified by a (benchmark) authenticator."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="benchmark", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Client, page: Page, runs: int) -> Timing:
    """One warm-up request, then ``runs`` timed ones; the page must answer 200."""
    client.get(page.url)
    times, counts, sql, cpu = [], [], [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(page.url)
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{page.url} answered {response.status_code}")
        counts.append(len(queries))
        sql.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    return Timing(
        page,
        statistics.median(times),
        p95(times),
        max(times),
        max(counts),
        statistics.median(sql),
        statistics.median(cpu),
    )


def measure_all(client: Client, pages: Iterable[Page], runs: int) -> list[Timing]:
    timings = []
    with PLAIN_STATIC:
        for page in pages:
            timings.append(measure(client, page, runs))
            timing = timings[-1]
            print(
                f"{timing.p95_ms:8.0f} ms {timing.sql_ms:6.0f} SQL {timing.cpu_ms:6.0f} CPU  {page.name}",
                file=sys.stderr,
            )
    return timings


def _first_line(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith(prefix)), "?"
            )
    except OSError:
        return "?"


def machine() -> dict[str, str]:
    mem_kb = _first_line("/proc/meminfo", "MemTotal").split()[0]
    ram = f"{int(mem_kb) / 1024**2:.1f} GiB" if mem_kb.isdigit() else "?"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            database = f"PostgreSQL {version}, shared_buffers {cursor.fetchone()[0]}"
    else:
        database = f"SQLite {connection.Database.sqlite_version}"
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPU": _first_line("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "RAM": ram,
        # Other work on the machine slows every figure.
        "load average (1, 5, 15 min)": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        "database": database,
        "Python / Django": f"{platform.python_version()} / {django.get_version()}",
    }


def table_sizes() -> dict[str, int]:
    return {
        model._meta.db_table: model.objects.count()
        for model in (Worker, Employer, Employment, Membership, Claim)
    }


def report(timings: list[Timing], runs: int, preface: Iterable[str] = ()) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine().items()]
    lines += ["", "| table | rows |", "|---|---:|"]
    lines += [f"| {table} | {rows:,} |" for table, rows in table_sizes().items()]
    lines += ["", *preface]
    lines += [
        "",
        f"Each page: one warm-up, then {runs} timed requests (Django test client, DEBUG off).",
        "",
        "| page | median ms | p95 ms | max ms | queries | SQL ms | CPU ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {t.page.name} | {t.median_ms:.0f} | {t.p95_ms:.0f} | {t.max_ms:.0f} | {t.queries} "
        f"| {t.sql_ms:.0f} | {t.cpu_ms:.0f} |"
        for t in timings
    ]
    return "\n".join(lines) + "\n"
