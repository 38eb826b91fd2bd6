"""Queueing e-mail: the one way any part of the portal sends a message (decision 71).

A mail is queued in the caller's transaction and delivered by the background worker after it commits, so a
request never waits for the mail server and a rolled-back change sends nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

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


@transaction.atomic
def queue_mails(drafts: Iterable[Draft], *, acting_user: User | None = None) -> list[OutgoingMail]:
    """Queue many mails in one statement per thousand; those whose ``dedupe_key`` exists are skipped.

    Returns the mails queued. Delivery is asked for once the caller's transaction commits.
    """
    drafts = list(drafts)
    for draft in drafts:
        # An unknown kind is a programming error, raised here and not at sending.
        kinds.get(draft.kind)
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


# Mails not sent yet: queued, or waiting for their next attempt (the worker's due mails, those a withdrawal stops).
PENDING = (OutgoingMail.Status.QUEUED, OutgoingMail.Status.RETRYING)

# Mails staff may send again: the server gave up on them, or they wait for their next attempt.
RETRYABLE = (
    OutgoingMail.Status.FAILED,
    OutgoingMail.Status.BOUNCED,
    OutgoingMail.Status.RETRYING,
)


@transaction.atomic
def retry_mails(mail_ids: Iterable[int], *, acting_user: User) -> int:
    """Queue the failed, bounced or waiting mails among ``mail_ids`` again, due now with their attempts counted
    afresh (after the address was corrected, or the server's trouble is over); the number queued again.

    Each is noted in the admin's log of the mail; the worker is asked to deliver once this commits."""
    mails = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=list(mail_ids), status__in=RETRYABLE)
        .order_by("pk")
    )
    if not mails:
        return 0
    OutgoingMail.objects.filter(pk__in=[mail.pk for mail in mails]).update(
        status=OutgoingMail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    _log(
        mails,
        acting_user,
        lambda mail: (
            gettext("Queued to be sent again (was %(status)s: %(error)s).")
            % {"status": mail.get_status_display(), "error": mail.last_error or "–"}
        ),
    )
    from mailing.delivery import request_delivery

    request_delivery()
    return len(mails)


@transaction.atomic
def withdraw_mails(mail_ids: Iterable[int], *, acting_user: User | None = None) -> int:
    """Withdraw the mails among ``mail_ids`` not sent yet (queued or waiting to retry): they will not be sent.

    For the apps whose mails lose their point (a revoked invitation); the number withdrawn."""
    mails = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=list(mail_ids), status__in=PENDING)
        .order_by("pk")
    )
    if not mails:
        return 0
    OutgoingMail.objects.filter(pk__in=[mail.pk for mail in mails]).update(
        status=OutgoingMail.Status.WITHDRAWN, next_attempt_at=None
    )
    if acting_user is not None:
        _log(mails, acting_user, lambda mail: gettext("Withdrawn: it will not be sent."))
    return len(mails)


def _log(mails: list[OutgoingMail], acting_user: User, message) -> None:
    content_type = ContentType.objects.get_for_model(OutgoingMail)
    LogEntry.objects.bulk_create(
        LogEntry(
            user=acting_user,
            content_type=content_type,
            object_id=str(mail.pk),
            object_repr=str(mail)[:200],
            action_flag=CHANGE,
            change_message=message(mail),
        )
        for mail in mails
    )
