"""What the page of an import batch shows (the portal's and the admin's): counts, progress, the preview's
entries of one kind a page at a time, and an earlier import of the same file."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict

from enrollment.imports.batches import review_page
from enrollment.imports.plan import LISTED_KINDS, Kind
from enrollment.models import ImportBatch
from privacy.retention import files_deleted_on

PAGE_SIZE = 50
Status = ImportBatch.Status
IN_PROGRESS = (Status.PENDING, Status.VALIDATING, Status.RUNNING)
WITH_PREVIEW = (Status.VALIDATED, Status.RUNNING, Status.IMPORTED, Status.FAILED)


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
        "page": page,
        "in_progress": batch.status in IN_PROGRESS,
        "earlier": earlier,
        "skipped": batch.summary.get("skipped_reasons", {}),
        "blocked": batch.summary.get("blocked", ""),
        "files_deleted_on": files_deleted_on(batch),
    }
