"""Delivering the outbox (decision 71): the background worker sends due mails over SMTP, each exactly as queued.

``queue_mails`` calls ``request_delivery``, which enqueues the job ``deliver_mail`` once the caller's transaction
commits (one job per call, not per mail; none while one is already waiting to start). The job runs
``deliver_due``: up to ``MAIL_BATCH_SIZE`` due mails (queued, or waiting to retry whose time has come), oldest
first, over one SMTP connection. Each mail is taken in its own short transaction with its row locked
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take the same mail; SQLite lets one
writer at a time), rendered, sent with its own Message-ID (the same at every attempt), and marked in that same
transaction:

- accepted by the server → SENT (with the time and the subject);
- the recipient refused for good (a 5xx answer) → BOUNCED, with the server's words;
- the server unreachable, the connection lost, or a 4xx answer → RETRYING, tried again after
  ``MAIL_RETRY_BASE_SECONDS × 2^(attempts−1)`` (at most ``MAIL_RETRY_MAX_SECONDS``); FAILED after
  ``MAIL_MAX_ATTEMPTS``. A lost connection ends the batch at once: the mails not tried keep their state and
  their attempts;
- its kind says it is no longer to be sent (``kinds.Withdrawn``) → WITHDRAWN, nothing sent.

A mail is SENT only once the server has accepted it, and its row is written in the transaction that holds its
lock, so no mail is lost and none is sent twice, but for one window: the process dies after the server accepted
the mail and before the row's transaction commits. The row is then still due and is sent again, with the same
Message-ID (a receiving server or client may recognise the repeat).

After a batch, the job enqueues itself again: at once when the batch was full and more is due, else at the
earliest next attempt of the mails waiting (after a lost connection: not before ``MAIL_RETRY_BASE_SECONDS``).
``manage.py deliver_mail`` (cron, every minute) is the safety net when no job is queued.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from mailing import kinds
from mailing.models import OutgoingMail
from mailing.rendering import render
from mailing.services import PENDING

logger = logging.getLogger(__name__)
Status = OutgoingMail.Status


def request_delivery() -> None:
    """Ask the background worker to deliver what is due, once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_delivery())


def due(now: datetime | None = None) -> QuerySet[OutgoingMail]:
    """The mails to send now, oldest first (the partial index ``mail_due_idx``)."""
    now = now or timezone.now()
    return OutgoingMail.objects.filter(status__in=PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )


def waiting() -> QuerySet[OutgoingMail]:
    return OutgoingMail.objects.filter(status__in=PENDING)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base × 2^(attempts−1), capped."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.MAIL_RETRY_MAX_SECONDS))


# --- the outcome of one batch ------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What ``deliver_due`` did: counts by the status each mail it took ended in."""

    counts: dict[str, int] = field(default_factory=dict)
    # The server could not be reached, or the connection was lost: the batch ended early.
    server_down: bool = False
    # The batch took as many mails as it was allowed to (more may be due).
    full: bool = False

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def taken(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {**self.counts, "server_down": self.server_down}


# --- what the server's answer means -------------------------------------------------------------------------

BOUNCE = "bounce"  # the recipient refused for good: do not try again
INVALID = "invalid"  # the mail cannot be sent as it is (an address Django refuses): failed at once
LATER = "later"  # this mail, now: try it again later; the connection is still usable
DOWN = "down"  # the server or the connection: try it later, and end the batch


def _reason(code: int | None, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    words = f"{code} {text}" if code else str(text)
    return words.strip()[:500]


def classify(error: Exception) -> tuple[str, str]:
    """What a failed send means (``BOUNCE``, ``INVALID``, ``LATER`` or ``DOWN``) and the server's words for
    it."""
    if not isinstance(
        error, OSError
    ):  # smtplib's and the network's errors are OSErrors; this is the mail's
        return INVALID, _reason(None, f"{type(error).__name__}: {error}")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, str(error)))
        if code == 421:  # the server is closing the connection
            return DOWN, _reason(code, text)
        return (BOUNCE if code and 500 <= code < 600 else LATER), _reason(code, text)
    if isinstance(error, smtplib.SMTPSenderRefused):
        # our sender address refused: every mail would be, so this is the server's state, not the mail's
        return DOWN, _reason(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPDataError):
        code = error.smtp_code
        if code == 421:
            return DOWN, _reason(code, error.smtp_error)
        return (BOUNCE if 500 <= code < 600 else LATER), _reason(code, error.smtp_error)
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError | smtplib.SMTPHeloError
    ):
        return (DOWN if error.smtp_code == 421 else LATER), _reason(
            error.smtp_code, error.smtp_error
        )
    # unreachable, refused, timed out, disconnected, TLS or login refused: the server as a whole
    return DOWN, _reason(None, f"{type(error).__name__}: {error}")


# --- delivering --------------------------------------------------------------------------------------------


def deliver_due(limit: int | None = None) -> Delivery:
    """Deliver up to ``limit`` due mails (``MAIL_BATCH_SIZE``) over one SMTP connection; see the module."""
    limit = settings.MAIL_BATCH_SIZE if limit is None else limit
    delivery = Delivery()
    smtp = get_connection()
    opened = False
    sent_on_connection = 0
    try:
        while delivery.taken < limit:
            with transaction.atomic():
                mail = _lock_next_due()
                if mail is None:
                    break
                try:
                    rendered = render(mail)
                except kinds.Withdrawn:  # nothing sent: no attempt counted
                    OutgoingMail.objects.filter(pk=mail.pk).update(
                        status=Status.WITHDRAWN, next_attempt_at=None
                    )
                    delivery.add(Status.WITHDRAWN)
                    continue
                except Exception as error:  # a template or its context is broken: retry after a fix
                    logger.exception("Mail %s could not be rendered", mail.pk)
                    delivery.add(_failed(mail, f"{type(error).__name__}: {error}"[:500]))
                    continue
                message = EmailMessage(
                    subject=rendered.subject,
                    body=rendered.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[mail.recipient],
                    headers={"Message-ID": mail.message_id},
                )
                try:
                    if not opened:
                        smtp.open()
                        opened = True
                        sent_on_connection = 0
                    try:
                        smtp.send_messages([message])
                    except smtplib.SMTPServerDisconnected:
                        if not sent_on_connection:
                            raise
                        # A relay may close a connection after so many messages: one new connection
                        # before the mail counts as failed. (Had it cut the connection after taking the
                        # message and before answering, the mail goes twice, with the same Message-ID.)
                        _close(smtp)
                        smtp.open()
                        sent_on_connection = 0
                        smtp.send_messages([message])
                except Exception as error:
                    meaning, reason = classify(error)
                    if meaning in (BOUNCE, INVALID):
                        status = Status.BOUNCED if meaning == BOUNCE else Status.FAILED
                        _finish(mail, status, last_error=reason)
                        delivery.add(status)
                        continue
                    delivery.add(_failed(mail, reason))
                    if meaning == DOWN:
                        logger.warning("Mail server unavailable, delivery stops: %s", reason)
                        delivery.server_down = True
                        _close(smtp)
                        opened = False
                        break
                    continue
                sent_on_connection += 1
                _finish(mail, Status.SENT, subject=rendered.subject[:255], sent_at=timezone.now())
                delivery.add(Status.SENT)
        delivery.full = delivery.taken >= limit
    finally:
        if opened:
            _close(smtp)
    return delivery


def _lock_next_due() -> OutgoingMail | None:
    """The oldest due mail, its row locked until the transaction ends (skipping rows others hold)."""
    mails = due()
    if db_connection.features.has_select_for_update_skip_locked:
        mails = mails.select_for_update(skip_locked=True)
    else:
        mails = mails.select_for_update()
    return mails.first()


def _finish(mail: OutgoingMail, status: str, **values) -> None:
    values.setdefault("last_error", "")
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=status, attempts=mail.attempts + 1, next_attempt_at=None, **values
    )


def _failed(mail: OutgoingMail, reason: str) -> str:
    """An attempt that may succeed later: RETRYING after the back-off, or FAILED after the last attempt."""
    attempts = mail.attempts + 1
    if attempts >= settings.MAIL_MAX_ATTEMPTS:
        _finish(mail, Status.FAILED, last_error=reason)
        return Status.FAILED
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=Status.RETRYING,
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        last_error=reason,
    )
    return Status.RETRYING


def _close(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # the connection is gone either way
        logger.debug("Closing the SMTP connection failed", exc_info=True)


# --- the background job -------------------------------------------------------------------------------------


@task()
def deliver_mail() -> dict:
    """One batch (``deliver_due``), then the next job: at once if more is due, else when the next is."""
    delivery = deliver_due()
    schedule_next(delivery)
    return delivery.as_dict()


def next_run(delivery: Delivery, now: datetime | None = None) -> datetime | None:
    """When the job should run again after ``delivery``: now, later, or never (None: nothing waits)."""
    now = now or timezone.now()
    if delivery.full and not delivery.server_down:
        return now
    earliest = waiting().aggregate(at=Min("next_attempt_at"))["at"]
    if earliest is None:
        return None
    if delivery.server_down:
        return max(earliest, now + timedelta(seconds=settings.MAIL_RETRY_BASE_SECONDS))
    # The batch ran out of due mails: those still due are held by another worker, which goes on with them.
    return earliest if earliest > now else None


def schedule_next(delivery: Delivery) -> None:
    at = next_run(delivery)
    if at is not None:
        enqueue_delivery(run_after=at)


def enqueue_delivery(run_after: datetime | None = None) -> None:
    """Enqueue ``deliver_mail`` (at ``run_after``, or at once), unless a job not yet started would run by then.

    A backend that cannot defer a job (the tests' immediate one) gets none for later: the cron command delivers
    what becomes due."""
    now = timezone.now()
    if run_after is not None and run_after <= now:
        run_after = None
    job = deliver_mail
    backend = job.get_backend()
    if run_after is not None and not backend.supports_defer:
        return
    if _job_waiting(backend, run_after or now):
        return
    if run_after is not None:
        job = job.using(run_after=run_after)
    job.enqueue()


def _job_waiting(backend, by: datetime) -> bool:
    """Whether the database queue holds a ``deliver_mail`` job, not started, that will run by ``by``."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(backend, DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.filter(
            task_path=deliver_mail.module_path, status="READY", backend_name=backend.alias
        )
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=by))
        .exists()
    )
