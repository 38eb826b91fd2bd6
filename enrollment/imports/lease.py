"""The lease of a batch being checked or imported, and bounded waits for locks.

A process that starts a step (check or import) claims the batch with a new token and an expiry time
(``IMPORT_LEASE_SECONDS``). A thread renews it every third of that on its own database connection, so the
renewal commits even while the import's one transaction is open and uncommitted. A process that dies (a killed
worker, a web worker cut by the app server) renews nothing; once the lease has expired, ``batches.interrupt``
marks the batch interrupted or queues it again. Every write of the step's end names the token: a process that
lost its lease (declared dead while still alive) writes nothing, and its import transaction rolls back.

SQLite (development) lets one connection write at a time: while an import's transaction writes, renewals
wait. A marker that finds the lease expired meanwhile waits for the same lock, and then finds the batch
imported (its UPDATE is conditional on the status), so nothing is lost either way.
"""

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from time import monotonic

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from enrollment.models import ImportBatch

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout


class HandedOver(Exception):
    """The step would outlast the request's time budget, or waited for a lock: the background worker takes it."""


class LeaseLost(Exception):
    """Another process declared this step interrupted; nothing more may be written for it."""


class LockWaitTimeout(Exception):
    """A lock held by someone else was not released within the wait allowed."""


def expiry() -> datetime:
    return timezone.now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS)


class Lease:
    """A claim on one step of a batch (``status``: VALIDATING or RUNNING); use as a context manager to renew it.

    ``budget``: seconds the step may take before ``checkpoint`` hands it over (inside a web request), or None.
    """

    def __init__(self, batch_id: int, status: str, token: str, budget: float | None = None) -> None:
        self.batch_id = batch_id
        self.status = status
        self.token = token
        self.started = monotonic()
        self.budget = budget
        self.lost = False
        # The step runs in the background worker: its end is told to the uploader by e-mail.
        self.notify_uploader = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_stopped, daemon=True)

    @classmethod
    def claim(
        cls, batch_id: int, *, when_status: str, status: str, budget: float | None = None, **when
    ) -> "Lease | None":
        """Take the batch in ``when_status`` (and matching ``when``) into ``status`` under a new lease; one
        process wins (a conditional UPDATE), the others get None."""
        token = uuid.uuid4().hex
        claimed = ImportBatch.objects.filter(pk=batch_id, status=when_status, **when).update(
            status=status, lease_token=token, lease_expires_at=expiry(), attempts=F("attempts") + 1
        )
        return cls(batch_id, status, token, budget) if claimed else None

    def __enter__(self) -> "Lease":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    # --- while the step works ------------------------------------------------------------------------------

    def renew(self) -> bool:
        """Push the expiry forward; False (and ``lost``) when the batch is no longer this lease's."""
        renewed = self._mine().update(lease_expires_at=expiry())
        self.lost = self.lost or not renewed
        return bool(renewed)

    def _renew_until_stopped(self) -> None:
        interval = settings.IMPORT_LEASE_SECONDS / 3
        try:
            while not self._stop.wait(interval):
                try:
                    if not self.renew():
                        return
                except (
                    DatabaseError
                ):  # SQLite busy with the import's write: the next beat tries again
                    logger.warning("Could not renew the lease of import batch %s", self.batch_id)
        finally:
            connection.close()  # the thread's own connection

    def remaining(self) -> float | None:
        return None if self.budget is None else self.budget - (monotonic() - self.started)

    def checkpoint(self, *_args, share: float = 0) -> None:
        """Called from the step's loops: stop if the lease was lost, or hand over once past the budget.

        ``share``: hand over already when less than this share of the time spent so far remains (before a
        write about as long as the reading before it)."""
        if self.lost:
            raise LeaseLost
        remaining = self.remaining()
        if remaining is not None and remaining <= share * (monotonic() - self.started):
            raise HandedOver

    # --- the end of the step -------------------------------------------------------------------------------

    def hold(self) -> None:
        """Inside the step's last transaction: lock the batch row if it is still this lease's, or raise."""
        if not self._mine().select_for_update().exists():
            self.lost = True
            raise LeaseLost

    def release(self, status: str) -> bool:
        """Give the batch back in ``status`` with no lease, and this start uncounted (a hand-over)."""
        return bool(
            self._mine().update(
                status=status, lease_token="", lease_expires_at=None, attempts=F("attempts") - 1
            )
        )

    def _mine(self):
        return ImportBatch.objects.filter(
            pk=self.batch_id, status=self.status, lease_token=self.token
        )


@contextmanager
def transaction_waiting_at_most(seconds: float) -> Iterator[None]:
    """``transaction.atomic()`` whose wait for a lock held by another connection ends after ``seconds`` with
    ``LockWaitTimeout``: PostgreSQL's ``lock_timeout`` for the transaction, SQLite's busy timeout for its
    ``BEGIN IMMEDIATE``."""
    sqlite = connection.vendor == "sqlite"
    milliseconds = max(int(seconds * 1000), 1)
    if sqlite:
        _set_busy_timeout(milliseconds)
    try:
        with transaction.atomic():
            if not sqlite:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"]
                    )
            yield
    except OperationalError as error:
        if _is_lock_wait(error):
            raise LockWaitTimeout from error
        raise
    finally:
        if sqlite:
            _set_busy_timeout(
                int(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5) * 1000)
            )


def _set_busy_timeout(milliseconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")


def _is_lock_wait(error: OperationalError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return "database is locked" in str(error) or "database table is locked" in str(error)
