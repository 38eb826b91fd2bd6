"""Who may change a person's personal data, and change requests for a person several employers share.

Disnaker (no employer) changes it at once and keeps the record keeper. An employer changes its exclusive worker
at once and becomes the keeper. For a person it shares (someone else has an open employment of them, or they hold
an open membership not through it), its change becomes a ``PersonalDataChangeRequest``: identity fields are
confirmed by Disnaker or another employer of the person, contact fields by Disnaker only.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import audit_context
from enrollment.models import (
    Employer,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
    stored_values,
)
from enrollment.nik import judge_nik_facts
from enrollment.services.roster import update_worker
from enrollment.services.versions import lock_as_seen
from programs.models import Kelurahan

Status = PersonalDataChangeRequest.Status
DATE_FIELDS = {"birth_date"}


def stored(name: str, value):
    """A field's value as a change request keeps it (JSON): dates as ISO text, the kelurahan by id."""
    if isinstance(value, date):
        return value.isoformat()
    if name == "kelurahan" and value is not None and not isinstance(value, int):
        return value.pk
    return value


def _applied(name: str, value):
    """A stored value back as the service takes it."""
    if name in DATE_FIELDS and value:
        return date.fromisoformat(value)
    if name == "kelurahan" and value is not None:
        return Kelurahan.objects.get(pk=value)
    return value


def _recorded(worker: Worker, name: str):
    return stored(name, getattr(worker, Worker._meta.get_field(name).attname))


def others_share(worker_id: int, employer: Employer) -> bool:
    """Whether someone other than ``employer`` has an open employment of the person, or the person holds an open
    membership not through ``employer`` (city-funded, or another employer's)."""
    return (
        Worker.objects.filter(pk=worker_id)
        .filter(
            Exists(
                Employment.objects.filter(worker=OuterRef("pk"), end_date__isnull=True).exclude(
                    employer=employer
                )
            )
            | Exists(
                Membership.objects.filter(worker=OuterRef("pk"), end_date__isnull=True).filter(
                    Q(employer__isnull=True) | ~Q(employer=employer)
                )
            )
        )
        .exists()
    )


def _as_service_keywords(changes: dict) -> dict:
    return {name: _applied(name, value) for name, value in changes.items()}


@transaction.atomic
def change_personal_data(
    worker: Worker,
    *,
    acting_user,
    channel: str,
    employer: Employer | None = None,
    seen_version: int | None = None,
    **changes,
) -> Worker | PersonalDataChangeRequest | None:
    """Apply ``changes`` or ask for them: the changed worker, the change request written, or None (nothing differs).

    ``employer`` None is Disnaker: applied, the keeper kept. An employer's change to a worker it alone has is
    applied and the employer becomes the keeper; to a shared person, a pending change request of the fields that
    differ (refused while the employer already has one pending for the person). Refused (``StaleEdit``) when the
    worker is no longer at ``seen_version``, the version the form showed: its values would undo that change.
    """
    changes = stored_values(changes)  # "+62 812…" does not differ from "0812…"
    worker = lock_as_seen(worker, seen_version, acting_user=acting_user, employer=employer)
    differing = {
        name: [_recorded(worker, name), stored(name, value)]
        for name, value in changes.items()
        if _recorded(worker, name) != stored(name, value)
    }
    if not differing:
        return None
    if employer is None or not others_share(worker.pk, employer):
        keeper = {} if employer is None else {"keeper": employer}
        new_values = {name: new for name, (_old, new) in differing.items()}
        return update_worker(
            worker,
            acting_user=acting_user,
            channel=channel,
            employer=employer,
            **keeper,
            **_as_service_keywords(new_values),
        )
    return request_change(
        worker, differing, acting_user=acting_user, channel=channel, employer=employer
    )


@transaction.atomic
def request_change(
    worker: Worker,
    changes: dict[str, list],
    *,
    acting_user,
    channel: str,
    employer: Employer,
    batch: ImportBatch | None = None,
) -> PersonalDataChangeRequest:
    """A pending request of ``changes`` (field → [recorded, requested], stored form) by ``employer``; one that
    would make the birth date or sex disagree with the NIK is refused to an employer's user (``judge_nik_facts``:
    Disnaker could not approve it), and counts as confirmed by staff, who saw the warning first."""
    if {"nik", "birth_date", "sex"} & changes.keys():
        requested = {name: _applied(name, new) for name, (_old, new) in changes.items()}
        judge_nik_facts(
            requested.get("nik", worker.nik),
            requested.get("birth_date", worker.birth_date),
            requested.get("sex", worker.sex),
            acting_user=acting_user,
            channel=channel,
            confirm=True,
        )
    with audit_context(user=acting_user, channel=channel, employer=employer, batch=batch):
        if PersonalDataChangeRequest.objects.filter(
            worker=worker, employer=employer, status=Status.PENDING
        ).exists():
            raise ValidationError(
                _(
                    "A change to this person's data is already awaiting confirmation. Wait for it to be "
                    "decided, or withdraw it first."
                )
            )
        change_request = PersonalDataChangeRequest(
            worker=worker,
            employer=employer,
            requested_by=acting_user,
            changes=changes,
            import_batch=batch,
        )
        change_request.full_clean()
        change_request.save()
    return change_request


def may_decide(change_request: PersonalDataChangeRequest, employer: Employer | None) -> bool:
    """Disnaker decides any request; another employer with an open employment of the person, identity ones only."""
    if employer is None:
        return True
    return (
        change_request.employer_id != employer.pk
        and change_request.identity_only
        and Employment.objects.filter(
            worker_id=change_request.worker_id, employer=employer, end_date__isnull=True
        ).exists()
    )


@transaction.atomic
def decide_change_request(
    change_request: PersonalDataChangeRequest,
    *,
    approve: bool,
    acting_user,
    channel: str,
    employer: Employer | None = None,
    reason: str = "",
) -> PersonalDataChangeRequest:
    """Approve (apply through the services) or reject a pending request, as Disnaker (``employer`` None) or as
    another employer of the person. Refused when it was decided already, or the record changed since it was asked:
    approving it would overwrite that change unseen."""
    with audit_context(user=acting_user, channel=channel, employer=employer):
        change_request = PersonalDataChangeRequest.objects.select_for_update().get(
            pk=change_request.pk
        )
        if change_request.status != Status.PENDING:
            raise ValidationError(_("This change request has already been decided."))
        if not may_decide(change_request, employer):
            raise ValidationError(_("You may not decide this change request."))
        worker = Worker.objects.select_for_update().get(pk=change_request.worker_id)
        if approve:
            stale = [
                str(Worker._meta.get_field(name).verbose_name)
                for name, (old, _new) in change_request.changes.items()
                if _recorded(worker, name) != old
            ]
            if stale:
                raise ValidationError(
                    _(
                        "The record has changed since this request was made (%(fields)s); it can no longer "
                        "be approved. Reject it, and ask for a new one if still needed."
                    )
                    % {"fields": ", ".join(stale)}
                )
            new_values = {name: new for name, (_old, new) in change_request.changes.items()}
            keeper = {} if change_request.identity_only else {"keeper": change_request.employer}
            update_worker(
                worker,
                acting_user=acting_user,
                channel=channel,
                employer=change_request.employer,
                **keeper,
                **_as_service_keywords(new_values),
            )
        change_request.status = Status.APPROVED if approve else Status.REJECTED
        change_request.decided_by = acting_user
        change_request.decided_at = timezone.now()
        change_request.reason = reason[:255]
        change_request.save()
    return change_request


@transaction.atomic
def withdraw_change_request(
    change_request: PersonalDataChangeRequest, *, acting_user, channel: str, employer: Employer
) -> PersonalDataChangeRequest:
    """The requesting employer takes back its pending request."""
    with audit_context(user=acting_user, channel=channel, employer=employer):
        change_request = PersonalDataChangeRequest.objects.select_for_update().get(
            pk=change_request.pk, employer=employer
        )
        if change_request.status != Status.PENDING:
            raise ValidationError(_("This change request has already been decided."))
        change_request.status = Status.WITHDRAWN
        change_request.decided_by = acting_user
        change_request.decided_at = timezone.now()
        change_request.save()
    return change_request
