"""Linking a person the city knows to an employer's roster with proof of identity, and Disnaker's resolution
of the refused attempts. The rule itself is ``enrollment.identity.judge``.

Every attempt is an ``IdentityProofAttempt``: matched (written with the employment it opens), refused or
throttled. A refusal is kept even when the caller then raises (``register_worker`` commits the attempt before
it raises ``IdentityNotProven``).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import Channel
from enrollment.identity import Details, Verdict, failures_allowed, judge
from enrollment.models import Employer, Employment, IdentityProofAttempt, ImportBatch, Worker
from enrollment.services.roster import hire_worker

Outcome = IdentityProofAttempt.Outcome
Resolution = IdentityProofAttempt.Resolution
WINDOW = timedelta(hours=1)


def recent_failures(user, employer: Employer | int) -> int:
    """Refused attempts of the last hour by ``user`` (for any employer) or for ``employer`` (by any user),
    whichever is more. Throttled attempts do not count: a throttle ends an hour after the failures."""
    by_employer = Q(employer_id=getattr(employer, "pk", employer))
    by_user = Q(user=user) if getattr(user, "is_authenticated", False) else None
    counted = {"by_employer": Count("pk", filter=by_employer)}
    if by_user:
        counted["by_user"] = Count("pk", filter=by_user)
    counts = IdentityProofAttempt.objects.filter(
        by_employer | by_user if by_user else by_employer,
        outcome=Outcome.REFUSED,
        created_at__gte=timezone.now() - WINDOW,
    ).aggregate(**counted)
    return max(counts.values())


def new_attempt(
    *,
    acting_user,
    employer: Employer,
    worker_id: int,
    nik: str,
    channel: str,
    start_date: date | None,
    monthly_wage: int | None,
    batch: ImportBatch | None = None,
    row_number: int | None = None,
) -> IdentityProofAttempt:
    """An unsaved attempt, THROTTLED until ``note_verdict`` says what the check found."""
    return IdentityProofAttempt(
        user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        employer=employer,
        nik=nik,
        worker_id=worker_id,
        channel=channel,
        import_batch=batch,
        row_number=row_number,
        outcome=Outcome.THROTTLED,
        start_date=start_date,
        monthly_wage=monthly_wage,
    )


def note_verdict(attempt: IdentityProofAttempt, verdict: Verdict, offered: Details) -> None:
    """Which details matched, and, on a refusal only, what was offered (for the clerk who resolves it)."""
    attempt.outcome = Outcome.MATCHED if verdict.proven else Outcome.REFUSED
    attempt.name_matched = verdict.name
    attempt.birth_date_matched = verdict.birth_date
    attempt.sex_matched = verdict.sex
    attempt.kpj_matched = verdict.kpj
    attempt.phone_matched = verdict.phone
    if not verdict.proven:
        attempt.offered_name = (offered.name or "")[:150]
        attempt.offered_kpj = (offered.kpj or "").strip()[:20]
        attempt.offered_phone = (offered.phone or "").strip()[:20]


@transaction.atomic
def prove_and_link(
    worker: Worker,
    employer: Employer,
    offered: Details,
    *,
    start_date: date,
    monthly_wage: int,
    acting_user,
    channel: str,
) -> IdentityProofAttempt:
    """Check ``offered`` against the person on record and, if it proves them, hire them (one transaction).

    Beyond ``IDENTITY_PROOF_FAILURES_PER_HOUR`` refusals for the user or the employer, nothing is checked.
    Attempts for one employer run one at a time, so the limit is never overrun by parallel requests.
    """
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    attempt = new_attempt(
        acting_user=acting_user,
        employer=employer,
        worker_id=worker.pk,
        nik=worker.nik,
        channel=channel,
        start_date=start_date,
        monthly_wage=monthly_wage,
    )
    if recent_failures(acting_user, employer) < failures_allowed():
        note_verdict(attempt, judge(Details.of(worker), offered), offered)
    if attempt.outcome == Outcome.MATCHED:
        attempt.employment = hire_worker(
            worker,
            employer,
            start_date=start_date,
            monthly_wage=monthly_wage,
            acting_user=acting_user,
            channel=channel,
        )
        close_earlier_refusals([worker.pk], employer)
    attempt.save()
    return attempt


def record_attempts(attempts: list[IdentityProofAttempt]) -> None:
    """Keep the attempts of an import's rows: refused and throttled ones (Disnaker's work list, the throttle)
    and, at a check, matched ones (completed with their employment at the import)."""
    IdentityProofAttempt.objects.bulk_create(attempts)


def close_earlier_refusals(worker_ids: list[int], employer: Employer | int) -> None:
    """Once an employer has proven a person, its open refusals for that person need no clerk."""
    IdentityProofAttempt.objects.filter(
        worker_id__in=worker_ids,
        employer_id=getattr(employer, "pk", employer),
        outcome=Outcome.REFUSED,
        resolution=Resolution.OPEN,
    ).update(
        resolution=Resolution.LINKED,
        resolved_at=timezone.now(),
        resolution_note=_("The employer proved the person's identity in a later attempt."),
        **_ERASED,
    )


# What the employer typed is kept only until the refusal is resolved.
_ERASED = {"offered_name": "", "offered_kpj": "", "offered_phone": ""}


# --- Disnaker's resolution --------------------------------------------------------------------------------------


@transaction.atomic
def link_after_review(attempt: IdentityProofAttempt, *, acting_user, note: str = "") -> Employment:
    """A clerk has checked the person with the employer: hire them with the start date and wage it gave."""
    attempt = _open_refusal(attempt)
    if attempt.worker_id is None or attempt.start_date is None or attempt.monthly_wage is None:
        raise ValidationError(_("This attempt lacks the person, the start date or the wage."))
    employment = hire_worker(
        attempt.worker,
        attempt.employer,
        start_date=attempt.start_date,
        monthly_wage=attempt.monthly_wage,
        acting_user=acting_user,
        channel=Channel.ADMIN,
    )
    _resolve(attempt, Resolution.LINKED, acting_user, note.strip(), employment)
    return employment


@transaction.atomic
def dismiss_attempt(
    attempt: IdentityProofAttempt, *, acting_user, reason: str
) -> IdentityProofAttempt:
    """Nothing to link (a mistake, or someone who is not the person's employer): closed with the reason."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for dismissing this attempt."))
    attempt = _open_refusal(attempt)
    _resolve(attempt, Resolution.DISMISSED, acting_user, reason.strip())
    return attempt


def _open_refusal(attempt: IdentityProofAttempt) -> IdentityProofAttempt:
    attempt = (
        IdentityProofAttempt.objects.select_for_update(of=("self",))
        .select_related("worker", "employer")
        .get(pk=attempt.pk)
    )
    if attempt.outcome != Outcome.REFUSED or attempt.resolution != Resolution.OPEN:
        raise ValidationError(_("This attempt is not waiting to be resolved."))
    return attempt


def _resolve(
    attempt: IdentityProofAttempt,
    resolution: str,
    acting_user,
    note: str,
    employment: Employment | None = None,
) -> None:
    attempt.resolution = resolution
    attempt.resolved_by = acting_user
    attempt.resolved_at = timezone.now()
    attempt.resolution_note = note
    attempt.employment = employment
    for name, value in _ERASED.items():
        setattr(attempt, name, value)
    attempt.save()
