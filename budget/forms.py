"""The bill page's forms: BPJS's invoice and a payment (SP2D) for the month shown."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from budget.models import BudgetLine, Invoice

MAX_AMOUNT = (
    10**13
)  # Rp10 trillion: far above any city's yearly contributions, far below the column's limit


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=60)
    amount = forms.IntegerField(label=_("Amount (Rp)"), min_value=1, max_value=MAX_AMOUNT)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label=_("Every budget line"),
    )

    def __init__(self, *args, month: date, **kwargs) -> None:
        super().__init__(*args, prefix="invoice", **kwargs)
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(year=month.year)


class PaymentForm(forms.Form):
    order_number = forms.CharField(label=_("SP2D number"), max_length=60)
    amount = forms.IntegerField(label=_("Amount (Rp)"), min_value=1, max_value=MAX_AMOUNT)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    invoice = forms.ModelChoiceField(
        label=_("Invoice"), queryset=Invoice.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, month: date, **kwargs) -> None:
        super().__init__(*args, prefix="payment", **kwargs)
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(year=month.year)
        self.fields["invoice"].queryset = Invoice.objects.filter(
            month=month, cancelled_at__isnull=True
        )
