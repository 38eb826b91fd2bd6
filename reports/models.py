"""Denominators of coverage percentages and stored report snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from berjasa.formatting import number
from programs.models import Kecamatan
from reports.periods import PeriodError, parse_period


class WorkforceEstimate(models.Model):
    """How many workers there are in a year, city-wide (no kecamatan) or in one kecamatan."""

    class Kind(models.TextChoices):
        EMPLOYED = "EMPLOYED", _("Employed population")
        UCJ_ELIGIBLE = "UCJ_ELIGIBLE", _("UCJ-eligible workforce")

    year = models.PositiveSmallIntegerField(_("year"))
    kecamatan = models.ForeignKey(
        Kecamatan,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for the whole city."),
    )
    kind = models.CharField(_("population"), max_length=15, choices=Kind.choices)
    workers = models.PositiveIntegerField(_("workers"))
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["-year", "kind", "kecamatan__code"]
        verbose_name = _("workforce estimate")
        verbose_name_plural = _("workforce estimates")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kecamatan", "kind"],
                condition=Q(kecamatan__isnull=False),
                name="estimate_unique_per_kecamatan",
                violation_error_message=_(
                    "This district already has an estimate of this kind for the year."
                ),
            ),
            models.UniqueConstraint(
                fields=["year", "kind"],
                condition=Q(kecamatan__isnull=True),
                name="estimate_unique_city_wide",
                violation_error_message=_(
                    "The city already has an estimate of this kind for the year."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.kecamatan.name if self.kecamatan_id else _("Kota Makassar")
        return f"{self.year} {where} {self.get_kind_display()}: {number(self.workers)}"


def snapshot_upload_to(snapshot: "ReportSnapshot", filename: str) -> str:
    return f"reports/{snapshot.period}/v{snapshot.version}/{filename}"


class ReportSnapshot(models.Model):
    """An immutable report for one period: its parameters, its figures and its rendered files.

    Regenerating a period adds a new version; it never rewrites an existing one.
    """

    report = models.CharField(_("report"), max_length=50)
    period = models.CharField(_("period"), max_length=20, help_text=_("2025-08, 2025-Q3 or 2025."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    parameters = models.JSONField(_("parameters"), default=dict)
    figures = models.JSONField(_("figures"), default=dict)
    pdf_file = models.FileField(_("PDF"), upload_to=snapshot_upload_to, blank=True)
    xlsx_file = models.FileField(_("XLSX"), upload_to=snapshot_upload_to, blank=True)
    csv_file = models.FileField(_("CSV"), upload_to=snapshot_upload_to, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "-version"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "period", "version"],
                name="snapshot_unique_version",
                violation_error_message=_("This version of the report already exists."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s, %(period)s (version %(version)s)") % {
            "title": self.title(),
            "period": self.period_label(),
            "version": self.version,
        }

    def title(self) -> str:
        """The report's title in the interface's language (``Cakupan dan klaim``)."""
        from reports.registry import REPORTS  # the registry's reports import the models

        definition = REPORTS.get(self.report)
        return str(definition.title) if definition else self.report

    def period_label(self) -> str:
        """``Agustus 2025``, ``Triwulan III 2025``, ``2025``."""
        try:
            return parse_period(self.period).label()
        except PeriodError:
            return self.period
