"""Processes for the fault tests (``tests/test_import_faults.py``), run as ``python -m tests.fault_harness``.

Each run is a process of its own against the database of ``DATABASE_URL`` (one the test created), as the app
server, the worker and an operator's command are in production. Actions, run in order, each printing one JSON
line:

- ``setup``: migrate, load the reference data, create an employer and its user.
- ``roster FIRST ROWS``: write a roster CSV of ``ROWS`` new workers (NIKs numbered from ``FIRST``); its path.
- ``upload FILE``: stage the file as a roster upload and start its check (background or inline, by size).
- ``worker``: run the real ``db_worker`` command. With ``FAULT_PAUSE_AT=check`` (or ``write``) in the
  environment, the step stops in the middle (the check after reading every row; the import after writing every
  row, its transaction still open), touches ``FAULT_FLAG`` and sleeps until the test kills the process.
  Without it, the worker runs what is queued and exits (``--batch``).
- ``inline-check ID``: check the batch as a web request does (within ``IMPORT_INLINE_SECONDS``); pausable too.
- ``recover``, ``recheck ID``, ``confirm ID``: ``manage.py recover_imports``, and the page's buttons' calls.
- ``state ID``: the batch's status, attempts and interruptions, and the rows of the register.
"""

import csv
import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berjasa.settings")
django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from berjasa.roles import Role  # noqa: E402
from enrollment.imports import batches, tasks  # noqa: E402
from enrollment.imports.roster import RosterImport  # noqa: E402
from enrollment.models import Employer, ImportBatch  # noqa: E402
from enrollment.roster_file import ROSTER_HEADER  # noqa: E402
from programs.reference import load_reference_data  # noqa: E402
from tests import factories  # noqa: E402

NPP = "10000001"
USERNAME = "employer_dewi"
# The register's tables an import writes, with their history.
COUNTED = (
    "enrollment_worker",
    "enrollment_employment",
    "enrollment_membership",
    "enrollment_historicalworker",
    "enrollment_historicalemployment",
    "enrollment_historicalmembership",
)
LAST = {}  # the last roster written


def pause_where_asked() -> None:
    """Stop the step at ``FAULT_PAUSE_AT`` until killed: patched into the importer's own methods."""
    where = os.environ.get("FAULT_PAUSE_AT")

    def pause():
        Path(os.environ["FAULT_FLAG"]).touch()
        time.sleep(600)

    if where == "check":
        plan_work = RosterImport.plan_work

        def plan_then_pause(self, lines):
            pause()
            return plan_work(self, lines)

        RosterImport.plan_work = plan_then_pause
    elif where == "write":
        write = RosterImport.write

        def write_then_pause(self, work, writer):
            write(self, work, writer)
            pause()

        RosterImport.write = write_then_pause


def setup() -> None:
    call_command("migrate", verbosity=0)
    load_reference_data()
    employer = factories.make_employer(npp=NPP, name="PT Angin Mamiri")
    user = User.objects.create_user(username=USERNAME, password="rahasia-yang-panjang-1")
    user.groups.add(Group.objects.get(name=Role.EMPLOYER.value))
    factories.link_employer_user(user, employer)


def roster(first: str, rows: str) -> str:
    """A roster CSV of ``rows`` new workers, their NIKs numbered from ``first``."""
    path = Path(os.environ["MEDIA_ROOT"]) / f"roster-{first}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER[:-1])
        for number in range(int(first), int(first) + int(rows)):
            nik = f"737105120390{number:04d}"  # born 12-03-1990, male (make_nik's layout)
            writer.writerow(
                [nik, f"Pekerja {number}", "", "1990-03-12", "L", "081234567890", "Jl. Somba Opu 1"]
                + ["73.71.01.1001", "Kasir", "tidak", "2025-01-01", "4000000"]
            )
    LAST["roster"] = str(path)
    return str(path)


def upload(path: str) -> int:
    """``path`` "-": the last ``roster`` written."""
    path = LAST["roster"] if path == "-" else path
    with open(path, "rb") as handle:
        batch = batches.stage_upload(
            File(handle, name=Path(path).name),
            source=ImportBatch.Source.ROSTER,
            acting_user=User.objects.get(username=USERNAME),
            employer=Employer.objects.get(npp=NPP),
        )
    tasks.start_check(batch)
    return batch.pk


def worker() -> None:
    pause_where_asked()
    arguments = ["--no-reload", "--no-startup-delay", "--interval", "0.1", "--verbosity", "0"]
    if not os.environ.get("FAULT_PAUSE_AT"):
        arguments.append("--batch")
    call_command("db_worker", *arguments)


def inline_check(batch_id: str) -> None:
    pause_where_asked()
    tasks.start_check(ImportBatch.objects.get(pk=batch_id))


def recheck(batch_id: str) -> bool:
    return tasks.start_recheck(ImportBatch.objects.get(pk=batch_id))


def confirm(batch_id: str) -> dict:
    """Confirm as the page does; how long the request's part took (it hands over within its budget)."""
    started = time.monotonic()
    batch = ImportBatch.objects.get(pk=batch_id)
    confirmed = batches.confirm_batch(batch)
    if confirmed:
        tasks.start_run(batch)
    return {"confirmed": confirmed, "seconds": round(time.monotonic() - started, 2)}


def state(batch_id: str) -> dict:
    """``batch_id`` "-": the last batch."""
    batch = (
        ImportBatch.objects.latest("pk")
        if batch_id == "-"
        else ImportBatch.objects.get(pk=batch_id)
    )
    with connection.cursor() as cursor:
        rows = {}
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            rows[table] = cursor.fetchone()[0]
    return {
        "status": batch.status,
        "attempts": batch.attempts,
        "reasons": [record["reason"] for record in batch.interruptions],
        "steps": [record["step"] for record in batch.interruptions],
        "count_new": batch.count_new,
        "rows": rows,
    }


ACTIONS = {
    "setup": setup,
    "roster": roster,
    "upload": upload,
    "worker": worker,
    "inline-check": inline_check,
    "recover": lambda: call_command("recover_imports"),
    "recheck": recheck,
    "confirm": confirm,
    "state": state,
}


def main(arguments: list[str]) -> None:
    while arguments:
        action = ACTIONS[arguments.pop(0)]
        takes = action.__code__.co_argcount
        values, arguments = arguments[:takes], arguments[takes:]
        print(json.dumps({"result": action(*values)}, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
