"""The loop with BPJS Ketenagakerjaan: registration hand-over files, BPJS's answers and the reconciliation.

A membership's own state with BPJS is on ``enrollment.Membership`` (``bpjs_status`` and the fields beside it);
this app keeps the files and what they said.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import BpjsStatus, Employer, ImportBatch, Membership, Worker
from programs.models import Segment


class FileKind(models.TextChoices):
    """The files exchanged with BPJS whose column names are data (``ColumnMapping``)."""

    REGISTRATION = "REGISTRATION", _("Collective registration file (to BPJS)")
    RESPONSE = "RESPONSE", _("Response to a registration file (from BPJS)")
    STATEMENT = "STATEMENT", _("Monthly participant statement (from BPJS)")


class ColumnMapping(models.Model):
    """The column heading BPJS uses for one of our fields in one kind of file; editable, as BPJS's exports change
    and differ between branch offices. The fields and their default headings are in ``bpjs.columns``."""

    kind = models.CharField(_("file"), max_length=12, choices=FileKind.choices)
    field = models.CharField(_("field"), max_length=30)
    heading = models.CharField(_("column heading"), max_length=100)
    aliases = models.TextField(
        _("other headings"),
        blank=True,
        help_text=_("Other headings that mean the same column, one per line."),
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("BPJS file column")
        verbose_name_plural = _("BPJS file columns")
        constraints = [
            models.UniqueConstraint(fields=["kind", "field"], name="bpjs_column_one_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.heading}"


class RegistrationFile(models.Model):
    """A collective-registration file handed over to BPJS: the city-funded memberships of one batch or segment
    registered here, one row per person. The memberships it lists point to it (``Membership.bpjs_submission``)."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration_files",
        help_text=_("The batch whose memberships the file lists, when it lists one batch."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The segment whose memberships the file lists, when it lists one segment."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    person_count = models.PositiveIntegerField(_("persons"), default=0)
    membership_count = models.PositiveIntegerField(_("memberships"), default=0)
    csv_file = models.FileField(_("CSV file"), upload_to="bpjs/registration/", blank=True)
    xlsx_file = models.FileField(_("XLSX file"), upload_to="bpjs/registration/", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration file")
        verbose_name_plural = _("registration files")

    def __str__(self) -> str:
        return self.reference


class Statement(models.Model):
    """BPJS's monthly participant statement, imported as an ``ImportBatch``; its lines keep what it said and
    how each participant compared with our memberships."""

    import_batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        related_name="bpjs_statement",
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the month the statement is of.")
    )
    branch = models.CharField(_("BPJS branch office"), max_length=100, blank=True)
    counts = models.JSONField(_("participants by category"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "-created_at"]
        verbose_name = _("BPJS statement")
        verbose_name_plural = _("BPJS statements")

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} #{self.import_batch_id}"


class Category(models.TextChoices):
    """How a participant of BPJS's statement compares with our memberships."""

    CONFIRMED = "CONFIRMED", _("Confirmed")
    UNKNOWN_AT_BPJS = "NOT_AT_BPJS", _("Active here, unknown to BPJS")
    LAPSED = "LAPSED", _("Active here, inactive or unpaid at BPJS")
    UNKNOWN_HERE = "NOT_HERE", _("Known to BPJS, not here")
    DIFFERENT = "DIFFERENT", _("Different employer or program")


class DiscrepancyStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    APPLIED = "APPLIED", _("Applied")
    RESOLVED = "RESOLVED", _("Resolved")
    DISMISSED = "DISMISSED", _("Dismissed")


class StatementLine(models.Model):
    """One participant of a statement, or one of our active participants it does not name
    (``Category.UNKNOWN_AT_BPJS``, no row). Every line but a confirmed one is a discrepancy to settle."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    row = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=11, choices=Category.choices)
    nik = models.CharField(_("NIK"), max_length=16)
    kpj = models.CharField(_("KPJ number"), max_length=20, blank=True)
    npp = models.CharField(_("NPP at BPJS"), max_length=20, blank=True)
    name = models.CharField(_("name at BPJS"), max_length=150, blank=True)
    programs = models.CharField(_("programs at BPJS"), max_length=40, blank=True)
    active_at_bpjs = models.BooleanField(_("active at BPJS"), null=True)
    paid_through = models.DateField(_("last month paid"), null=True, blank=True)
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer here"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    detail = models.CharField(_("what differs"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DiscrepancyStatus.choices,
        default=DiscrepancyStatus.OPEN,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["statement", "category", "row", "pk"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        indexes = [
            models.Index(fields=["statement", "category"], name="bpjs_line_category_idx"),
            models.Index(fields=["nik"], name="bpjs_line_nik_idx"),
            models.Index(fields=["status", "category"], name="bpjs_line_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.nik}"


class OpenRejections(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(bpjs_status=BpjsStatus.REJECTED, end_date__isnull=True)


class RejectedMembership(Membership):
    """The work list of open memberships BPJS rejected: the clerk corrects the worker and resubmits, or ends the
    membership with a reason (``bpjs.services.handover``). Its rows are those alone."""

    objects = OpenRejections()

    class Meta:
        proxy = True
        verbose_name = _("membership rejected by BPJS")
        verbose_name_plural = _("rejected by BPJS")
