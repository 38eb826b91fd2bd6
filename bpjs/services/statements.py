"""The steps of a statement's import batch that carry its own options: the upload (month and scope) and the
confirmation (the administrator's choices). The admin, the demo, the tests and the benchmark call these."""

from datetime import date

from django.core.files import File

from bpjs.services.reconciliation import Choices
from enrollment.imports import batches
from enrollment.models import ImportBatch


def stage_statement(upload: File, *, month: date, scope: str, acting_user) -> ImportBatch:
    """Keep BPJS's statement of ``month`` listing the participants of ``scope`` as a new batch (PENDING)."""
    return batches.stage_upload(
        upload,
        source=ImportBatch.Source.BPJS_STATEMENT,
        acting_user=acting_user,
        options=batches.UploadOptions(source_options={"month": month.isoformat(), "scope": scope}),
    )


def confirm_statement(batch: ImportBatch, choices: Choices) -> bool:
    """Claim a checked statement for applying, with the administrator's choices (once). Its rows with errors
    are left out (the error file lists them): they are not participants the statement could be compared on."""
    batch.options = {**batch.options, "choices": choices.__dict__}
    return batches.confirm_batch(batch, only_valid_rows=True)
