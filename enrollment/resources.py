"""django-import-export resources of the main models, for the admin's per-model import and export (CSV, XLSX).

Rows are matched by their natural keys (NPP, NIK, claim reference) and refer to others by code (kelurahan,
program, segment, funding scheme, benefit type), NIK or NPP. Cells are read by the rules the roster import uses
(``enrollment.nik``, ``enrollment.imports.cells``: both date forms, NIKs as text only), and each instance is
validated with its model's own rules (``full_clean``, as the services do) before it is saved. Each confirmed
import is an ``ImportBatch`` (source ADMIN): new rows point to it, and every change is recorded in the audit
history through the IMPORT channel with the batch and the acting user.

These are for corrections and small files; rosters and the DTSEN list go through ``enrollment.imports``, which
is built for tens of thousands of rows.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from berjasa.audit import Channel, audit_context
from berjasa.spreadsheets import neutralise
from enrollment.imports import cells
from enrollment.models import (
    PERSONAL_FIELDS,
    Claim,
    Employer,
    Employment,
    ImportBatch,
    Membership,
    Worker,
)
from enrollment.nik import normalize_nik
from programs.models import BenefitType, FundingScheme, Kelurahan, Program, Segment
from programs.resources import KnownBy


class DateWidget(widgets.DateWidget):
    """31/08/2025 or 2025-08-31 (and spreadsheet date cells); written as 2025-08-31."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if cells.is_blank(value):
            return None
        try:
            return cells.parse_date(value)
        except cells.CellError as error:
            raise ValueError(error.message) from None


class NikWidget(widgets.CharWidget):
    """A NIK by ``enrollment.nik``'s rules: separators removed, numbers from a spreadsheet refused."""

    def clean(self, value, row=None, **kwargs):
        try:
            return normalize_nik(value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class WorkerByNik(KnownBy):
    def __init__(self) -> None:
        super().__init__(Worker, "nik")

    def clean(self, value, row=None, **kwargs):
        return super().clean(NikWidget().clean(value), row, **kwargs)


def by_code(model) -> KnownBy:
    return KnownBy(model, "code")


class AuditedResource(resources.ModelResource):
    """Validated with the model's rules; a confirmed import is an ImportBatch and is written with history."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, dry_run=False, **kwargs):
        user = kwargs.get("user")
        self.batch = None
        if not dry_run:
            self.batch = ImportBatch.objects.create(
                source=ImportBatch.Source.ADMIN,
                status=ImportBatch.Status.RUNNING,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                file_name=str(kwargs.get("file_name") or "")[:255],
                started_at=timezone.now(),
            )
        with audit_context(user=user, channel=Channel.IMPORT, batch=self.batch):
            result = super().import_data(dataset, dry_run=dry_run, **kwargs)
        if self.batch is not None:
            self._record(result)
        return result

    def export_field(self, field, instance, **kwargs):
        """Text a spreadsheet would run as a formula is written with an apostrophe before it."""
        return neutralise(super().export_field(field, instance, **kwargs))

    def after_init_instance(self, instance, new, row, **kwargs):
        """A new row comes in through the IMPORT channel, from this batch (set before it is validated)."""
        if new:
            instance.entered_via = Channel.IMPORT
            instance.import_batch = self.batch

    def _record(self, result) -> None:
        totals = result.totals
        self.batch.count_new = totals.get("new", 0)
        self.batch.count_updated = totals.get("update", 0)
        self.batch.count_unchanged = totals.get("skip", 0)
        self.batch.count_errors = totals.get("error", 0) + totals.get("invalid", 0)
        self.batch.row_count = result.total_rows
        failed = result.has_errors() or result.has_validation_errors()
        self.batch.status = ImportBatch.Status.FAILED if failed else ImportBatch.Status.IMPORTED
        self.batch.finished_at = timezone.now()
        self.batch.save()


class EmployerResource(AuditedResource):
    kelurahan = fields.Field("kelurahan", "kelurahan", by_code(Kelurahan))

    class Meta(AuditedResource.Meta):
        model = Employer
        import_id_fields = ("npp",)
        fields = ("npp", "name", "sector", "size", "risk_class", "address", "kelurahan", "status")


class WorkerResource(AuditedResource):
    nik = fields.Field("nik", "nik", NikWidget())
    birth_date = fields.Field("birth_date", "birth_date", DateWidget())
    kelurahan = fields.Field("kelurahan", "kelurahan", by_code(Kelurahan))

    class Meta(AuditedResource.Meta):
        model = Worker
        import_id_fields = ("nik",)
        fields = ("nik", *PERSONAL_FIELDS, "dtsen_decile")


class EmploymentResource(AuditedResource):
    worker = fields.Field("worker", "worker", WorkerByNik())
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    start_date = fields.Field("start_date", "start_date", DateWidget())
    end_date = fields.Field("end_date", "end_date", DateWidget())

    class Meta(AuditedResource.Meta):
        model = Employment
        fields = (
            "id",
            "worker",
            "employer",
            "start_date",
            "end_date",
            "termination_reason",
            "monthly_wage",
        )


class MembershipResource(AuditedResource):
    worker = fields.Field("worker", "worker", WorkerByNik())
    program = fields.Field("program", "program", by_code(Program))
    segment = fields.Field("segment", "segment", by_code(Segment))
    funding_scheme = fields.Field("funding_scheme", "funding_scheme", by_code(FundingScheme))
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    start_date = fields.Field("start_date", "start_date", DateWidget())
    end_date = fields.Field("end_date", "end_date", DateWidget())

    class Meta(AuditedResource.Meta):
        model = Membership
        fields = (
            "id",
            "worker",
            "program",
            "segment",
            "funding_scheme",
            "employer",
            "start_date",
            "end_date",
            "monthly_contribution",
        )


class ClaimResource(AuditedResource):
    worker = fields.Field("worker", "worker", WorkerByNik())
    benefit_type = fields.Field("benefit_type", "benefit_type", by_code(BenefitType))
    segment = fields.Field("segment", "segment", by_code(Segment))
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    incident_date = fields.Field("incident_date", "incident_date", DateWidget())
    submitted_date = fields.Field("submitted_date", "submitted_date", DateWidget())
    paid_date = fields.Field("paid_date", "paid_date", DateWidget())

    class Meta(AuditedResource.Meta):
        model = Claim
        import_id_fields = ("reference",)
        fields = (
            "reference",
            "worker",
            "benefit_type",
            "segment",
            "employer",
            "incident_date",
            "submitted_date",
            "paid_date",
            "amount",
            "status",
        )
