"""The registration hand-over (decision 62): the city-funded memberships registered here, written as BPJS's
collective-registration file and marked submitted; and the clerk's two answers to a rejection.

A file lists one batch's or one segment's open city-funded memberships still REGISTERED, one row per person
(the person's memberships together: ``JKK+JKM``). Producing it marks them SUBMITTED with the file, in the same
transaction; the file records who and when, and each membership gets a history row.
"""

import io
from collections.abc import Iterator
from datetime import date
from itertools import groupby

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import Channel, audit_context
from berjasa.spreadsheets import stream_csv, write_xlsx
from bpjs.columns import FIELDS, columns
from bpjs.models import FileKind, RegistrationFile
from enrollment.imports.engine import among
from enrollment.imports.writer import BulkWriter
from enrollment.models import BpjsStatus, ImportBatch, Membership
from enrollment.services.roster import set_end_date
from enrollment.services.versions import lock_as_seen
from programs.models import Segment

BPJS_DATE = "%d/%m/%Y"  # the file's format, the same in every language
BPJS_MONTH = "%m/%Y"
ROW_VALUES = (
    "worker_id",
    "worker__nik",
    "worker__name",
    "worker__birth_date",
    "worker__sex",
    "worker__address",
    "worker__kelurahan__name",
    "worker__phone",
    "program__code",
    "wage",
    "start_date",
    "employer__npp",
    "segment__code",
)


class NothingToHandOver(ValidationError):
    pass


def waiting_for_hand_over() -> QuerySet[Membership]:
    """The open city-funded memberships that BPJS has not been handed yet."""
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()),
        funding_scheme__is_city_budget=True,
        bpjs_status=BpjsStatus.REGISTERED,
    )


def memberships_to_hand_over(
    *, import_batch: ImportBatch | None = None, segment: Segment | None = None
) -> QuerySet[Membership]:
    """``waiting_for_hand_over`` of ``import_batch`` or of ``segment``."""
    if (import_batch is None) == (segment is None):
        raise ValueError("a registration file lists one import batch or one segment")
    scope = Q(import_batch=import_batch) if import_batch else Q(segment=segment)
    return waiting_for_hand_over().filter(scope)


@transaction.atomic
def create_registration_file(
    *,
    acting_user,
    import_batch: ImportBatch | None = None,
    segment: Segment | None = None,
    channel: str = Channel.ADMIN,
) -> RegistrationFile:
    """Write the registration file of ``import_batch`` or ``segment`` (CSV and XLSX) and mark its memberships
    SUBMITTED; ``NothingToHandOver`` when none is waiting (also the second click of a double submit)."""
    chosen = memberships_to_hand_over(import_batch=import_batch, segment=segment)
    ids = list(chosen.select_for_update().order_by().values_list("pk", flat=True))
    if not ids:
        raise NothingToHandOver(
            _("No city-funded membership of %(scope)s is waiting to be handed over to BPJS.")
            % {"scope": import_batch or segment}
        )
    # The file and the marking read the locked rows only: a membership another import commits meanwhile waits
    # for the next file instead of being marked submitted without being in this one.
    chosen = Membership.objects.filter(among("id", ids))
    rows = list(registration_rows(chosen.order_by("worker_id", "program__sort_order")))
    now = timezone.now()
    try:
        with (
            transaction.atomic()
        ):  # another file of the month made at the same moment took the number
            registration = RegistrationFile.objects.create(
                reference=_next_reference(timezone.localdate()),
                import_batch=import_batch,
                segment=segment,
                created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                person_count=len(rows),
                membership_count=len(ids),
            )
    except IntegrityError:
        raise ValidationError(
            _("Another registration file was made at the same moment; produce this one again.")
        ) from None
    header = [column.header for column in columns(FileKind.REGISTRATION)]
    text_columns = [index for index, spec in enumerate(FIELDS[FileKind.REGISTRATION]) if spec.text]
    csv_text = "".join(stream_csv(header, rows))
    registration.csv_file.save(
        f"{registration.reference}.csv", ContentFile(csv_text.encode("utf-8")), save=False
    )
    workbook = io.BytesIO()
    write_xlsx(workbook, header, rows, text_columns=text_columns, sheet_title="Pendaftaran")
    registration.xlsx_file.save(
        f"{registration.reference}.xlsx", ContentFile(workbook.getvalue()), save=False
    )
    registration.save()
    writer = BulkWriter(
        batch_id=getattr(import_batch, "pk", None),
        user_id=registration.created_by_id,
        employer_id=None,
        now=now,
        channel=channel,
    )
    chosen.update(
        bpjs_status=BpjsStatus.SUBMITTED,
        bpjs_submission=registration,
        updated_at=now,
        version=F("version") + 1,  # a form opened before is refused (``Versioned``)
    )
    writer.history(Membership, "~", ids)
    return registration


def registration_rows(memberships: QuerySet[Membership]) -> Iterator[list]:
    """One row per person, in the order of ``FIELDS[REGISTRATION]``; ``memberships`` ordered by worker."""
    values = memberships.values_list(*ROW_VALUES)
    for _worker, group in groupby(values, key=lambda row: row[0]):
        group = list(group)
        (_id, nik, name, birth, sex, address, kelurahan, phone, *_rest) = group[0]
        wages = [row[9] for row in group if row[9] is not None]
        yield [
            nik,
            name,
            "",  # place of birth: not recorded here
            birth.strftime(BPJS_DATE) if birth else "",
            sex,
            ", ".join(part for part in (address, f"Kel. {kelurahan}" if kelurahan else "") if part),
            phone,
            "+".join(row[8] for row in group),
            max(wages) if wages else "",
            min(row[10] for row in group).strftime(BPJS_MONTH),
            next((row[11] for row in group if row[11]), ""),
            group[0][12],
        ]


def _next_reference(today: date) -> str:
    """``REG-2025-08-0001``: the month's files numbered in order."""
    prefix = f"REG-{today:%Y-%m}-"
    made = RegistrationFile.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{made + 1:04d}"


# --- the rejected work list -----------------------------------------------------------------------------------


def _rejected_as_seen(membership: Membership, seen_version: int | None, acting_user) -> Membership:
    """The membership locked, as a ``Membership`` (not the work list's proxy: its history is the model's)."""
    membership = lock_as_seen(Membership(pk=membership.pk), seen_version, acting_user=acting_user)
    if membership.bpjs_status != BpjsStatus.REJECTED or membership.end_date is not None:
        raise ValidationError(_("This membership is no longer an open rejection by BPJS."))
    return membership


@transaction.atomic
def resubmit_rejected(
    membership: Membership, *, acting_user, seen_version: int | None = None
) -> Membership:
    """Send a rejected membership back to "registered here" (after the clerk corrected the worker): the next
    registration file of its batch or segment hands it over again. BPJS's reason stays in its history."""
    with audit_context(user=acting_user, channel=Channel.ADMIN):
        membership = _rejected_as_seen(membership, seen_version, acting_user)
        membership.bpjs_status = BpjsStatus.REGISTERED
        membership.bpjs_reason = ""
        membership._change_reason = _("Corrected and resubmitted to BPJS")[:100]
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def end_rejected(
    membership: Membership,
    *,
    end_date: date,
    reason: str,
    acting_user,
    seen_version: int | None = None,
) -> Membership:
    """End a rejected membership with the clerk's reason (the rule of ``end_membership``: an open membership,
    not before its start); the reason replaces BPJS's, which stays in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the membership ends."))
    with audit_context(user=acting_user, channel=Channel.ADMIN):
        membership = _rejected_as_seen(membership, seen_version, acting_user)
        set_end_date(membership, end_date, _("This membership has already ended."))
        membership.bpjs_reason = reason[:255]
        membership._change_reason = reason[:100]
        membership.full_clean()
        membership.save()
    return membership
