"""Time BPJS's monthly statement on PostgreSQL: the preview (every row read and checked, the reconciliation with
the memberships active in the month, the preview and error files written) and applying it (the statement and its
lines stored, the memberships' BPJS state, KPJ numbers, history rows), for a statement of every city-funded
participant and one of every covered worker, each with the demo's discrepancies (``bpjs.demo_statement``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_perf_b \\
        .venv/bin/python bench/bpjs_statement.py [--runs 3] [--month 2025-08]

The database: ``seed_demo --scale 1``, VACUUM ANALYZEd. Each run applies inside a transaction that is rolled
back, so the database ends as it began (the batches' own rows, committed by the preview, are deleted after; the
tables are vacuumed between runs, outside the timings).
Prints a Markdown report.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "berjasa-bench-media"))
# The lease's renewal commits on its own connection; the runs' transactions are rolled back, so none may fall due.
os.environ.setdefault("IMPORT_LEASE_SECONDS", "3600")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402  (sets Django up)
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bpjs.demo_statement import write_statement  # noqa: E402
from bpjs.services.reconciliation import (  # noqa: E402
    Choices,
    Scope,
    advance_paid_through,
    parse_month,
)
from bpjs.services.statements import confirm_statement, stage_statement  # noqa: E402
from enrollment.imports import batches  # noqa: E402
from enrollment.models import ImportBatch  # noqa: E402


class RolledBack(Exception):
    pass


def one_run(content: bytes, month, scope: str) -> tuple[float, float, float, ImportBatch]:
    batch = stage_statement(
        ContentFile(content, name=f"statement-{scope}.csv"),
        month=month,
        scope=scope,
        acting_user=None,
    )
    started = time.perf_counter()
    batches.check_batch(batch.pk)
    preview = time.perf_counter() - started
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED, batch.message
    applied = advanced = None
    try:
        with transaction.atomic():
            assert confirm_statement(batch, Choices())
            started = time.perf_counter()
            batches.run_batch(batch.pk)
            applied = time.perf_counter() - started
            done = ImportBatch.objects.get(pk=batch.pk)
            assert done.status == ImportBatch.Status.IMPORTED, done.message
            started = (
                time.perf_counter()
            )  # the job the commit queues (here: inside the rolled-back transaction)
            advance_paid_through(done.bpjs_statement.pk)
            advanced = time.perf_counter() - started
            raise RolledBack
    except RolledBack:
        pass
    return preview, applied, advanced, batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--month", default="2025-08")
    args = parser.parse_args()
    month = parse_month(args.month)
    facts = machine()
    lines = ["| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in facts.items())]
    lines += [
        "",
        f"Each statement: {args.runs} runs; p50 (median) and max seconds. Preview = check every row and reconcile "
        "(what the upload does before the preview shows); apply = what confirming does, in one transaction "
        "(rolled back after each run); paid-through job = the background job the commit queues "
        "(``advance_paid_through``), timed inside the same transaction.",
        "",
        "| statement | rows | categories | preview p50 s | preview max s | apply p50 s | apply max s "
        "| paid-through job p50 s |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for scope in (Scope.CITY, Scope.ALL):
        output = Path(tempfile.gettempdir()) / f"bench-statement-{scope}.csv"
        with output.open("w", encoding="utf-8", newline="") as handle:
            kinds = write_statement(handle, month, scope)
        content = output.read_bytes()
        previews, applies, advances = [], [], []
        for run in range(args.runs):
            preview, applied, advanced, batch = one_run(content, month, scope)
            previews.append(preview)
            applies.append(applied)
            advances.append(advanced)
            print(
                f"{scope} run {run + 1}: preview {preview:.2f} s, apply {applied:.2f} s, "
                f"paid-through job {advanced:.2f} s, load {os.getloadavg()[0]:.2f}",
                file=sys.stderr,
            )
            categories = batch.summary["facts"]["categories"]
            batch.delete()
            # The rolled-back rows' dead versions, vacuumed as autovacuum would, outside the timings.
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM ANALYZE enrollment_membership, enrollment_worker, bpjs_statementline"
                )
        shown = ", ".join(f"{key} {value:,}" for key, value in sorted(categories.items()))
        lines.append(
            f"| {scope} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k != 'rows')}) "
            f"| {kinds['rows']:,} | {shown} | {statistics.median(previews):.2f} | {max(previews):.2f} "
            f"| {statistics.median(applies):.2f} | {max(applies):.2f} | {statistics.median(advances):.2f} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
