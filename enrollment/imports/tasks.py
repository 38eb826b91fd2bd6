"""Background jobs of the imports (django-tasks; ``manage.py db_worker`` runs them).

A small file is checked and imported inside the request; one larger than ``IMPORT_INLINE_MAX_KB`` goes to the
worker, and its page shows the progress. The jobs take a batch id only: the file is in the default storage.
"""

from django.conf import settings
from django.db import transaction
from django_tasks import task

from enrollment.imports import batches
from enrollment.models import ImportBatch


@task()
def check_import(batch_id: int) -> None:
    batches.check_batch(batch_id)


@task()
def run_import(batch_id: int) -> None:
    batches.run_batch(batch_id)


def runs_in_background(batch: ImportBatch) -> bool:
    return bool(batch.upload) and batch.upload.size > settings.IMPORT_INLINE_MAX_KB * 1024


def start_check(batch: ImportBatch) -> None:
    _start(check_import, batch)


def start_run(batch: ImportBatch) -> None:
    _start(run_import, batch)


def _start(job, batch: ImportBatch) -> None:
    if batch.status == ImportBatch.Status.REFUSED:
        return
    if not runs_in_background(batch):
        job.call(batch.pk)
        return

    def enqueue() -> None:
        result = job.enqueue(batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
