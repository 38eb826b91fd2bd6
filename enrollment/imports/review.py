"""What the page of an import batch shows (the portal's and the admin's): counts, progress, the preview's
entries of one kind a page at a time, and an earlier import of the same file."""

from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from enrollment.imports.batches import LOCK_WAIT, WORKER_STOPPED, review_page
from enrollment.imports.plan import LISTED_KINDS, Kind
from enrollment.models import ImportBatch
from privacy.retention import files_deleted_on

PAGE_SIZE = 50
Status = ImportBatch.Status
IN_PROGRESS = (Status.PENDING, Status.VALIDATING, Status.RUNNING)
WITH_PREVIEW = (Status.VALIDATED, Status.RUNNING, Status.IMPORTED, Status.FAILED)
STEPS = {"check": _("checking"), "import": _("importing")}
REASONS = {
    WORKER_STOPPED: _(
        "the process doing it stopped (killed, restarted or cut off by a time limit)"
    ),
    LOCK_WAIT: _("it waited too long for records someone else was changing"),
}


def review_context(batch: ImportBatch, query: QueryDict, visible: QuerySet[ImportBatch]) -> dict:
    """``visible``: the batches the viewer may see, where an earlier import of the same file is looked for."""
    listed = batch.summary.get("listed", {})
    kinds = [(kind, listed[kind]) for kind in LISTED_KINDS if listed.get(kind)]
    shown = query.get("show")
    if shown not in listed:
        shown = kinds[0][0] if kinds else Kind.NEW
    page = None
    if batch.review_file and batch.status in WITH_PREVIEW:
        page = Paginator(review_page(batch, shown), PAGE_SIZE).get_page(query.get("page"))
    earlier = None
    if batch.sha256 and batch.status == Status.VALIDATED:
        earlier = (
            visible.filter(sha256=batch.sha256, status=Status.IMPORTED)
            .exclude(pk=batch.pk)
            .order_by("-finished_at")
            .first()
        )
    return {
        "batch": batch,
        "kinds": kinds,
        "shown": shown,
        # The programs each new worker gets (and, from the DTSEN list, a known worker's missing ones; from
        # BPJS's response, the memberships a row answers).
        "with_programs": shown == Kind.NEW
        or (
            shown == Kind.UPDATED
            and batch.source in (ImportBatch.Source.DTSEN, ImportBatch.Source.BPJS_RESPONSE)
        ),
        "page": page,
        "in_progress": batch.status in IN_PROGRESS,
        "max_attempts": settings.IMPORT_MAX_ATTEMPTS,
        "earlier": earlier,
        "skipped": batch.summary.get("skipped_reasons", {}),
        "blocked": batch.summary.get("blocked", ""),
        "files_deleted_on": files_deleted_on(batch),
        "interruptions": [
            {
                "step": STEPS.get(record["step"], record["step"]),
                "attempt": record["attempt"],
                "at": datetime.fromisoformat(record["at"]),
                "reason": REASONS.get(record["reason"], record["reason"]),
            }
            for record in batch.interruptions
        ],
    }
