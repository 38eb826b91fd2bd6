"""The city budget's side of the loop: budget lines with their ceiling, BPJS's invoices and the treasury's payments.

The monthly bill itself is computed from the memberships (``budget.bill``), never stored twice. An invoice or a
payment recorded by mistake is cancelled with a reason, never deleted: it stays on the page, out of every sum.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from berjasa.audit import AuditTrail
from programs.models import Segment


class BudgetLine(models.Model):
    """A line of a department's budget (DPA) that pays the contributions of city-funded segments in a year."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("account code"), max_length=60, help_text=_("Kode rekening."))
    name = models.CharField(_("name"), max_length=200)
    department = models.CharField(
        _("department"),
        max_length=200,
        help_text=_("The city department (OPD) that holds the line."),
    )
    segments = models.ManyToManyField(
        Segment,
        verbose_name=_("segments"),
        related_name="budget_lines",
        help_text=_("The city-funded segments whose contributions this line pays in its year."),
    )
    ceiling = models.PositiveBigIntegerField(_("ceiling (pagu, Rp)"))

    history = AuditTrail()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="budget_line_code_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.code} {self.name}"


class Cancellable(models.Model):
    """A record a keeper cancels (recorded by mistake) with a reason: kept, shown, counted nowhere."""

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)

    class Meta:
        abstract = True


class Invoice(Cancellable):
    """BPJS's invoice (tagihan) for a month's contributions, recorded beside the city's own bill."""

    month = models.DateField(_("month"), help_text=_("The first day of the month billed."))
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        help_text=_("Empty when the invoice covers every budget line."),
    )
    number = models.CharField(_("invoice number"), max_length=60)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = AuditTrail()

    class Meta:
        ordering = ["-month", "number"]
        verbose_name = _("BPJS invoice")
        verbose_name_plural = _("BPJS invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "number"],
                condition=Q(cancelled_at__isnull=True),
                name="budget_invoice_number_per_month",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Payment(Cancellable):
    """A payment from the city treasury to BPJS for a month's contributions of one budget line."""

    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="payments"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    paid_on = models.DateField(_("paid on"))
    order_number = models.CharField(_("payment order number (SP2D)"), max_length=60)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = AuditTrail()

    class Meta:
        ordering = ["-paid_on", "order_number"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [  # an SP2D number is paid once; a cancelled entry frees it for the right one
            models.UniqueConstraint(
                fields=["order_number"],
                condition=Q(cancelled_at__isnull=True),
                name="budget_payment_order_number",
            )
        ]

    def __str__(self) -> str:
        return self.order_number
