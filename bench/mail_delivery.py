"""Deliver 6,190 queued mails through a real SMTP server, taken down for part of the run: none lost, none twice.

    createdb -h 127.0.0.1 -U postgres berjasa_mail_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_mail_bench
    DEBUG=true .venv/bin/python manage.py migrate && DEBUG=true .venv/bin/python manage.py seed_reference
    .venv/bin/python bench/mail_delivery.py [--mails 6190] [--outage-after 2000] [--outage-seconds 20]
        [--workers 1] [--batch-size 500]

The script starts the test suite's SMTP server (``tests/smtp_server.py``) on a free port, then ``--workers``
background workers (``manage.py db_worker``, as in production) pointed at it, with a short back-off
(``MAIL_RETRY_BASE_SECONDS=1``, at most 4 s). It queues the mails in one transaction (``queue_mails``: one
``deliver_mail`` job asked for at the commit), and the jobs do the rest: batches, the server going down after
``--outage-after`` mails for ``--outage-seconds``, retries, the jobs enqueued again with ``run_after``. At the end
it checks what arrived: as many distinct Message-IDs as mails, none twice, each the Message-ID of one of the
mails, and every outbox row SENT; it prints the times and the throughput (exit 1 when a check fails).

The mails are of kind ``import_finished`` (a simple notice with no query at sending), without an employer, and
deleted before and after the run. ``run`` takes any function that queues mails and returns their ids: the same
loop serves the invitations' benchmark.
"""

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp_server import SMTPTestServer  # noqa: E402  (no Django in it)

SERVER = SMTPTestServer()
# The settings the workers and this process share: SMTP to the test server, a short back-off, enough attempts
# to outlast the outage.
SETTINGS = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": SERVER.host,
    "EMAIL_PORT": str(SERVER.port),
    "EMAIL_TIMEOUT": "5",
    "MAIL_RETRY_BASE_SECONDS": "1",
    "MAIL_RETRY_MAX_SECONDS": "4",
    "MAIL_MAX_ATTEMPTS": "100",
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SETTINGS)
sys.path.insert(0, str(ROOT / "bench"))

from common import machine  # noqa: E402  (sets Django up)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from mailing.models import OutgoingMail  # noqa: E402
from mailing.notices import IMPORT_FINISHED  # noqa: E402
from mailing.services import Draft, queue_mails  # noqa: E402

BENCH_DOMAIN = "bench-mail.test"
JOB = "mailing.delivery.deliver_mail"


def queue_notices(count: int) -> Callable[[], list[int]]:
    def queue() -> list[int]:
        drafts = [
            Draft(
                IMPORT_FINISHED,
                f"pengunggah{i:05d}@{BENCH_DOMAIN}",
                {
                    "batch_id": 1_000_000 + i,
                    "file_name": f"daftar_{i:05d}.csv",
                    "outcome": "IMPORTED",
                    "staff": False,
                    "rows": 120,
                    "new": 118,
                    "errors": 2,
                },
            )
            for i in range(count)
        ]
        return [mail.pk for mail in queue_mails(drafts)]

    return queue


def start_workers(count: int, batch_size: int) -> list[subprocess.Popen]:
    env = {**os.environ, "MAIL_BATCH_SIZE": str(batch_size)}
    return [
        subprocess.Popen(  # noqa: S603 - this interpreter and manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--worker-id",
                f"bench-mail-{n}",
            ],
            cwd=ROOT,
            env=env,
        )
        for n in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()


def clean() -> None:
    OutgoingMail.objects.filter(recipient__endswith=f"@{BENCH_DOMAIN}").delete()
    DBTaskResult.objects.filter(task_path=JOB).delete()


def run(
    queue: Callable[[], list[int]],
    *,
    server: SMTPTestServer,
    workers: int = 1,
    batch_size: int = 500,
    outage_after: int | None = 2000,
    outage_seconds: float = 20,
    timeout: float = 900,
) -> dict:
    """Queue mails with ``queue`` (committed: it asks for delivery), let ``workers`` background workers send
    them through ``server`` (down after ``outage_after`` arrivals for ``outage_seconds``), and check what
    arrived against the outbox. The figures and the checks, as a dict."""
    server.clear()
    if outage_after:
        server.stop_after(outage_after, outage_seconds)
    processes = start_workers(workers, batch_size)
    try:
        started = time.monotonic()
        ids = queue()
        queued_in = time.monotonic() - started
        mails = OutgoingMail.objects.filter(pk__in=ids)
        expected = {f"<outbox-{pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}>" for pk in ids}
        while time.monotonic() - started < timeout:
            if not mails.filter(status__in=["QUEUED", "RETRYING"]).exists():
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        stop_workers(processes)
    server.outage_over.wait(outage_seconds + 5)
    arrived = server.message_ids()
    counts = Counter(arrived)
    statuses = Counter(mails.values_list("status", flat=True))
    attempts = Counter(mails.values_list("attempts", flat=True))
    jobs = Counter(DBTaskResult.objects.filter(task_path=JOB).values_list("status", flat=True))
    checks = {
        "every mail arrived": set(counts) >= expected,
        "none twice": all(n == 1 for n in counts.values()),
        "nothing else arrived": set(counts) <= expected,
        "every outbox row SENT": statuses == Counter({"SENT": len(ids)}),
    }
    return {
        "mails": len(ids),
        "arrived": len(arrived),
        "distinct": len(counts),
        "repeated": sum(n - 1 for n in counts.values()),
        "statuses": dict(statuses),
        "attempts": dict(sorted(attempts.items())),
        "jobs": dict(jobs),
        "queued_s": queued_in,
        "elapsed_s": elapsed,
        "outage_s": outage_seconds if outage_after and server.outages else 0,
        "outages": server.outages,
        "checks": checks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mails", type=int, default=6190)
    parser.add_argument("--outage-after", type=int, default=2000)
    parser.add_argument("--outage-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL (DATABASE_URL).", file=sys.stderr)
    SERVER.start()
    clean()
    try:
        result = run(
            queue_notices(args.mails),
            server=SERVER,
            workers=args.workers,
            batch_size=args.batch_size,
            outage_after=args.outage_after,
            outage_seconds=args.outage_seconds,
        )
    finally:
        SERVER.stop()
        clean()
    return report(
        f"Mail delivery: {result['mails']:,} mails, {args.workers} worker(s), batches of "
        f"{args.batch_size}",
        result,
        outage_after=args.outage_after,
        first_rows=[("queued (one transaction)", f"{result['queued_s']:.2f} s")],
    )


def report(
    title: str,
    result: dict,
    *,
    outage_after: int,
    first_rows: list[tuple[str, str]] = (),
    more_rows: list[tuple[str, str]] = (),
) -> int:
    """Print ``run``'s figures and checks as Markdown under ``title``; 0 when every check passed, else 1."""
    sending = result["elapsed_s"] - result["outage_s"]
    print(f"# {title}\n")
    for name, value in machine().items():
        print(f"- {name}: {value}")
    print()
    print("| figure | value |\n|---|---|")
    rows = [
        ("database", connection.vendor),
        *first_rows,
        ("queued → all SENT", f"{result['elapsed_s']:.1f} s"),
        (
            "server down",
            f"{result['outage_s']:.0f} s after {outage_after:,} arrivals "
            f"({result['outages']} outage)",
        ),
        ("throughput, whole run", f"{result['mails'] / result['elapsed_s']:.0f} mails/s"),
        ("throughput, server up", f"{result['mails'] / max(sending, 0.001):.0f} mails/s"),
        ("arrived / distinct Message-IDs", f"{result['arrived']:,} / {result['distinct']:,}"),
        ("sent twice", str(result["repeated"])),
        ("outbox rows by status", str(result["statuses"])),
        ("mails by attempts", str(result["attempts"])),
        *more_rows,
        ("deliver_mail jobs", str(result["jobs"])),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    print()
    for name, passed in result["checks"].items():
        print(f"- {'PASS' if passed else 'FAIL'}: {name}")
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
