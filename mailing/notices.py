"""The portal's own notices by e-mail (issue 15): an import that ended in the background, a claim's new status.

Each is queued in the transaction of the change it tells of (``mailing.services.queue_mails``), so a change
rolled back sends nothing, and once per event (its once-only key). Their templates are
``templates/mail/<language>/<kind>.txt``; they name no NIK and no person (a claim by its reference).
"""

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berjasa.formatting import number, short_date
from enrollment.models import Claim, EmployerUser, ImportBatch
from mailing import kinds
from mailing.services import Draft, queue_mails

IMPORT_FINISHED = "import_finished"
CLAIM_STATUS = "claim_status"

# The ends of a background import step the uploader hears of.
IMPORT_OUTCOMES = (
    ImportBatch.Status.VALIDATED,  # checked: ready to confirm
    ImportBatch.Status.IMPORTED,
    ImportBatch.Status.FAILED,
    ImportBatch.Status.REFUSED,
    ImportBatch.Status.INTERRUPTED,
)

LANGUAGES = ("id", "en")


# --- an import that ended in the background ------------------------------------------------------------------


def queue_import_finished(batch: ImportBatch, status: str, *, with_employer: bool = True) -> None:
    """Tell the uploader (when they have an e-mail) that ``batch``'s step ended in ``status``; once per batch
    and outcome. ``with_employer=False``: the mail names no employer row (queued while another transaction may
    hold the employer's lock: an import being interrupted)."""
    user = batch.created_by
    if status not in IMPORT_OUTCOMES or user is None or not user.email or not user.is_active:
        return
    language = (batch.options or {}).get("language") or "id"
    queue_mails(
        [
            Draft(
                IMPORT_FINISHED,
                user.email,
                import_finished_context(batch, status, staff=user.is_staff),
                dedupe_key=f"{IMPORT_FINISHED}:{batch.pk}:{status}",
                employer_id=batch.employer_id if with_employer else None,
                language=language if language in LANGUAGES else "id",
            )
        ]
    )


def import_finished_context(batch: ImportBatch, status: str, *, staff: bool) -> dict:
    """The stored context of a mail telling that ``batch``'s step ended in ``status``."""
    return {
        "batch_id": batch.pk,
        "file_name": batch.file_name,
        "outcome": status,
        "staff": staff,
        "rows": batch.rows_checked,
        "new": batch.count_new,
        "updated": batch.count_updated,
        "unchanged": batch.count_unchanged,
        "terminated": batch.count_terminated,
        "errors": batch.count_errors,
        "message": batch.message,
    }


def import_batch_url(batch_id: int, *, staff: bool) -> str:
    if staff:
        return reverse("admin:enrollment_importbatch_change", args=[batch_id])
    return reverse("portal:import_batch", args=[batch_id])


def _import_finished_context(mail, *, preview: bool = False) -> dict:
    context = mail.context
    if context["outcome"] == ImportBatch.Status.VALIDATED and not preview:
        # "ready to confirm" is moot once the batch was confirmed or cancelled before the mail left
        status = ImportBatch.objects.filter(pk=context["batch_id"]).values_list("status", flat=True)
        if status.first() != ImportBatch.Status.VALIDATED:
            raise kinds.Withdrawn
    shown = {name: number(context.get(name) or 0) for name in NUMBERS}
    return {
        **{f"{name}_shown": value for name, value in shown.items()},
        "batch_url": import_batch_url(context["batch_id"], staff=context.get("staff", False)),
    }


NUMBERS = ("rows", "new", "updated", "unchanged", "terminated", "errors")


# --- a claim's new status -------------------------------------------------------------------------------------


def claim_recipients(employer) -> list[tuple[str, str]]:
    """(once-only key part, address): the employer's active users with an e-mail, or else its contact e-mail."""
    links: QuerySet[EmployerUser] = (
        EmployerUser.objects.filter(employer=employer, user__is_active=True)
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user_id", "user__email")
    )
    recipients = [(f"u{user_id}", address) for user_id, address in links]
    if not recipients and employer.email:
        recipients = [("e", employer.email)]
    return recipients


def claim_status_context(claim: Claim, old_status: str, *, changed_on: date) -> dict:
    """The stored context of a mail telling that ``claim`` went from ``old_status`` to its status on
    ``changed_on``."""
    return {
        "claim_id": claim.pk,
        "reference": claim.reference,
        "benefit": claim.benefit_type.name,
        "old": old_status,
        "new": claim.status,
        "changed_on": changed_on.isoformat(),
        "paid_on": claim.paid_date.isoformat() if claim.paid_date else None,
        "employer_name": claim.employer.name,
    }


def queue_claim_status(claim: Claim, old_status: str, *, acting_user=None) -> None:
    """Tell the claim's employer that its status changed from ``old_status``; a claim without an employer
    (city-funded) tells nobody. In the transaction of the change."""
    if claim.employer_id is None or old_status == claim.status:
        return
    employer = claim.employer
    context = claim_status_context(claim, old_status, changed_on=timezone.localdate())
    queue_mails(
        [
            Draft(
                CLAIM_STATUS,
                address,
                context,
                dedupe_key=f"{CLAIM_STATUS}:{claim.pk}:{claim.status}:{who}",
                employer_id=employer.pk,
            )
            for who, address in claim_recipients(employer)
        ],
        acting_user=acting_user,
    )


def _claim_status_context(mail) -> dict:
    context = mail.context
    paid_on = context.get("paid_on")
    return {
        "changed_on_shown": short_date(date.fromisoformat(context["changed_on"])),
        "paid_on_shown": short_date(date.fromisoformat(paid_on)) if paid_on else "",
        "portal_url": reverse("portal:home"),
    }


def register_kinds() -> None:
    kinds.register(
        IMPORT_FINISHED, _("Import finished (to the uploader)"), _import_finished_context
    )
    kinds.register(CLAIM_STATUS, _("Claim status changed (to the employer)"), _claim_status_context)
