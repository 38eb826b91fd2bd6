"""The demo's outbox: a few notices in the states staff meet (sent, queued, waiting to retry, bounced).

Each is queued once (its once-only key ``demo:…``); a later run leaves them as they are. Their addresses are the
demo employers' ``.test`` contact addresses: no mail leaves for them (``make run`` "sends" to the console). The
queued and waiting ones are delivered by the demo's worker (``db_worker``, started by ``make run``).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from enrollment.models import Claim, ImportBatch
from mailing.models import OutgoingMail
from mailing.notices import (
    CLAIM_STATUS,
    IMPORT_FINISHED,
    claim_status_context,
    import_finished_context,
)
from mailing.rendering import render
from mailing.services import Draft, queue_mails

Status = OutgoingMail.Status


def _claim_draft(claim: Claim, key: str, old: str) -> Draft | None:
    employer = claim.employer
    if employer is None or not employer.email:
        return None
    return Draft(
        CLAIM_STATUS,
        employer.email,
        claim_status_context(claim, old, changed_on=claim.paid_date or claim.submitted_date),
        dedupe_key=f"demo:{key}",
        employer_id=employer.pk,
    )


@transaction.atomic
def ensure_mail_demo(acting_user) -> str:
    """Queue the demo's notices once and put them in their states; a line saying what the outbox holds."""
    claims = Claim.objects.filter(employer__isnull=False, employer__email__gt="").select_related(
        "employer", "benefit_type"
    )
    paid = list(claims.filter(status=Claim.Status.PAID).order_by("pk")[:2])
    rejected = list(claims.filter(status=Claim.Status.REJECTED).order_by("pk")[:1])
    verified = list(claims.filter(status=Claim.Status.VERIFIED).order_by("pk")[:1])
    plan = []  # (draft, state)
    for n, claim in enumerate(paid):
        plan.append((_claim_draft(claim, f"claim-paid-{n}", Claim.Status.VERIFIED), Status.SENT))
    for claim in rejected:
        plan.append((_claim_draft(claim, "claim-rejected", Claim.Status.SUBMITTED), Status.BOUNCED))
    for claim in verified:
        plan.append((_claim_draft(claim, "claim-verified", Claim.Status.SUBMITTED), Status.QUEUED))
    statement = (
        ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED, employer__isnull=False)
        .select_related("employer")
        .order_by("pk")
        .first()
    )
    if statement is not None and statement.employer.email:
        plan.append(
            (
                Draft(
                    IMPORT_FINISHED,
                    statement.employer.email,
                    {
                        **import_finished_context(
                            statement, ImportBatch.Status.IMPORTED, staff=False
                        ),
                        "file_name": statement.file_name or "daftar_pekerja.xlsx",
                        "message": "",
                    },
                    dedupe_key="demo:import-finished",
                    employer_id=statement.employer_id,
                ),
                Status.RETRYING,
            )
        )
    plan = [(draft, state) for draft, state in plan if draft is not None]
    created = {
        mail.dedupe_key: mail
        for mail in queue_mails([draft for draft, _state in plan], acting_user=acting_user)
    }
    now = timezone.now()
    for draft, state in plan:
        mail = created.get(draft.dedupe_key)
        if mail is None or state == Status.QUEUED:
            continue
        if state == Status.SENT:
            values = {
                "attempts": 1,
                "sent_at": now - timedelta(days=2),
                "subject": render(mail).subject,
                "next_attempt_at": None,
            }
        elif state == Status.BOUNCED:
            values = {
                "attempts": 1,
                "next_attempt_at": None,
                "last_error": f"550 5.1.1 <{mail.recipient}>: Recipient address rejected: "
                "User unknown in virtual mailbox table",
            }
        else:  # the relay said "later" once: tried again in a few minutes
            values = {
                "attempts": 1,
                "next_attempt_at": now + timedelta(minutes=5),
                "last_error": "451 4.7.1 Greylisted, please try again later",
            }
        OutgoingMail.objects.filter(pk=mail.pk).update(status=state, **values)
    held = OutgoingMail.objects.filter(dedupe_key__startswith="demo:").count()
    return f"Outbox: {held} demo notices ({len(created)} queued now)."
