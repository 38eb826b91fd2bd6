"""The budget's demo (``setup_demo``): ceilings fitted to the demo's scale, BPJS's invoices for July and August
2025 and the treasury's payments of July and part of August, one of July's first typed wrong and cancelled.
Idempotent."""

from datetime import date
from functools import partial

from django.db import transaction

from berjasa.audit import Channel, audit_context
from budget.bill import monthly_bill
from budget.models import BudgetLine, Invoice
from budget.services import cancel_payment, record_invoice, record_payment
from programs.reference import budget_line_rows, load_budget_lines

# The August 2025 bill of the published-scale data (seed_demo --scale 1 --seed 42), which the seeded ceilings
# are sized against (decision 66).
FULL_SCALE_AUGUST_2025 = 967_920_780


def _fit_ceilings_to_scale(scale: float, acting_user) -> None:
    """A demo at a fraction of the city's scale gets the same fraction of each seeded ceiling (to the million),
    so that its budget view runs out where the full scale's does; each change is in the line's history."""
    with audit_context(user=acting_user, channel=Channel.COMMAND):
        for row in budget_line_rows():
            ceiling = round(int(row["ceiling"]) * scale, -6) or 1_000_000
            for line in BudgetLine.objects.filter(year=int(row["year"]), code=row["code"]):
                line.ceiling = ceiling
                line.save(update_fields=["ceiling"])


@transaction.atomic
def ensure_budget_demo(acting_user) -> None:
    load_budget_lines()
    august = monthly_bill(date(2025, 8, 1))
    if not august.total:
        return
    # The first run only: a later one keeps an administrator's ceiling.
    if not Invoice.objects.exists():
        _fit_ceilings_to_scale(august.total / FULL_SCALE_AUGUST_2025, acting_user)
    # BPJS invoices a little less than our bill (participants not yet active there) in July, a little more in
    # August (people it counts that we do not).
    for month, differs_by, received_on in (
        (date(2025, 7, 1), -0.004, date(2025, 8, 6)),
        (date(2025, 8, 1), 0.002, date(2025, 9, 5)),
    ):
        number = f"TAG/BPJSTK/MKS/{month:%Y%m}/0001"
        if Invoice.objects.filter(month=month, number=number).exists():
            continue  # a later run keeps the first run's invoice and payments
        bill = august if month == august.month else monthly_bill(month)
        invoice = record_invoice(
            acting_user=acting_user,
            channel=Channel.COMMAND,
            month=month,
            number=number,
            amount=bill.total + round(bill.total * differs_by),
            received_on=received_on,
        ).record
        lines = [line for line in bill.lines if line.budget_line is not None]
        paid = lines if month.month == 7 else lines[:2]
        for number, line in enumerate(paid, start=1):
            payment = partial(
                record_payment,
                acting_user=acting_user,
                channel=Channel.COMMAND,
                month=month,
                budget_line=line.budget_line,
                order_number=f"SP2D/{month:%Y%m}/{number:04d}/LS",
                paid_on=date(month.year, month.month + 1, 20),
                invoice=invoice,
            )
            if month.month == 7 and number == 1:  # a digit typed twice, cancelled, recorded rightly
                cancel_payment(
                    payment(amount=line.total * 10).record,
                    reason="Salah ketik nominal; dicatat ulang sesuai SP2D.",
                    acting_user=acting_user,
                    channel=Channel.COMMAND,
                )
            payment(amount=line.total)
