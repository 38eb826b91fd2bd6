"""The registration hand-over at full scale: the DTSEN list imported (when no DTSEN batch is there), its
registration file produced, BPJS's response (1 person in 40 rejected, as the demo's) checked for its preview,
imported, and checked again (every row unchanged). Writes to the database: run it on a copy.

    DATABASE_URL=…/berjasa_bench .venv/bin/python bench/bpjs_handover.py --dtsen seeds/generated/dtsen_candidates_scale1_seed42.csv
"""

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import machine  # noqa: F401 - sets Django up first
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files import File  # noqa: E402

from berjasa.audit import Channel  # noqa: E402
from bpjs.demo import write_demo_response  # noqa: E402
from bpjs.services.handover import create_registration_file  # noqa: E402
from enrollment.imports import batches  # noqa: E402
from enrollment.models import ImportBatch  # noqa: E402

Source = ImportBatch.Source


def timed(label: str, step, rows: list):
    started = time.perf_counter()
    result = step()
    rows.append((label, time.perf_counter() - started))
    return result


def stage(path: Path, source: str, user, **options) -> ImportBatch:
    with path.open("rb") as handle:
        return batches.stage_upload(
            File(handle, name=path.name),
            source=source,
            acting_user=user,
            options=batches.UploadOptions(**options),
        )


def check(batch: ImportBatch) -> ImportBatch:
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def run(batch: ImportBatch) -> ImportBatch:
    assert batches.confirm_batch(batch)
    batches.run_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtsen", type=Path, required=True)
    arguments = parser.parse_args()
    user, _created = get_user_model().objects.get_or_create(username="bench_operator")
    rows: list[tuple[str, float]] = []
    dtsen = ImportBatch.objects.filter(source=Source.DTSEN, status="IMPORTED").first()
    if dtsen is None:
        dtsen = stage(arguments.dtsen, Source.DTSEN, user, start_date=date(2025, 9, 1))
        timed("DTSEN list: check", lambda: check(dtsen), rows)
        timed("DTSEN list: import", lambda: run(dtsen), rows)
    registration = timed(
        "registration file (CSV + XLSX, memberships marked)",
        lambda: create_registration_file(
            acting_user=user, import_batch=dtsen, channel=Channel.COMMAND
        ),
        rows,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "jawaban.csv"
        write_demo_response(path, registration)
        answer = stage(path, Source.BPJS_RESPONSE, user,
                       source_options={"registration_file": registration.pk})  # fmt: skip
        answer = timed("response: check (preview)", lambda: check(answer), rows)
        answer = timed("response: import", lambda: run(answer), rows)
        again = stage(
            path, Source.BPJS_RESPONSE, user, source_options={"registration_file": registration.pk}
        )
        again = timed("the same response again: check", lambda: check(again), rows)
    print(f"{registration.reference}: {registration.person_count} persons, "
          f"{registration.membership_count} memberships; response {answer.summary['outcomes']}, "
          f"errors {answer.count_errors}; again: unchanged {again.count_unchanged}, "
          f"updated {again.count_updated}")  # fmt: skip
    print("| step | seconds |\n|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} |")
    print(machine())


if __name__ == "__main__":
    main()
