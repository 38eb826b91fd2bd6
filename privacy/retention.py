"""How long files with personal data and the access log are kept, and their deletion (``purge_personal_files``).

An import batch's files (the upload, the preview, the error report) are deleted ``PERSONAL_FILE_RETENTION_DAYS``
after the batch finished, or after it was created if it never finished (abandoned before confirmation: it is
cancelled first, so nobody confirms a batch without its file). The batch keeps its counts, file name and
SHA-256, and records the day in ``summary["files_deleted_on"]``. Files under the import folders that no batch
names (an interrupted upload) go after the same period. Access records go after ``ACCESS_LOG_RETENTION_DAYS``.
"""

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from enrollment.models import ImportBatch
from privacy.models import AccessRecord

FILE_FIELDS = ("upload", "review_file", "error_file")
# The folders of the default storage where import files are written (ImportBatch's upload_to paths).
IMPORT_FOLDERS = ("imports", "import-errors")
DELETED_KEY = "files_deleted_on"
Status = ImportBatch.Status
UNFINISHED = (Status.PENDING, Status.VALIDATING, Status.VALIDATED, Status.RUNNING)


def _file_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.PERSONAL_FILE_RETENTION_DAYS)


def file_names(batch: ImportBatch) -> list[str]:
    """The stored names of the batch's files with personal data that it still names."""
    return [getattr(batch, name).name for name in FILE_FIELDS if getattr(batch, name)]


def files_deleted_on(batch: ImportBatch) -> date | None:
    deleted = batch.summary.get(DELETED_KEY)
    return date.fromisoformat(deleted) if deleted else None


def files_kept_until(batch: ImportBatch) -> date:
    start = batch.finished_at or batch.created_at
    return timezone.localdate(start + timedelta(days=settings.PERSONAL_FILE_RETENTION_DAYS))


def expired_batches(now: datetime) -> QuerySet[ImportBatch]:
    """Batches past the period that still name a file."""
    cutoff = _file_cutoff(now)
    has_file = Q()
    for name in FILE_FIELDS:
        has_file |= ~Q(**{name: ""})
    return (
        ImportBatch.objects.filter(has_file)
        .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
        .order_by("pk")
    )


def purge_batch_files(batch: ImportBatch, *, now: datetime) -> list[str]:
    """Delete the batch's files and say so on the batch; returns the names deleted. Safe to re-run."""
    names = file_names(batch)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status in UNFINISHED:
            locked.status = Status.CANCELLED
            locked.finished_at = now
        for name in FILE_FIELDS:
            setattr(locked, name, "")
        locked.summary = {**locked.summary, DELETED_KEY: timezone.localdate(now).isoformat()}
        locked.save(update_fields=[*FILE_FIELDS, "summary", "status", "finished_at"])
    # After the commit: a failure leaves files, never a batch naming missing files.
    for name in names:
        _delete(name)
    return names


def _delete(name: str) -> None:
    """Delete a stored file, and its folder once empty (each upload has its own folder)."""
    default_storage.delete(name)
    folder = str(PurePosixPath(name).parent)
    if folder not in IMPORT_FOLDERS and default_storage.listdir(folder) == ([], []):
        # A storage without folders, or a folder filled meanwhile, keeps it.
        with contextlib.suppress(NotImplementedError, OSError):
            Path(default_storage.path(folder)).rmdir()


def orphan_files(now: datetime) -> list[str]:
    """Files under the import folders older than the period that no batch names."""
    cutoff = _file_cutoff(now)
    named = set()
    for name in FILE_FIELDS:
        named.update(ImportBatch.objects.exclude(**{name: ""}).values_list(name, flat=True))
    return [
        path
        for folder in IMPORT_FOLDERS
        for path in _files_under(folder)
        if path not in named and default_storage.get_modified_time(path) < cutoff
    ]


def _files_under(folder: str):
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield str(PurePosixPath(folder, name))
    for name in folders:
        yield from _files_under(str(PurePosixPath(folder, name)))


@dataclass
class PurgeReport:
    batches: list[tuple[ImportBatch, list[str]]] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    access_records: int = 0


def purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Everything past its period: batches' files, orphan files, access records (``dry_run``: only listed)."""
    now = now or timezone.now()
    report = PurgeReport()
    for batch in expired_batches(now):
        names = file_names(batch) if dry_run else purge_batch_files(batch, now=now)
        report.batches.append((batch, names))
    report.orphans = orphan_files(now)
    old_records = AccessRecord.objects.filter(
        at__lt=now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    )
    if dry_run:
        report.access_records = old_records.count()
    else:
        for name in report.orphans:
            _delete(name)
        report.access_records, _by_model = old_records.delete()
    return report
