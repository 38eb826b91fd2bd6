"""Recording BPJS's invoices and the treasury's payments, and cancelling one recorded by mistake: atomic, audited
(the history, with the acting user and channel), safe against a double submit: the same invoice or payment sent
twice is recorded once, cancelled once."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import audit_context
from berjasa.formatting import rupiah
from budget.bill import month_label
from budget.models import BudgetLine, Invoice, Payment
from enrollment.free_text import free_text


@dataclass(frozen=True)
class Recorded:
    """What a recording service returns: the row, and whether this call created it (False: sent again)."""

    record: Invoice | Payment
    created: bool


def _check_line_year(budget_line: BudgetLine | None, month: date) -> None:
    if budget_line is not None and budget_line.year != month.year:
        raise ValidationError(
            {
                "budget_line": _("The budget line is of %(year)s; the month is in %(month_year)s.")
                % {"year": budget_line.year, "month_year": month.year}
            }
        )


def record_invoice(
    *,
    acting_user,
    channel: str,
    month: date,
    number: str,
    amount: int,
    received_on: date,
    budget_line: BudgetLine | None = None,
) -> Recorded:
    """Record BPJS's invoice for ``month``. The same number for the month again with the same amount and line
    is the same invoice (a double submit: nothing new); with other values it is refused."""
    month = month.replace(day=1)
    number = number.strip()
    _check_line_year(budget_line, month)
    values = {"amount": amount, "budget_line": budget_line, "received_on": received_on}
    # get_or_create also settles two requests racing: the loser reads the winner's row.
    with transaction.atomic(), audit_context(user=acting_user, channel=channel):
        invoice, created = Invoice.objects.get_or_create(
            month=month,
            number=number,
            cancelled_at__isnull=True,
            defaults={**values, "recorded_by": acting_user},
        )
    if not created and (invoice.amount, invoice.budget_line_id) != (
        amount,
        getattr(budget_line, "pk", None),
    ):
        raise ValidationError(
            {
                "number": _("Invoice %(number)s of this month is already recorded, for %(amount)s.")
                % {"number": number, "amount": rupiah(invoice.amount)}
            }
        )
    return Recorded(invoice, created)


def record_payment(
    *,
    acting_user,
    channel: str,
    month: date,
    budget_line: BudgetLine,
    order_number: str,
    amount: int,
    paid_on: date,
    invoice: Invoice | None = None,
) -> Recorded:
    """Record a payment (SP2D) to BPJS for ``month`` from ``budget_line``. An SP2D number is recorded once:
    sent again with the same month, line and amount it is the same payment; otherwise refused."""
    month = month.replace(day=1)
    order_number = order_number.strip()
    _check_line_year(budget_line, month)
    if invoice is not None and invoice.month != month:
        raise ValidationError({"invoice": _("The invoice is of another month.")})
    if invoice is not None and invoice.cancelled_at:
        raise ValidationError({"invoice": _("The invoice was cancelled.")})
    with transaction.atomic(), audit_context(user=acting_user, channel=channel):
        payment, created = Payment.objects.get_or_create(
            order_number=order_number,
            cancelled_at__isnull=True,
            defaults={
                "month": month,
                "budget_line": budget_line,
                "amount": amount,
                "paid_on": paid_on,
                "invoice": invoice,
                "recorded_by": acting_user,
            },
        )
    if not created and (payment.month, payment.budget_line_id, payment.amount) != (
        month,
        budget_line.pk,
        amount,
    ):
        raise ValidationError(
            {
                "order_number": _("SP2D %(number)s is already recorded: %(amount)s for %(month)s.")
                % {
                    "number": order_number,
                    "amount": rupiah(payment.amount),
                    "month": month_label(payment.month),
                }
            }
        )
    return Recorded(payment, created)


def cancel_invoice(invoice: Invoice, *, reason: str, acting_user, channel: str) -> bool:
    """Cancel an invoice recorded by mistake (refused while a payment that is not cancelled refers to it).
    Returns False when it was already cancelled (a second submit)."""

    def refusal(locked: Invoice) -> str:
        if locked.payments.filter(cancelled_at__isnull=True).exists():
            return _("Payments refer to this invoice: cancel them first.")
        return ""

    return _cancel(
        invoice, reason=reason, acting_user=acting_user, channel=channel, refusal=refusal
    )


def cancel_payment(payment: Payment, *, reason: str, acting_user, channel: str) -> bool:
    """Cancel a payment recorded by mistake; its SP2D number can then be recorded again, rightly. Returns False
    when it was already cancelled (a second submit)."""
    return _cancel(payment, reason=reason, acting_user=acting_user, channel=channel)


def _cancel(
    record: Invoice | Payment, *, reason: str, acting_user, channel: str, refusal=None
) -> bool:
    """Mark ``record`` cancelled, by whom, when and why, with its history row; locked first, so of two submits
    one cancels and the other finds it cancelled."""
    reason = free_text(reason or "")  # a control character pasted in is refused with a message
    if not reason:
        raise ValidationError(_("Say why it is cancelled."))
    with transaction.atomic(), audit_context(user=acting_user, channel=channel):
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        if locked.cancelled_at:
            return False
        if refusal and (message := refusal(locked)):
            raise ValidationError(message)
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = acting_user
        locked.cancel_reason = reason[:255]
        locked._change_reason = reason[:100]
        locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    return True
