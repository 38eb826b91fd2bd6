"""Queueing e-mail: the one way any part of the portal sends a message (decision 71).

A mail is queued in the caller's transaction and delivered by the background worker after it commits, so a
request never waits for the mail server and a rolled-back change sends nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mailing import kinds
from mailing.models import OutgoingMail


@dataclass(frozen=True)
class Draft:
    """One mail to queue: its kind, recipient and the ids and values its template needs."""

    kind: str
    to: str
    context: dict = field(default_factory=dict)
    dedupe_key: str | None = None
    employer_id: int | None = None
    language: str = "id"


def queue_mail(
    kind: str,
    *,
    to: str,
    context: dict | None = None,
    dedupe_key: str | None = None,
    employer_id: int | None = None,
    acting_user: User | None = None,
) -> OutgoingMail | None:
    """Queue one mail; None when a mail with the same ``dedupe_key`` was queued before."""
    draft = Draft(kind, to, context or {}, dedupe_key, employer_id)
    created = queue_mails([draft], acting_user=acting_user)
    return created[0] if created else None


@transaction.atomic
def queue_mails(drafts: Iterable[Draft], *, acting_user: User | None = None) -> list[OutgoingMail]:
    """Queue many mails in one statement per thousand; those whose ``dedupe_key`` exists are skipped.

    Returns the mails queued. Delivery is asked for once the caller's transaction commits.
    """
    drafts = list(drafts)
    for draft in drafts:
        kinds.get(
            draft.kind
        )  # an unknown kind is a programming error, raised here and not at sending
    keys = [draft.dedupe_key for draft in drafts if draft.dedupe_key]
    taken = (
        set(OutgoingMail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        if keys
        else set()
    )
    now = timezone.now()
    rows = []
    for draft in drafts:
        if draft.dedupe_key and draft.dedupe_key in taken:
            continue
        if draft.dedupe_key:
            taken.add(draft.dedupe_key)
        rows.append(
            OutgoingMail(
                kind=draft.kind,
                recipient=draft.to,
                language=draft.language,
                context=draft.context,
                dedupe_key=draft.dedupe_key,
                employer_id=draft.employer_id,
                created_by=acting_user,
                next_attempt_at=now,
            )
        )
    created = OutgoingMail.objects.bulk_create(rows, batch_size=1000)
    if created:
        from mailing.delivery import request_delivery

        request_delivery()
    return created
