"""Claims: recorded when submitted, then verified and paid, or rejected."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from berjasa.audit import audit_context
from enrollment.models import Claim, ImportBatch, Worker
from enrollment.services.versions import lock_as_seen
from programs.models import BenefitType, Segment

# Which status may follow which.
NEXT_STATUSES = {
    Claim.Status.SUBMITTED: {Claim.Status.VERIFIED, Claim.Status.REJECTED},
    Claim.Status.VERIFIED: {Claim.Status.PAID, Claim.Status.REJECTED},
    Claim.Status.PAID: set(),
    Claim.Status.REJECTED: set(),
}


@transaction.atomic
def record_claim(
    worker: Worker,
    *,
    reference: str,
    benefit_type: BenefitType,
    segment: Segment,
    incident_date: date,
    submitted_date: date,
    amount: int,
    acting_user,
    channel: str,
    employer=None,
    batch: ImportBatch | None = None,
) -> Claim:
    claim = Claim(
        worker=worker,
        reference=reference,
        benefit_type=benefit_type,
        segment=segment,
        employer=employer,
        incident_date=incident_date,
        submitted_date=submitted_date,
        amount=amount,
        entered_via=channel,
        import_batch=batch,
    )
    with audit_context(user=acting_user, channel=channel, employer=employer, batch=batch):
        claim.full_clean()
        claim.save()
    return claim


# What a claim is recorded with, besides its worker (``record_claim``'s keywords).
RECORDED_FIELDS = (
    "reference",
    "benefit_type",
    "segment",
    "employer",
    "incident_date",
    "submitted_date",
    "amount",
)


def record_claim_as(
    draft: Claim, *, acting_user, channel: str, batch: ImportBatch | None = None
) -> Claim:
    """``record_claim`` with the values of an unsaved claim (the admin's add form, an import's row)."""
    values = {name: getattr(draft, name) for name in RECORDED_FIELDS}
    return record_claim(
        draft.worker, **values, acting_user=acting_user, channel=channel, batch=batch
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
        if status not in NEXT_STATUSES[claim.status]:
            raise ValidationError(
                _("A claim that is %(current)s cannot become %(next)s.")
                % {"current": claim.get_status_display(), "next": Claim.Status(status).label}
            )
        claim.status = status
        if status == Claim.Status.PAID:
            if paid_date is None:
                raise ValidationError(_("Give the date the claim was paid."))
            claim.paid_date = paid_date
            if amount is not None:
                claim.amount = amount
        claim.full_clean()
        claim.save()
    return claim
