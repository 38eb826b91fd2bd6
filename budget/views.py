"""The city budget's pages under ``/anggaran/`` (decision 60): BUDGET_READER_ROLES read the budget view and the
monthly bills, BUDGET_KEEPER_ROLES record invoices and payments (and cancel one recorded by mistake),
PARTICIPANT_LIST_ROLES read the participant lists (access-logged); everyone else signed in gets a 404."""

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from berjasa.access import role_required
from berjasa.audit import Channel
from berjasa.roles import (
    BUDGET_KEEPER_ROLES,
    BUDGET_READER_ROLES,
    PARTICIPANT_LIST_ROLES,
    user_has_any_role,
)
from budget.bill import (
    Bill,
    BillLine,
    billed_memberships,
    month_label,
    monthly_bill,
    months_between,
    not_active_at_bpjs,
    parse_month,
    participants,
    workers_and_amount,
)
from budget.exporters import bill_filename, render_bill_pdf, write_participants_xlsx
from budget.forecast import year_forecast
from budget.forms import InvoiceForm, PaymentForm
from budget.models import BudgetLine, Invoice, Payment
from budget.services import cancel_invoice, cancel_payment, record_invoice, record_payment
from enrollment.visibility import city_funded_memberships_visible_to
from privacy.log import Kind, record_access
from programs.rates import Refused
from reports.periods import month_last_day, next_month, shift_month
from reports.queries import latest_data_day

readers = role_required(*BUDGET_READER_ROLES)
keepers = role_required(*BUDGET_KEEPER_ROLES)
participant_readers = role_required(*PARTICIPANT_LIST_ROLES)
SHOWN_ON_PAGE = (
    200  # participants not active at BPJS listed on the bill page; the XLSX has them all
)


def explains_refusal(view):
    """A bill that cannot be made (a membership no rate applies to on that month) is a page that says why,
    naming the rule, not an error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Refused as refusal:
            return render(request, "budget/refused.html", {"reason": str(refusal)}, status=409)

    return wrapped


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise Http404 from error


def _latest_data_month() -> date | None:
    latest = latest_data_day(timezone.localdate())
    return latest.replace(day=1) if latest else None


@readers
@require_GET
@explains_refusal
def overview(request: HttpRequest) -> HttpResponse:
    """The budget view of a year (``?tahun=2026``; default: the year of the latest data)."""
    latest = _latest_data_month()
    years = sorted(set(BudgetLine.objects.values_list("year", flat=True)))
    default = latest.year if latest else timezone.localdate().year
    requested = request.GET.get("tahun", "")
    year = int(requested) if requested.isdigit() and 2000 <= int(requested) <= 2100 else default
    forecast = year_forecast(year, latest)
    bill_months = list(months_between(date(year, 1, 1), forecast.through or date(year - 1, 12, 1)))
    return render(
        request,
        "budget/overview.html",
        {
            "forecast": forecast,
            "years": years,
            "year": year,
            "bill_months": bill_months,
        },
    )


@dataclass(frozen=True)
class LineRow:
    """A bill line beside what BPJS invoiced and the treasury paid for it."""

    line: BillLine
    amounts: list[int]  # per program of the bill
    invoiced: int | None
    paid: int


def _bill_context(request: HttpRequest, month: date, **forms) -> dict:
    bill = monthly_bill(month)
    invoices = list(
        Invoice.objects.filter(month=month).select_related("budget_line", "cancelled_by")
    )
    payments = list(
        Payment.objects.filter(month=month).select_related("budget_line", "invoice", "cancelled_by")
    )
    # Cancelled ones are listed, counted nowhere.
    counted_invoices = [invoice for invoice in invoices if not invoice.cancelled_at]
    counted_payments = [payment for payment in payments if not payment.cancelled_at]
    invoiced_per_line: dict[int, int] = defaultdict(int)
    for invoice in counted_invoices:
        if invoice.budget_line_id:
            invoiced_per_line[invoice.budget_line_id] += invoice.amount
    paid_per_line: dict[int, int] = defaultdict(int)
    for payment in counted_payments:
        paid_per_line[payment.budget_line_id] += payment.amount
    rows = [
        LineRow(
            line,
            [line.programs.get(code, 0) for code in bill.programs],
            invoiced_per_line.get(line.budget_line.pk) if line.budget_line else None,
            paid_per_line[line.budget_line.pk] if line.budget_line else 0,
        )
        for line in bill.lines
    ]
    invoiced = sum(invoice.amount for invoice in counted_invoices) if counted_invoices else None
    difference = bill.total - invoiced if invoiced is not None else None
    keeper = user_has_any_role(request.user, BUDGET_KEEPER_ROLES)
    lister = user_has_any_role(request.user, PARTICIPANT_LIST_ROLES)
    unconfirmed = not_active_at_bpjs(billed_memberships(month, month_last_day(month)), month)
    unconfirmed_count, explained = workers_and_amount(unconfirmed, month)
    listed = []
    if lister and unconfirmed_count:  # the names, through the participant readers' queryset
        among = city_funded_memberships_visible_to(request.user)
        billed = billed_memberships(month, month_last_day(month), among)
        listed = participants(not_active_at_bpjs(billed, month), month)[:SHOWN_ON_PAGE]
        record_access(
            user=request.user,
            channel=Channel.STAFF,
            kind=Kind.EXPORT,
            scope={"bill": f"{month:%Y-%m}", "list": "not active at BPJS"},
            rows=len(listed),
        )
    return {
        "bill": bill,
        "month": month,
        "month_key": f"{month:%Y-%m}",
        "label": month_label(month),
        "previous": f"{date(*shift_month(month.year, month.month, -1), 1):%Y-%m}",
        "next": f"{next_month(month):%Y-%m}",
        "rows": rows,
        "invoices": invoices,
        "invoiced": invoiced,
        "difference": difference,
        "unconfirmed_count": unconfirmed_count,
        "unconfirmed_amount": explained,
        "unexplained": difference - explained if difference is not None else None,
        "unconfirmed": listed,
        "payments": payments,
        "paid": sum(payment.amount for payment in counted_payments),
        "keeper": keeper,
        "lister": lister,
        "invoice_form": forms.get("invoice_form") or (InvoiceForm(month=month) if keeper else None),
        "payment_form": forms.get("payment_form") or (PaymentForm(month=month) if keeper else None),
    }


@readers
@require_GET
@explains_refusal
def bill_page(request: HttpRequest, month: str) -> HttpResponse:
    return render(request, "budget/bill.html", _bill_context(request, _month(month)))


def _record(
    request: HttpRequest, month_text: str, form_class, service, form_name: str
) -> HttpResponse:
    """Validate the posted form and call the service; on a refusal the page again, with the message."""
    month = _month(month_text)
    form = form_class(request.POST, month=month)
    if form.is_valid():
        try:
            recorded = service(
                acting_user=request.user, channel=Channel.STAFF, month=month, **form.cleaned_data
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            if recorded.created:
                messages.success(request, _("Recorded: %(record)s.") % {"record": recorded.record})
            else:
                messages.info(
                    request,
                    _("%(record)s was already recorded; nothing changed.")
                    % {"record": recorded.record},
                )
            return redirect("budget:bill", month=month_text)
    context = _bill_context(request, month, **{form_name: form})
    return render(request, "budget/bill.html", context, status=400)


@keepers
@require_POST
@explains_refusal
def add_invoice(request: HttpRequest, month: str) -> HttpResponse:
    return _record(request, month, InvoiceForm, record_invoice, "invoice_form")


@keepers
@require_POST
@explains_refusal
def add_payment(request: HttpRequest, month: str) -> HttpResponse:
    return _record(request, month, PaymentForm, record_payment, "payment_form")


def _cancel(request: HttpRequest, month_text: str, model, pk: int, service) -> HttpResponse:
    """Cancel the month's invoice or payment ``pk`` with the posted reason; the bill page says what happened."""
    month = _month(month_text)
    record = get_object_or_404(model, pk=pk, month=month)
    try:
        cancelled = service(
            record,
            reason=request.POST.get("reason", ""),
            acting_user=request.user,
            channel=Channel.STAFF,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if cancelled:
            messages.success(request, _("Cancelled: %(record)s.") % {"record": record})
        else:
            messages.info(
                request,
                _("%(record)s was already cancelled; nothing changed.") % {"record": record},
            )
    return redirect("budget:bill", month=month_text)


@keepers
@require_POST
def cancel_invoice_view(request: HttpRequest, month: str, pk: int) -> HttpResponse:
    return _cancel(request, month, Invoice, pk, cancel_invoice)


@keepers
@require_POST
def cancel_payment_view(request: HttpRequest, month: str, pk: int) -> HttpResponse:
    return _cancel(request, month, Payment, pk, cancel_payment)


@readers
@require_GET
@explains_refusal
def bill_pdf(request: HttpRequest, month: str) -> HttpResponse:
    """The summary (no personal data) a head of department signs."""
    bill = monthly_bill(_month(month))
    response = HttpResponse(render_bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=bill_filename(bill, "pdf")
    )
    return response


@participant_readers
@require_GET
@explains_refusal
def bill_participants(request: HttpRequest, month: str) -> FileResponse:
    """The participant list (personal data): recorded in the access log before it is sent."""
    first = _month(month)
    bill: Bill = monthly_bill(first)
    among = city_funded_memberships_visible_to(request.user)
    people = participants(billed_memberships(first, month_last_day(first), among), first)
    record_access(
        user=request.user,
        channel=Channel.STAFF,
        kind=Kind.EXPORT,
        scope={"bill": month, "file": "participants"},
        rows=len(people),
    )
    handle = io.BytesIO()  # ~60 bytes a participant, packed: a few MB at the city's scale
    write_participants_xlsx(handle, bill, people)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=bill_filename(bill, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
