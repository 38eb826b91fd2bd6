"""Imports under faults, with real processes: a background worker (``manage.py db_worker``) killed while it
checks or writes, a web request killed while it checks, and a row lock held past the request's budget.

The processes cannot share pytest's in-memory test database, so each database kind gets one the module creates,
migrates and drops: a SQLite file always, and a PostgreSQL database (``<name>_faults`` beside the test run's
own) when the run is on PostgreSQL. The processes run ``tests/fault_harness.py``; a killed step is paused at a
known point by the harness (``FAULT_PAUSE_AT``), then killed with SIGKILL. The lease is 2 seconds here
(``IMPORT_LEASE_SECONDS``), so recovery takes seconds.

Expected rows: a roster row of a new worker writes one worker, one job and four memberships (the programs of a
small business's new workers, ``Employer.programs_of_new_workers``: JKK, JKM, JHT and JKP), each with one
"created" historical row.
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 2
ROWS = 40
_first_nik = itertools.count(1, ROWS)
PROGRAMS = 4  # JKK, JKM, JHT and JKP: the harness's employer is small (the factory's)


def rows_of(new_workers: int) -> dict[str, int]:
    return {
        "enrollment_worker": new_workers,
        "enrollment_employment": new_workers,
        "enrollment_membership": PROGRAMS * new_workers,
        "enrollment_historicalworker": new_workers,
        "enrollment_historicalemployment": new_workers,
        "enrollment_historicalmembership": PROGRAMS * new_workers,
    }


class Harness:
    """Runs ``tests.fault_harness`` processes against one database."""

    def __init__(self, database_url: str, media: Path) -> None:
        self.media = media
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "berjasa.settings",  # not the tests' (files in memory, jobs at once)
            "DEBUG": "true",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media),
            "IMPORT_LEASE_SECONDS": str(LEASE_SECONDS),
            "IMPORT_INLINE_MAX_KB": "0",  # to the background worker, unless a test says otherwise
            "IMPORT_MAX_ATTEMPTS": "1",
            "FAULT_FLAG": str(media / "paused"),
        }
        self.env.pop("FAULT_PAUSE_AT", None)

    def run(self, *actions: str, **env: str) -> list:
        done = subprocess.run(  # noqa: S603 - our own arguments
            [sys.executable, "-m", "tests.fault_harness", *actions],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return [
            json.loads(line)["result"] for line in done.stdout.splitlines() if line.startswith("{")
        ]

    def kill_when_paused(
        self, action: str, *arguments: str, at: str, alive_check=None, **env: str
    ) -> None:
        """Start ``action`` paused at ``at`` (check or write), SIGKILL it there, and let its lease expire.

        ``alive_check``: called once the paused process has outlived its first lease, before the kill."""
        flag = self.media / "paused"
        flag.unlink(missing_ok=True)
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [sys.executable, "-m", "tests.fault_harness", action, *arguments],
            cwd=ROOT,
            env={**self.env, **env, "FAULT_PAUSE_AT": at},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert process.poll() is None and time.monotonic() < deadline, "never reached the pause"
            time.sleep(0.1)
        if alive_check:
            time.sleep(LEASE_SECONDS + 0.5)
            alive_check()
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(LEASE_SECONDS + 0.5)

    def upload(self, **env: str) -> tuple[int, dict]:
        """A new roster of ``ROWS`` new workers uploaded; (batch id, the register's rows before)."""
        path, batch_id, before = self.run(
            "roster", str(next(_first_nik) + 1000), str(ROWS), "upload", "-", "state", "-", **env
        )
        return batch_id, before["rows"]

    def state(self, batch_id: int) -> dict:
        return self.run("state", str(batch_id))[0]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def harness(request, tmp_path_factory):
    media = tmp_path_factory.mktemp(f"faults-{request.param}")
    if request.param == "sqlite":
        url, drop = f"sqlite:///{media / 'db.sqlite3'}", None
    else:
        url, drop = _postgres_database()
    harness = Harness(url, media)
    harness.run("setup")
    yield harness
    if drop:
        drop()


def _postgres_database():
    """A new database beside the one of this test run (``DATABASE_URL``), and its dropping."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "the run is on SQLite (set DATABASE_URL to a PostgreSQL database to run these too)"
        )
    import psycopg

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')}_faults"
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def execute(sql: str) -> None:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: execute(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def test_a_worker_killed_while_checking_leaves_the_batch_interrupted_and_a_recheck_imports_it(
    harness,
):
    batch, before = harness.upload()

    def still_checking():
        """The paused worker's thread keeps renewing its lease: recovery leaves a live worker alone."""
        _, alive = harness.run("recover", "state", str(batch))
        assert (alive["status"], alive["reasons"]) == ("VALIDATING", [])

    harness.kill_when_paused("worker", at="check", alive_check=still_checking)
    assert harness.state(batch)["status"] == "VALIDATING"  # what stayed for good before leases

    recovered, after_kill = harness.run("recover", "state", str(batch))
    assert (after_kill["status"], after_kill["reasons"]) == ("INTERRUPTED", ["worker_stopped"])
    assert after_kill["rows"] == before

    rechecked, _, checked, confirmed, _, imported = harness.run(
        "recheck", str(batch), "worker", "state", str(batch), "confirm", str(batch), "worker",
        "state", str(batch),
    )  # fmt: skip
    assert rechecked and checked["status"] == "VALIDATED" and confirmed["confirmed"]
    assert (imported["status"], imported["count_new"]) == ("IMPORTED", ROWS)
    assert imported["rows"] == {table: before[table] + rows_of(ROWS)[table] for table in before}


def test_a_worker_killed_while_writing_is_retried_then_interrupted_with_nothing_written(harness):
    """Two attempts allowed: the first killed write is queued again, the second killed write ends the batch."""
    batch, before = harness.upload(IMPORT_MAX_ATTEMPTS="2")
    harness.run("worker", "confirm", str(batch))

    def still_writing():
        """Renewed on the thread's own connection while the write's transaction is open (PostgreSQL); on
        SQLite the write holds the database, and recovery gives up waiting for it after a second."""
        _, alive = harness.run("recover", "state", str(batch))
        assert (alive["status"], alive["reasons"]) == ("RUNNING", [])

    harness.kill_when_paused("worker", at="write", alive_check=still_writing)
    _, retried = harness.run("recover", "state", str(batch), IMPORT_MAX_ATTEMPTS="2")
    assert (retried["status"], retried["reasons"], retried["steps"]) == (
        "RUNNING",
        ["worker_stopped"],
        ["import"],
    )
    harness.kill_when_paused(
        "worker", at="write", IMPORT_MAX_ATTEMPTS="2"
    )  # the queued retry, killed too
    _, interrupted = harness.run("recover", "state", str(batch), IMPORT_MAX_ATTEMPTS="2")
    assert (interrupted["status"], interrupted["attempts"]) == ("INTERRUPTED", 2)
    assert interrupted["reasons"] == ["worker_stopped", "worker_stopped"]
    assert interrupted["rows"] == before  # both killed writes rolled back

    *_, imported = harness.run(
        "recheck", str(batch), "worker", "confirm", str(batch), "worker", "state", str(batch)
    )
    assert (imported["status"], imported["count_new"]) == ("IMPORTED", ROWS)
    assert imported["rows"] == {table: before[table] + rows_of(ROWS)[table] for table in before}


def test_a_web_request_killed_while_checking_is_taken_over_by_the_worker(harness):
    """A small file is checked inside the request; the app server kills the request's process mid-check (its
    timeout): the lease is never renewed, and once expired the next look at the page queues the check."""
    inline = {"IMPORT_INLINE_MAX_KB": "1024", "IMPORT_MAX_ATTEMPTS": "2"}
    # Uploaded with its background check dropped (a backend that queues nothing), then checked inline.
    batch, before = harness.upload(TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend")
    assert harness.state(batch)["status"] == "PENDING"
    harness.kill_when_paused("inline-check", str(batch), at="check", **inline)
    assert harness.state(batch)["status"] == "VALIDATING"

    _, queued, _, checked = harness.run(
        "recover", "state", str(batch), "worker", "state", str(batch), **inline
    )
    assert (queued["status"], queued["reasons"]) == ("PENDING", ["worker_stopped"])
    assert (checked["status"], checked["count_new"], checked["rows"]) == ("VALIDATED", ROWS, before)


def test_an_import_waiting_for_a_lock_hands_over_then_ends_interrupted_not_stuck(harness, request):
    """Another connection holds the employer's row lock that every roster import takes first. The request's
    import waits at most its budget and hands over (no error page); the worker waits at most
    ``IMPORT_LOCK_TIMEOUT_SECONDS`` and ends the batch interrupted; once the lock is gone, a re-check imports."""
    if "sqlite" in request.node.callspec.id:
        pytest.skip(
            "SQLite locks the whole database: every write of the request waits, not the import alone"
        )
    import psycopg

    batch, before = harness.upload()
    harness.run("worker")
    url = harness.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    inline = {"IMPORT_INLINE_MAX_KB": "1024", "IMPORT_INLINE_SECONDS": "1"}
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM enrollment_employer WHERE npp = '10000001' FOR UPDATE")
        confirmed, handed_over = harness.run("confirm", str(batch), "state", str(batch), **inline)
        assert (
            confirmed["confirmed"] and confirmed["seconds"] < 3
        )  # the budget of 1 s, and the set-up
        assert (handed_over["status"], handed_over["attempts"]) == ("RUNNING", 0)
        _, interrupted = harness.run("worker", "state", str(batch), IMPORT_LOCK_TIMEOUT_SECONDS="1")
        assert (interrupted["status"], interrupted["reasons"]) == ("INTERRUPTED", ["lock_wait"])
        assert interrupted["rows"] == before
        holder.rollback()

    *_, imported = harness.run(
        "recheck", str(batch), "worker", "confirm", str(batch), "worker", "state", str(batch)
    )
    assert (imported["status"], imported["count_new"]) == ("IMPORTED", ROWS)
    assert imported["rows"] == {table: before[table] + rows_of(ROWS)[table] for table in before}
