"""Record each read of personal data: ``record_access`` (one INSERT in its own transaction) and
``access_logged``, the portal views' decorator.

A list's row count is given as a queryset and counted by the database inside that same INSERT
(``INSERT … SELECT COUNT(*)``): the record exists, with the rows the list holds at that moment, before the
first byte of a download streams, so a client that disconnects half-way is still on record, and the request
costs one statement more, not two.
"""

import getpass
from collections.abc import Callable
from functools import wraps

from django.db import models, transaction
from django.db.models import F, Func, Subquery

from berjasa.audit import Channel
from enrollment.models import ImportBatch
from enrollment.visibility import employments_visible_to
from privacy.models import AccessRecord

Kind = AccessRecord.Kind


def _count(queryset: models.QuerySet) -> Subquery:
    """``SELECT COUNT(*) FROM (queryset)`` as a value of the INSERT (a plain function: no GROUP BY)."""
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")))


def record_access(
    *,
    user,
    channel: str,
    kind: str,
    worker=None,
    employer=None,
    scope: dict | None = None,
    rows: int | models.QuerySet | Subquery | None = None,
) -> None:
    """Write who read what: ``worker`` for a person's page, ``employer`` and ``scope`` for a list.

    ``worker`` and ``employer`` are instances or ids; ``rows`` a number, the queryset of what was handed out
    (counted in the INSERT), or an expression the INSERT evaluates.
    Durable: its own transaction, committed at once, so that nothing rolls a read back; calling it inside
    another transaction is a programming error (``RuntimeError``).
    """
    signed_in = user is not None and user.is_authenticated
    record = AccessRecord(
        user=user if signed_in else None,
        username=user.get_username() if signed_in else getpass.getuser(),
        channel=channel,
        kind=kind,
        scope=scope or {},
        rows=_count(rows) if isinstance(rows, models.QuerySet) else rows,
    )
    record.worker_id = getattr(worker, "pk", worker)
    record.employer_id = getattr(employer, "pk", employer)
    with transaction.atomic(durable=True):
        record.save(force_insert=True)


def access_logged(describe: Callable[..., dict]):
    """A portal view whose successful answer (200) is recorded: ``describe(request, **view_kwargs)`` gives the
    ``kind`` and what was read (``worker``, ``scope``, ``rows``); the employer is ``request.employer``.

    Put it under ``portal_view`` (which sets ``request.employer``); a 404 or a redirect records nothing.
    """

    def decorator(view):
        @wraps(view)
        def logged(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                record_access(
                    user=request.user,
                    channel=Channel.PORTAL,
                    employer=request.employer,
                    **describe(request, **kwargs),
                )
            return response

        return logged

    return decorator


# --- what each portal view reads ----------------------------------------------------------------------------


def person_page(request, pk: int, **kwargs) -> dict:
    return {"kind": Kind.PERSON, "worker": pk, "rows": 1}


def roster_file(request, file_format: str, **kwargs) -> dict:
    # The rows roster_rows writes: the employer's open employments.
    employments = employments_visible_to(request.user, request.employer)
    return {
        "kind": Kind.DOWNLOAD,
        "scope": {"file": "roster", "format": file_format},
        "rows": employments.filter(end_date__isnull=True),
    }


def error_report(request, pk: int, **kwargs) -> dict:
    # The report holds every row of the uploaded file.
    return {
        "kind": Kind.ERROR_FILE,
        "scope": {"import_batch": pk},
        "rows": Subquery(ImportBatch.objects.filter(pk=pk).values("row_count")),
    }


def preview_shown(*, user, channel: str, context: dict) -> None:
    """An import batch's page, when it lists entries of the preview (names, NIKs, changes): one record."""
    page = context.get("page")
    if page is None:
        return
    batch = context["batch"]
    record_access(
        user=user,
        channel=channel,
        kind=Kind.PREVIEW,
        employer=batch.employer_id,
        scope={"import_batch": batch.pk, "show": context["shown"], "page": page.number},
        rows=len(page.object_list),
    )
