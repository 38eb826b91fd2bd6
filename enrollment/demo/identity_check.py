"""A refused identity check, so that Disnaker's list "Identity checks to resolve" is not empty after ``make run``.

Made as an employer's user would: the NIK of another employer's worker with a name that is not theirs, through
``services.register_worker``. Safe to re-run (nothing is written when a refusal exists).
"""

from contextlib import suppress

from django.utils import timezone

from berjasa.audit import Channel
from enrollment import services
from enrollment.identity import IdentityNotProven
from enrollment.models import Employer, IdentityProofAttempt, Worker

DEMO_WAGE = 3_500_000


def ensure_refused_identity_check(
    employer: Employer, other: Employer, *, acting_user
) -> IdentityProofAttempt | None:
    """``acting_user`` of ``employer`` tries to add one of ``other``'s workers under another name; None when
    ``other`` has no worker to try."""
    refusals = IdentityProofAttempt.objects.filter(outcome=IdentityProofAttempt.Outcome.REFUSED)
    if refusals.exists():
        return refusals.first()
    worker = (
        Worker.objects.filter(employments__employer=other, employments__end_date__isnull=True)
        .exclude(employments__employer=employer)
        .order_by("pk")
        .first()
    )
    if worker is None:
        return None
    with suppress(IdentityNotProven):  # the point: it is refused and recorded
        services.register_worker(
            acting_user=acting_user,
            channel=Channel.PORTAL,
            nik=worker.nik,
            employer=employer,
            start_date=timezone.localdate().replace(day=1),
            monthly_wage=DEMO_WAGE,
            name="Budi Santoso",
            birth_date=worker.birth_date,
            sex=worker.sex,
            phone="0812 0000 0000",
        )
    return refusals.first()
