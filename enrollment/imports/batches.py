"""The life of an import batch: upload → check (preview) → confirm → import, or refused, cancelled, failed.

Every step is a function of the batch; views, the admin, commands and background tasks call these. The uploaded
file lives in the default storage, so whichever app server or worker runs the next step can read it.

An import runs in one transaction: the plan is made again inside it (the records may have changed since the
preview), then written in bulk. A file with errors writes nothing unless ``only_valid_rows`` was chosen; a
database error or a crash leaves nothing half-written (the batch is marked FAILED afterwards).

A step (check or import) runs under a lease (``enrollment.imports.lease``). A process that dies leaves the lease
to expire; ``interrupt`` then queues the step again (at most ``IMPORT_MAX_ATTEMPTS`` starts) or marks the batch
INTERRUPTED, to be checked again or cancelled from its page. Inside a web request a step has a time budget and
a bounded wait for locks; past either it raises ``HandedOver`` and the background worker takes it.
"""

import gc
import hashlib
import io
import logging
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from berjasa.spreadsheets import stream_csv, write_xlsx
from bpjs.imports.response import ResponseImport
from bpjs.services.reconciliation import StatementImport
from enrollment.imports.dtsen import DTSEN_COLUMNS, DtsenImport
from enrollment.imports.lease import (
    HandedOver,
    Lease,
    LeaseLost,
    LockWaitTimeout,
    transaction_waiting_at_most,
)
from enrollment.imports.plan import Kind, Plan, ReviewPage, ReviewWriter
from enrollment.imports.proof import ProofGate
from enrollment.imports.reader import FileShape, RefusedFile, header_key, open_table, read_rows
from enrollment.imports.roster import RosterImport, SyncOptions
from enrollment.imports.writer import BulkWriter, analyze
from enrollment.models import Employer, Employment, ImportBatch, Membership
from enrollment.roster_file import ROSTER_COLUMNS
from mailing.notices import queue_import_finished

logger = logging.getLogger(__name__)

ERROR_COLUMN = (
    "Kesalahan"  # the error report's extra column: file format, the same in every language
)
# Headers of columns kept as text in the XLSX error report (NIK, KPJ, phone, kelurahan code).
TEXT_HEADERS = {
    name for column in (*ROSTER_COLUMNS, *DTSEN_COLUMNS) if column.text for name in column.names()
}
Status = ImportBatch.Status
ANALYZE_AFTER_NEW_ROWS = 10_000
# The statuses of a step under way: its name, and the status it is queued in again after an interruption.
STEPS = {Status.VALIDATING: ("check", Status.PENDING), Status.RUNNING: ("import", Status.RUNNING)}
WORKER_STOPPED = "worker_stopped"  # reasons of an interruption
LOCK_WAIT = "lock_wait"


@dataclass(frozen=True)
class UploadOptions:
    """What the user chose on upload. ``end_date``/``reason``: a full-roster sync; ``start_date``: DTSEN;
    ``source_options``: an importer's own, kept beside them in the batch's options (a BPJS statement's month
    and scope; the ``registration_file`` a BPJS response answers, None: found by NIK)."""

    full_sync: bool = False
    end_date: date | None = None
    reason: str = Employment.TerminationReason.CONTRACT_ENDED
    start_date: date | None = None
    # An importer's own (BPJS statement: month, scope).
    source_options: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            **self.source_options,
            "full_sync": self.full_sync,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "reason": self.reason,
            "start_date": self.start_date.isoformat() if self.start_date else None,
        }


def stage_upload(
    upload: File,
    *,
    source: str,
    acting_user,
    employer: Employer | None = None,
    options: UploadOptions = UploadOptions(),  # noqa: B008 - immutable
) -> ImportBatch:
    """Keep the file in the default storage as a new batch (PENDING), or record it REFUSED if it is too big."""
    if (source == ImportBatch.Source.ROSTER) != (employer is not None):
        raise ValueError("a roster import needs an employer, and only a roster import has one")
    name = PurePath(upload.name or "upload").name[-120:]
    batch = ImportBatch(
        source=source,
        employer=employer,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        file_name=name,
        options={**options.as_json(), "language": translation.get_language()},
    )
    limit = settings.IMPORT_MAX_FILE_MB * 1024 * 1024
    if upload.size > limit:
        batch.status = Status.REFUSED
        batch.summary = {"refused": "too_big"}
        batch.message = _(
            "The file is %(size).1f MB; files of at most %(limit)d MB can be imported. Split it into "
            "smaller files."
        ) % {"size": upload.size / 1024 / 1024, "limit": settings.IMPORT_MAX_FILE_MB}
        batch.save()
        return batch
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    batch.sha256 = digest.hexdigest()
    upload.seek(0)
    batch.upload.save(name, upload, save=False)
    batch.save()
    return batch


# --- checking: the preview ----------------------------------------------------------------------------------


def check_batch(batch_id: int, *, budget: float | None = None, notify: bool = False) -> None:
    """Check every row and write the preview and the error report: VALIDATED, or REFUSED with the reason.

    ``budget``: seconds it may take (inside a request); past them it raises ``HandedOver``, the batch PENDING."""
    lease = Lease.claim(
        batch_id, when_status=Status.PENDING, status=Status.VALIDATING, budget=budget
    )
    if lease is None:
        return
    lease.notify_uploader = notify
    try:
        with lease, _collector_paused():
            _check(batch_id, lease)
    except HandedOver:
        lease.release(Status.PENDING)
        raise
    except LeaseLost:
        logger.warning("Import batch %s was interrupted by another process while checked", batch_id)


@contextmanager
def _collector_paused():
    """Python's cycle collector paused for a step. A step holds a few hundred thousand rows, cells and findings
    at once, none in a reference cycle, and the collector would walk them all again and again as they pile up: a
    quarter of the preview of BPJS's 265,000-row statement. They are freed by reference counting as ever; the
    collector resumes when the step ends (decision 68)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _check(batch_id: int, lease: Lease) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)

    def progress(rows: int) -> None:
        lease.checkpoint()
        _progress(batch_id, rows)

    with translation.override(batch.options.get("language")):
        with tempfile.TemporaryFile("w+", encoding="utf-8") as review:
            plan = Plan(review=ReviewWriter(review))
            try:
                importer, _work = _plan(batch, plan, progress=progress)
            except (HandedOver, LeaseLost):
                raise
            except RefusedFile as refusal:
                _refuse(batch, refusal, lease)
                return
            except Exception:
                logger.exception("Checking import batch %s failed", batch_id)
                _finish(batch, Status.FAILED, message=_failure_message(), lease=lease)
                return
            review.seek(0)
            folder = PurePath(batch.upload.name).parent
            batch.review_file.save(f"{folder}/preview.jsonl", File(review), save=False)
        if getattr(importer, "proof", None):  # a roster uploaded by an employer's user
            importer.proof.record()
        if plan.errors:
            write_error_report(batch, plan)
        _record(batch, plan)
        _finish(batch, Status.VALIDATED, lease=lease)


def review_page(batch: ImportBatch, kind: str) -> ReviewPage:
    """The preview's entries of one kind, for a paginator."""
    count = batch.summary.get("listed", {}).get(kind, 0)
    return ReviewPage(lambda: batch.review_file.open("rb"), kind, count)


# --- confirming and importing ---------------------------------------------------------------------------------


def confirm_batch(batch: ImportBatch, *, only_valid_rows: bool = False) -> bool:
    """Claim a checked batch for import (once: a second click finds it claimed and returns False)."""
    if batch.count_errors and not only_valid_rows:
        return False
    if batch.summary.get("blocked"):
        return False
    options = {**batch.options, "only_valid_rows": only_valid_rows}
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.VALIDATED).update(
        status=Status.RUNNING, options=options, started_at=timezone.now(), attempts=0
    )
    return bool(claimed)


def cancel_batch(batch: ImportBatch) -> bool:
    return bool(
        ImportBatch.objects.filter(
            pk=batch.pk, status__in=[Status.PENDING, Status.VALIDATED, Status.INTERRUPTED]
        ).update(status=Status.CANCELLED, finished_at=timezone.now())
    )


def recheck_batch(batch: ImportBatch) -> bool:
    """Take an interrupted batch back to its check (the records may have changed since): PENDING, no attempts."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=Status.INTERRUPTED).update(
            status=Status.PENDING, attempts=0, rows_checked=0, started_at=None
        )
    )


def interrupt(batch_id: int, reason: str, *, token: str = "") -> str | None:
    """Stop a step whose process is gone: queued again (PENDING, or RUNNING with no lease) while it has had
    fewer than ``IMPORT_MAX_ATTEMPTS`` starts, else INTERRUPTED; the reason is appended to its interruptions.

    ``token``: a process giving up its own lease; without it, only a lease that has expired. Any number of
    processes may call this at once: a conditional UPDATE lets one win; the others get None."""
    condition = Q(lease_token=token) if token else Q(lease_expires_at__lt=timezone.now())
    batch = ImportBatch.objects.filter(condition, pk=batch_id, status__in=STEPS).first()
    if batch is None:
        return None
    step, queued = STEPS[batch.status]
    status = queued if batch.attempts < settings.IMPORT_MAX_ATTEMPTS else Status.INTERRUPTED
    record = {
        "step": step,
        "attempt": batch.attempts,
        "at": timezone.now().isoformat(),
        "reason": reason,
    }
    # One UPDATE, never two in one transaction: PostgreSQL checks the foreign keys of a row updated twice by a
    # transaction, waiting for the lock on the employer that the import being interrupted may be waiting for.
    won = ImportBatch.objects.filter(
        condition, pk=batch_id, status=batch.status, lease_token=batch.lease_token
    ).update(
        status=status,
        lease_token="",
        lease_expires_at=None,
        interruptions=[*batch.interruptions, record],
    )
    if not won:
        return None
    if (
        status == Status.INTERRUPTED
    ):  # given up: the uploader is told (no employer row: it may be locked)
        batch.status = status
        queue_import_finished(batch, status, with_employer=False)
    logger.warning(
        "Import batch %s interrupted (%s, %s attempt %d): %s",
        batch_id,
        reason,
        step,
        batch.attempts,
        status,
    )
    return status


def start_batch(batch: ImportBatch, *, only_valid_rows: bool = False) -> bool:
    """Go straight from upload to import, checking in the same pass (the commands' way: no preview step)."""
    options = {**batch.options, "only_valid_rows": only_valid_rows}
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=Status.PENDING).update(
            status=Status.RUNNING, options=options, started_at=timezone.now(), attempts=0
        )
    )


class Interrupted(Exception):
    """The import gave up (a lock not released in time); ``status``: what ``interrupt`` made of the batch."""

    def __init__(self, status: str | None) -> None:
        super().__init__(status)
        self.status = status


def run_batch(batch_id: int, *, budget: float | None = None, notify: bool = False) -> None:
    """Import a claimed (RUNNING) batch in one transaction; IMPORTED, or FAILED with nothing written.

    ``budget``: seconds it may take and wait for locks (inside a request); past them it raises ``HandedOver``,
    the batch RUNNING with no lease. In the worker, a lock held longer than ``IMPORT_LOCK_TIMEOUT_SECONDS``
    interrupts it (``Interrupted``)."""
    lease = Lease.claim(
        batch_id,
        when_status=Status.RUNNING,
        status=Status.RUNNING,
        budget=budget,
        lease_expires_at__isnull=True,
    )
    if lease is None:
        return
    lease.notify_uploader = notify
    try:
        with lease, _collector_paused():
            _run(batch_id, lease)
    except HandedOver:
        lease.release(Status.RUNNING)
        raise
    except LockWaitTimeout as waited:
        if budget is None:
            raise Interrupted(interrupt(batch_id, LOCK_WAIT, token=lease.token)) from waited
        lease.release(Status.RUNNING)
        raise HandedOver from waited
    except LeaseLost:
        logger.warning(
            "Import batch %s was interrupted by another process while importing", batch_id
        )


def _run(batch_id: int, lease: Lease) -> None:
    batch = ImportBatch.objects.select_related("employer", "created_by").get(pk=batch_id)
    only_valid_rows = batch.options.get("only_valid_rows", False)
    lock_wait = settings.IMPORT_LOCK_TIMEOUT_SECONDS if lease.budget is None else lease.remaining()
    with translation.override(batch.options.get("language")):
        plan = Plan()
        importer = None
        try:
            with transaction_waiting_at_most(lock_wait):
                if batch.employer_id:  # one import at a time per roster
                    Employer.objects.select_for_update().filter(pk=batch.employer_id).first()
                importer, work = _plan(batch, plan, progress=lease.checkpoint)
                blocked = _why_blocked(plan, only_valid_rows)
                if blocked:
                    raise _Blocked(blocked)
                # Writing takes about as long as reading and planning: within a request, hand over unless
                # as much time is left as was spent.
                lease.checkpoint(share=1)
                writer = BulkWriter(
                    batch_id=batch.pk,
                    user_id=batch.created_by_id,
                    employer_id=batch.employer_id,
                    now=timezone.now(),
                )
                importer.write(work, writer)
                _record(batch, plan)
                _finish(batch, Status.IMPORTED, lease=lease)
        except (HandedOver, LeaseLost, LockWaitTimeout):
            raise
        except RefusedFile as refusal:
            _refuse(batch, refusal, lease)
        except _Blocked as blocked:
            _record(batch, plan)
            _finish(batch, Status.FAILED, message=blocked.message, lease=lease)
        except Exception:
            logger.exception("Import batch %s failed; its transaction was rolled back", batch_id)
            _finish(batch, Status.FAILED, message=_failure_message(), lease=lease)
        if getattr(importer, "proof", None) and batch.status != Status.REFUSED:
            importer.proof.record_failures()
        if plan.errors and batch.status != Status.REFUSED and not batch.error_file:
            write_error_report(batch, plan)
            batch.save(update_fields=["error_file"])
        if batch.status == Status.IMPORTED:
            _refresh_statistics(batch)


def _refresh_statistics(batch: ImportBatch) -> None:
    """After a large roster import, let PostgreSQL's planner see the employer's new jobs and memberships at once
    (autovacuum comes later): with a roster it believes empty, it would plan the next download of that roster as
    nested loops. Runs after the commit: the batch already shows as imported. Not after a DTSEN batch: city-funded
    memberships change no employer's figures, and a few percent more rows mislead no plan."""
    if (
        connection.vendor != "postgresql"
        or batch.source != ImportBatch.Source.ROSTER
        or batch.count_new < ANALYZE_AFTER_NEW_ROWS
    ):
        return
    # Not the workers: analysing their text columns costs seconds, and their count is estimated well enough.
    analyze(Employment, Membership)


class _Blocked(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _why_blocked(plan: Plan, only_valid_rows: bool) -> str:
    if plan.blocked:
        return plan.blocked
    if plan.errors and not only_valid_rows:
        return _(
            "%(count)d rows have errors, so nothing was imported. Correct them (the error report lists "
            "them) and upload the file again, or choose to import only the valid rows."
        ) % {"count": plan.error_rows}
    return ""


def _failure_message() -> str:
    return _(
        "The import stopped on an unexpected problem and nothing was written. Try again; if it happens "
        "again, tell Disnaker the batch number."
    )


# --- shared steps ---------------------------------------------------------------------------------------------


def _importer(batch: ImportBatch, plan: Plan, progress=None):
    options = batch.options
    if batch.source == ImportBatch.Source.BPJS_RESPONSE:
        return ResponseImport(
            plan,
            registration_file_id=options.get("registration_file"),
            progress=progress,
            acting_user=batch.created_by,
        )
    if batch.source == ImportBatch.Source.BPJS_STATEMENT:
        return StatementImport.for_batch(batch, plan, progress)
    if batch.source == ImportBatch.Source.DTSEN:
        start = date.fromisoformat(options["start_date"]) if options.get("start_date") else None
        return DtsenImport(
            plan,
            start_date=start or timezone.localdate(),
            progress=progress,
            acting_user=batch.created_by,
        )
    sync = None
    if options.get("full_sync"):
        sync = SyncOptions(
            end_date=date.fromisoformat(options["end_date"])
            if options.get("end_date")
            else timezone.localdate(),
            reason=options.get("reason") or Employment.TerminationReason.CONTRACT_ENDED,
        )
    return RosterImport(
        batch.employer,
        plan,
        sync=sync,
        progress=progress,
        proof=ProofGate.for_batch(batch),
        acting_user=batch.created_by,
    )


def _plan(batch: ImportBatch, plan: Plan, progress=None):
    """Read and check the whole file, look up what it refers to, and decide every row: (importer, work)."""
    importer = _importer(batch, plan, progress)
    with batch.upload.open("rb") as handle:
        table = open_table(handle, importer.columns)
        lines = importer.read_lines(table)
    batch.summary = {**batch.summary, "shape": table.shape.__dict__, "header_row": table.header_row}
    work = importer.plan_work(lines)
    return importer, work


def _record(batch: ImportBatch, plan: Plan) -> None:
    rows = plan.rows
    batch.count_new = rows[Kind.NEW]
    batch.count_updated = rows[Kind.UPDATED]
    batch.count_unchanged = rows[Kind.UNCHANGED]
    batch.count_terminated = rows[Kind.TERMINATED]
    batch.count_errors = plan.error_rows
    batch.row_count = sum(
        rows[kind]
        for kind in (Kind.NEW, Kind.UPDATED, Kind.UNCHANGED, Kind.SKIPPED, Kind.FLAGGED, Kind.ERROR)
    )
    batch.rows_checked = batch.row_count
    batch.summary = {**batch.summary, **plan.summary()}


def _progress(batch_id: int, rows: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(rows_checked=rows)


def _refuse(batch: ImportBatch, refusal: RefusedFile, lease: Lease) -> None:
    batch.summary = {**batch.summary, "refused": refusal.code}
    _finish(batch, Status.REFUSED, message=refusal.message, lease=lease)


def _finish(batch: ImportBatch, status: str, *, lease: Lease, message: str = "") -> None:
    """End the step (in the import's transaction when called inside it), if the lease is still its own."""
    batch.status = status
    batch.message = message
    batch.lease_expires_at = None
    if status != Status.VALIDATED:  # the end of the batch's life, not of a step
        batch.finished_at = timezone.now()
    with transaction.atomic():
        lease.hold()
        batch.save()
        if lease.notify_uploader:  # a step of the background worker: the uploader is told by e-mail
            queue_import_finished(batch, status)


# --- the error report -----------------------------------------------------------------------------------------


def write_error_report(batch: ImportBatch, plan: Plan) -> None:
    """The file's own rows, in its own format, with the errors of each row in a first column.

    Every row is there (the valid ones with an empty error cell), so the corrected file can be uploaded whole,
    also for a full-roster sync.
    """
    shape = FileShape(**batch.summary["shape"])
    header_row = batch.summary["header_row"]
    name = f"{uuid.uuid4().hex}/{PurePath(batch.file_name).stem or 'import'}-kesalahan"
    with batch.upload.open("rb") as handle, tempfile.TemporaryFile() as output:
        rows = _report_rows(read_rows(handle, shape), header_row, plan.errors)
        header = next(rows)
        if shape.kind == "xlsx":
            text_columns = [
                index for index, cell in enumerate(header) if header_key(cell) in TEXT_HEADERS
            ]
            write_xlsx(output, header, rows, text_columns=text_columns, sheet_title="Kesalahan")
        else:
            text = io.TextIOWrapper(output, encoding="utf-8", newline="")
            text.writelines(stream_csv(header, rows, delimiter=shape.delimiter))
            text.detach()
        output.seek(0)
        batch.error_file.save(f"{name}.{shape.kind}", File(output), save=False)


def _report_rows(rows, header_row: int, errors: dict[int, list[str]]):
    for number, cells in rows:
        if number < header_row:
            continue
        if number == header_row:
            yield [ERROR_COLUMN, *("" if cell is None else cell for cell in cells)]
        elif any(cell not in (None, "") for cell in cells):
            yield ["; ".join(errors.get(number, ())), *cells]  # the writers escape formulas
