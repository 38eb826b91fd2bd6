"""Background jobs of the imports (django-tasks; ``manage.py db_worker`` runs them), and their recovery.

A small file is checked and imported inside the request, within ``IMPORT_INLINE_SECONDS``; one larger than
``IMPORT_INLINE_MAX_KB``, or one that would outlast that budget or waits for a lock, goes to the worker, and its
page shows the progress. The jobs take a batch id only: the file is in the default storage.

``recover_stalled`` finds batches whose lease expired (their process died) and queues their step again, or marks
them interrupted: the batch's page calls it for that batch, ``manage.py recover_imports`` for all of them.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from enrollment.imports import batches
from enrollment.imports.lease import HandedOver, LockWaitTimeout, transaction_waiting_at_most
from enrollment.models import ImportBatch

logger = logging.getLogger(__name__)
Status = ImportBatch.Status


@task()
def check_import(batch_id: int, budget: float | None = None) -> None:
    batches.check_batch(batch_id, budget=budget, notify=budget is None)


@task()
def run_import(batch_id: int, budget: float | None = None) -> None:
    try:
        batches.run_batch(batch_id, budget=budget, notify=budget is None)
    except batches.Interrupted as stop:
        _queue_again(batch_id, stop.status)


def runs_in_background(batch: ImportBatch) -> bool:
    return bool(batch.upload) and batch.upload.size > settings.IMPORT_INLINE_MAX_KB * 1024


def start_check(batch: ImportBatch) -> None:
    _start(check_import, batch)


def start_run(batch: ImportBatch) -> None:
    _start(run_import, batch)


def start_recheck(batch: ImportBatch) -> bool:
    """Check an interrupted batch again (the page's "Check again"); False if it is not interrupted."""
    if not batches.recheck_batch(batch):
        return False
    batch.refresh_from_db()
    start_check(batch)
    return True


def _start(job, batch: ImportBatch) -> None:
    if batch.status == Status.REFUSED:
        return
    if not runs_in_background(batch):
        try:
            job.call(batch.pk, budget=settings.IMPORT_INLINE_SECONDS)
            return
        except HandedOver:
            logger.info("Import batch %s handed over to the background worker", batch.pk)
    _enqueue(job, batch.pk)


def _enqueue(job, batch_id: int) -> None:
    def enqueue() -> None:
        result = job.enqueue(batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


def _queue_again(batch_id: int, status: str | None) -> None:
    """After ``batches.interrupt``: a batch queued again gets its job again."""
    if status == Status.PENDING:
        _enqueue(check_import, batch_id)
    elif status == Status.RUNNING:
        _enqueue(run_import, batch_id)


def recover_stalled(candidates: QuerySet[ImportBatch] | None = None) -> int:
    """Interrupt every batch (of ``candidates``) whose lease has expired, and queue its step again while it has
    attempts left; the number of batches recovered. Safe to run anywhere and at any time, in parallel.

    Waits at most a second for a batch row another process is writing (SQLite: the whole database): that
    batch is left for the next call."""
    candidates = ImportBatch.objects.all() if candidates is None else candidates
    expired = candidates.filter(status__in=batches.STEPS, lease_expires_at__lt=timezone.now())
    recovered = 0
    for batch_id in expired.values_list("pk", flat=True):
        try:
            with transaction_waiting_at_most(1):
                status = batches.interrupt(batch_id, batches.WORKER_STOPPED)
                _queue_again(batch_id, status)
        except LockWaitTimeout:
            continue
        recovered += status is not None
    return recovered
