"""An employer's monthly roster confirmation ("lapor bulanan").

Each month an employer's user confirms that its roster is current as of the month's end, after reviewing the
month's figures (``summary``). Only Disnaker reopens a confirmed month, with a reason; the reopened row stays
(who confirmed, who reopened and why) and the employer may confirm the month again: one *standing* (not
reopened) confirmation per employer and month, held by a partial unique constraint.

Written by ``compliance.services`` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from berjasa.audit import AuditTrail, Channel
from enrollment.models import Employer


class RosterConfirmation(models.Model):
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="roster_confirmations",
        db_index=False,  # confirmation_history_idx leads with the employer
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month confirmed."))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    summary = models.JSONField(
        _("figures reviewed"),
        default=dict,
        blank=True,
        help_text=_(
            "What the employer reviewed: workers on the roster at the month's end, hires, exits and wage "
            "changes in the month."
        ),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    history = AuditTrail(indexed=("employer",))

    class Meta:
        ordering = ["-month", "employer"]
        verbose_name = _("roster confirmation")
        verbose_name_plural = _("roster confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "month"],
                condition=Q(reopened_at__isnull=True),
                name="confirmation_one_standing_per_month",
                violation_error_message=_(
                    "This employer's roster is already confirmed for this month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="confirmation_reopened_with_reason",
                violation_error_message=_("A confirmation is reopened with a reason."),
            ),
        ]
        indexes = [
            # An employer's history (the portal page) and "last confirmation" of the non-confirmed list.
            models.Index(fields=["employer", "month"], name="confirmation_history_idx"),
            # The compliance figures: the standing confirmations of a month (or of 12), employer ids alone.
            models.Index(
                fields=["month", "employer"],
                condition=Q(reopened_at__isnull=True),
                name="confirmation_standing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer.name} · {self.month:%Y-%m}"
