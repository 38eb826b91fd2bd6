"""Claims: recorded when submitted, then verified and paid, or rejected."""

from collections.abc import Collection
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import audit_context
from enrollment import date_rules
from enrollment.models import Claim, ImportBatch, Membership, Worker
from enrollment.services.versions import lock_as_seen
from mailing.notices import queue_claim_status
from programs.models import BenefitType

# Which status may follow which.
NEXT_STATUSES = {
    Claim.Status.SUBMITTED: {Claim.Status.VERIFIED, Claim.Status.REJECTED},
    Claim.Status.VERIFIED: {Claim.Status.PAID, Claim.Status.REJECTED},
    Claim.Status.PAID: set(),
    Claim.Status.REJECTED: set(),
}


def claim_membership(
    worker: Worker, benefit_code: str, incident_date: date
) -> tuple[list[date_rules.Contradiction], Membership | None]:
    """The worker's membership a claim arises from (``date_rules.claim_coverage``) and its contradictions."""
    programs = date_rules.BENEFIT_PROGRAMS.get(benefit_code, (benefit_code,))
    spans: dict[str, list[date_rules.Span]] = {}
    for membership in Membership.objects.filter(
        worker=worker, program__code__in=programs
    ).select_related("program", "segment", "employer"):
        spans.setdefault(membership.program.code, []).append(
            date_rules.Span(membership.start_date, membership.end_date, membership)
        )
    for program_spans in spans.values():
        program_spans.sort(key=lambda span: span.start)
    contradictions, span = date_rules.claim_coverage(benefit_code, incident_date, spans)
    return contradictions, span.source if span else None


@transaction.atomic
def record_claim(
    worker: Worker,
    *,
    reference: str,
    benefit_type: BenefitType,
    incident_date: date,
    submitted_date: date,
    amount: int,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
    confirm: Collection[str] = (),
) -> Claim:
    """Record a submitted claim. Its segment and employer are those of the worker's membership it arises from
    (``claim_membership``), never chosen; dates out of order are refused, an incident outside the coverage is
    a warning a staff user confirms (``confirm``), recorded on the claim."""
    contradictions = date_rules.claim_date_order(
        incident_date, submitted_date, None, timezone.localdate()
    )
    membership = None
    if benefit_type is not None and worker is not None:
        coverage, membership = claim_membership(worker, benefit_type.code, incident_date)
        contradictions += coverage
    confirmed = date_rules.judge(
        contradictions, acting_user=acting_user, channel=channel, confirm=confirm
    )
    claim = Claim(
        worker=worker,
        reference=reference,
        benefit_type=benefit_type,
        segment=membership.segment if membership else None,
        employer=membership.employer if membership else None,
        incident_date=incident_date,
        submitted_date=submitted_date,
        amount=amount,
        entered_via=channel,
        import_batch=batch,
        confirmed_warnings=confirmed,
    )
    with audit_context(user=acting_user, channel=channel, employer=claim.employer, batch=batch):
        claim.full_clean()
        claim.save()
    return claim


# What a claim is recorded with, besides its worker (``record_claim``'s keywords); the segment and employer
# follow from the worker's membership.
RECORDED_FIELDS = (
    "reference",
    "benefit_type",
    "incident_date",
    "submitted_date",
    "amount",
)


def record_claim_as(
    draft: Claim,
    *,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
    confirm: Collection[str] = (),
) -> Claim:
    """``record_claim`` with the values of an unsaved claim (the admin's add form, an import's row)."""
    values = {name: getattr(draft, name) for name in RECORDED_FIELDS}
    return record_claim(
        draft.worker,
        **values,
        acting_user=acting_user,
        channel=channel,
        batch=batch,
        confirm=confirm,
    )


@transaction.atomic
def advance_claim(
    claim: Claim,
    status: str,
    *,
    acting_user,
    channel: str,
    paid_date: date | None = None,
    amount: int | None = None,
    batch: ImportBatch | None = None,
    seen_version: int | None = None,
) -> Claim:
    """Move a claim to its next status; paying needs a paid date (and may set the final amount). Refused
    (``StaleEdit``) when the claim is no longer at ``seen_version``, the version the page showed."""
    if status not in Claim.Status.values:
        raise ValidationError(_("“%(status)s” is not a claim status.") % {"status": status})
    with audit_context(user=acting_user, channel=channel, employer=claim.employer_id, batch=batch):
        claim = lock_as_seen(claim, seen_version, acting_user=acting_user)
        old_status = claim.status
        if status not in NEXT_STATUSES[claim.status]:
            raise ValidationError(
                _("A claim that is %(current)s cannot become %(next)s.")
                % {"current": claim.get_status_display(), "next": Claim.Status(status).label}
            )
        claim.status = status
        if status == Claim.Status.PAID:
            if paid_date is None:
                raise ValidationError(_("Give the date the claim was paid."))
            date_rules.judge(
                date_rules.claim_date_order(
                    claim.incident_date, claim.submitted_date, paid_date, timezone.localdate()
                ),
                acting_user=acting_user,
                channel=channel,
            )
            claim.paid_date = paid_date
            if amount is not None:
                claim.amount = amount
        claim.full_clean()
        claim.save()
        # the employer hears of it by e-mail, queued in this transaction (decision 71)
        queue_claim_status(claim, old_status, acting_user=acting_user)
    return claim
