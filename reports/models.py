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


# --- The coverage ledger (decision 76; reports/ledger/) ---------------------------------------------------------
#
# The ledger's tables are the database's own bookkeeping: no foreign keys (a worker's rows are replaced when their
# memberships change, and a cell names a segment or a district by its id, or 0 when unknown and -1 for "any"),
# written only by ``reports.ledger.posting``.


class CoverageCell(models.Model):
    """The cell a count belongs to: a breakdown (``dimension``) and its ``value``, within a segment, a district
    and whether BPJS confirms the workers counted."""

    segment_id = models.IntegerField()
    kecamatan_id = models.IntegerField()  # 0: unknown; -1: any (the ``employers`` cells)
    confirmed = models.BooleanField()
    dimension = models.CharField(max_length=16)
    value = models.CharField(max_length=16, blank=True)

    CELL = ["dimension", "segment_id", "kecamatan_id", "confirmed", "value"]

    class Meta:
        abstract = True

    def cell(self) -> str:
        return (
            f"{self.dimension}={self.value} segment {self.segment_id} kecamatan {self.kecamatan_id}"
            + (" confirmed" if self.confirmed else "")
        )


class CoverageChange(CoverageCell):
    """How many more workers a cell counts on ``day`` than on the day before."""

    day = models.DateField()
    delta = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["day", *CoverageCell.CELL], name="coverage_change_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.cell()} {self.delta:+d}"


class CoverageBalance(CoverageCell):
    """How many workers a cell counts on ``month_end``: every change up to that day, added up."""

    month_end = models.DateField()
    covered = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["month_end", *CoverageCell.CELL], name="coverage_balance_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month_end}: {self.cell()} {self.covered}"


class CoverageStaging(CoverageCell):
    """Changes being posted by the settlement in progress (empty between settlements)."""

    day = models.DateField()
    delta = models.BigIntegerField()

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return f"{self.day}: {self.cell()} {self.delta:+d}"


class CoverageLedgerMonth(models.Model):
    """A month end the ledger keeps balances for."""

    month_end = models.DateField(primary_key=True)

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return str(self.month_end)


class CoverageLedgerState(models.Model):
    """The ledger's one row: whether it is built, and the last day its changes reach (``horizon``)."""

    built_at = models.DateTimeField(null=True)
    horizon = models.DateField(null=True)

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return f"built {self.built_at}, to {self.horizon}" if self.built_at else "not built"


class CoverageLedgerSeal(models.Model):
    """Present while the ledger's working tables (spans, entries, presence) hold what the ledger was built from.
    On PostgreSQL they and this table are unlogged (migration ``reports/0004``): a crash empties them all, and the
    missing seal tells the next settlement that the ledger must be rebuilt."""

    sealed_at = models.DateTimeField()

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return f"sealed {self.sealed_at}"


class CoveragePending(models.Model):
    """A worker whose coverage may have changed since the ledger last counted it; written by the database's
    triggers on memberships, workers, employers and sub-districts (``reports.ledger.triggers``)."""

    worker_id = models.BigIntegerField(primary_key=True)
    # Marked first by the worker's own creation: the ledger holds nothing of them to take back.
    fresh = models.BooleanField(db_default=False)

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return str(self.worker_id)


class CoverageSettling(models.Model):
    """The workers the settlement in progress is counting anew (empty between settlements)."""

    worker_id = models.BigIntegerField(primary_key=True)
    fresh = models.BooleanField(db_default=False)

    class Meta:
        default_permissions = ()  # the database's bookkeeping, never edited in the admin

    def __str__(self) -> str:
        return str(self.worker_id)


class CoverageSpan(models.Model):
    """A stretch of days on which a worker counts in the same cells: covered (``program_id`` 0) or, within it,
    holding another program's membership (``reports.ledger.spans``). ``stops_on`` is the first day no longer
    counted (null: open). A covered span's age band follows from ``birth_date`` day by day; the other programs
    that cover it whole are the bits of ``whole_programs``. A worker's memberships of one program never overlap,
    nor do their spans of one program: the key is the worker, the program and the first day, and it serves as
    the index by worker."""

    pk = models.CompositePrimaryKey("worker_id", "program_id", "starts_on")
    worker_id = models.BigIntegerField()
    program_id = models.IntegerField()
    starts_on = models.DateField()
    stops_on = models.DateField(null=True)
    confirmed = models.BooleanField()
    segment_id = models.IntegerField()
    funding_scheme_id = models.IntegerField()
    employer_id = models.BigIntegerField()  # 0: none
    employer_size = models.CharField(max_length=10, blank=True)
    kecamatan_id = models.IntegerField()
    kelurahan_id = models.IntegerField()
    sex = models.CharField(max_length=1)
    disability = models.BooleanField()
    birth_date = models.DateField()
    whole_programs = models.BigIntegerField()  # bit n: program n covers the whole span

    class Meta:
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["employer_id"],
                condition=Q(program_id=0) & ~Q(employer_id=0),
                name="coverage_span_employer",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"worker {self.worker_id} program {self.program_id}: {self.starts_on}–{self.stops_on}"
        )


class CoveragePresence(models.Model):
    """A stretch of days on which an employer has covered workers in a segment and district (-1: any)."""

    employer_id = models.BigIntegerField()
    segment_id = models.IntegerField()
    kecamatan_id = models.IntegerField()
    starts_on = models.DateField()
    stops_on = models.DateField(null=True)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["employer_id"], name="coverage_presence_employer")]

    def __str__(self) -> str:
        return f"employer {self.employer_id}: {self.starts_on}–{self.stops_on}"


class LedgerEntry(models.Model):
    """What one worker's events add to the ledger's cells on ``day``: their JKK memberships' starts and ends (the
    flows), their paid claims (count and Rupiah by benefit type and segment), and the worker as a recipient from
    their first paid claim of a benefit type, a segment, a segment group or any (``segment_id`` -1: any). One entry
    per worker, cell and day: the key, which serves as the index by worker."""

    pk = models.CompositePrimaryKey("worker_id", "dimension", "value", "segment_id", "day")
    worker_id = models.BigIntegerField()
    day = models.DateField()
    dimension = models.CharField(max_length=16)
    value = models.CharField(max_length=16, blank=True)
    segment_id = models.IntegerField()
    kecamatan_id = models.IntegerField()
    delta = models.BigIntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"worker {self.worker_id} {self.day}: {self.dimension}={self.value} {self.delta:+d}"
