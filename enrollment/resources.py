"""django-import-export resources of the main models, for the admin's per-model import and export (CSV, XLSX).

Rows are matched by their natural keys (NPP, NIK, claim reference) and refer to others by code (kelurahan,
program, segment, funding scheme, benefit type), NIK or NPP. Cells are read by the rules the roster import uses
(``enrollment.nik``, ``enrollment.imports.cells``: both date forms, NIKs as text only), and each instance is
validated with its model's own rules (``full_clean``, as the services do) before it is saved. Employments,
memberships and claims are written by ``enrollment.services`` (``ServiceResource``), so an import follows the
rules of the admin and the portal; a refusal is the row's error in the preview. Each confirmed import is an
``ImportBatch`` (source ADMIN): new rows point to it, and every change is recorded in the audit history through
the IMPORT channel with the batch and the acting user. A file with any refused row writes nothing.

Workers and employers are saved by the resource itself: ``services.register_worker`` and ``update_worker``
apply no rule beyond the model's validation (which runs here too) and the NIK normalisation (``NikWidget``),
and there is no employer service.

These are for corrections and small files; rosters and the DTSEN list go through ``enrollment.imports``, which
is built for tens of thousands of rows.
"""

from collections.abc import Collection
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from berjasa.audit import Channel, audit_context
from berjasa.formatting import short_date
from berjasa.spreadsheets import neutralise
from enrollment import date_rules, services
from enrollment.imports import cells
from enrollment.models import (
    PERSONAL_FIELDS,
    Claim,
    Employer,
    Employment,
    ImportBatch,
    Membership,
    Worker,
    adopt,
    stored_form,
)
from enrollment.nik import NIK_MISMATCH, NikContradicts, judge_nik_facts, normalize_nik
from enrollment.services.versions import lock_as_seen
from programs.models import BenefitType, FundingScheme, Kelurahan, Program, Segment
from programs.resources import KnownBy


class DateWidget(widgets.DateWidget):
    """31/08/2025, 31.08.2025, 31/08/25 or 2025-08-31 (and spreadsheet date cells); written as 31/08/2025
    (``short_date``). ``kind`` decides the century of a two-digit year (``cells.DateKind``)."""

    def __init__(self, kind: cells.DateKind = cells.DateKind.EVENT) -> None:
        super().__init__(format="%Y-%m-%d")
        self.kind = kind

    def render(self, value, obj=None, **kwargs):
        if self.coerce_to_string is False or kwargs.get("force_native_type"):
            return value  # an XLSX date cell
        return short_date(value) if isinstance(value, date) else ""

    def clean(self, value, row=None, **kwargs):
        if cells.is_blank(value):
            return None
        try:
            return cells.parse_date(value, kind=self.kind)
        except cells.CellError as error:
            raise ValueError(error.message) from None


class RupiahWidget(widgets.IntegerWidget):
    """3900000, 3.900.000 or Rp 3.900.000 (``cells.parse_rupiah``)."""

    def clean(self, value, row=None, **kwargs):
        if cells.is_blank(value):
            return None
        try:
            return cells.parse_rupiah(value)
        except cells.CellError as error:
            raise ValueError(error.message) from None


class NikWidget(widgets.CharWidget):
    """A NIK by ``enrollment.nik``'s rules: separators removed, numbers from a spreadsheet refused."""

    def clean(self, value, row=None, **kwargs):
        try:
            return normalize_nik(value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class StoredFormWidget(widgets.CharWidget):
    """A worker's text field in its stored form (``enrollment.models.stored_form``), so that a row giving
    "+62 812…" for a stored "0812…" is unchanged, not an update."""

    def __init__(self, name: str) -> None:
        super().__init__(allow_blank=name != "kpj")
        self.name = name

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():  # a number cell: a phone or a KPJ
            value = int(value)
        try:
            return stored_form(self.name, super().clean(value, row, **kwargs))
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
        """Import the rows; one refused row (a validation error) rolls back the whole file."""
        kwargs.setdefault("rollback_on_validation_errors", True)
        user = self.user = kwargs.get("user")
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


# The column in which a staff user confirms a row's warnings (``enrollment.date_rules``, the NIK's), by code.
CONFIRM_COLUMN = "confirm_warnings"


def confirmed_codes(value, confirmable: Collection[str] = date_rules.CONFIRMABLE) -> frozenset[str]:
    """The warning codes a file's ``confirm_warnings`` cell confirms (comma-separated), of ``confirmable``."""
    if cells.is_blank(value):
        return frozenset()
    codes = frozenset(code.strip() for code in str(value).split(",") if code.strip())
    unknown = codes - set(confirmable)
    if unknown:
        raise ValidationError(
            {
                CONFIRM_COLUMN: _(
                    "“%(codes)s” is not a warning that can be confirmed here; write one or more of "
                    "%(known)s, or leave the cell empty."
                )
                % {
                    "codes": ", ".join(sorted(unknown)),
                    "known": ", ".join(sorted(confirmable)),
                }
            }
        )
    return codes


def confirmed_codes_of(instance) -> str:
    """The codes of the warnings confirmed when ``instance`` was written, as its export shows them."""
    confirmed = getattr(instance, "confirmed_warnings", None) or ()
    return ", ".join(entry["code"] for entry in confirmed)


class WorkerResource(AuditedResource):
    """A row's birth date and sex are judged against its NIK (``judge_nik_facts``) when it is new or changes one
    of them; the row's ``confirm_warnings`` cell confirms a disagreement with ``nik_mismatch``."""

    nik = fields.Field("nik", "nik", NikWidget())
    birth_date = fields.Field("birth_date", "birth_date", DateWidget(cells.DateKind.BIRTH))
    kelurahan = fields.Field("kelurahan", "kelurahan", by_code(Kelurahan))
    kpj = fields.Field("kpj", "kpj", StoredFormWidget("kpj"))
    name = fields.Field("name", "name", StoredFormWidget("name"))
    phone = fields.Field("phone", "phone", StoredFormWidget("phone"))
    address = fields.Field("address", "address", StoredFormWidget("address"))
    occupation = fields.Field("occupation", "occupation", StoredFormWidget("occupation"))

    class Meta(AuditedResource.Meta):
        model = Worker
        import_id_fields = ("nik",)
        fields = ("nik", *PERSONAL_FIELDS, "dtsen_decile", "confirm_warnings")

    confirm_warnings = fields.Field(column_name=CONFIRM_COLUMN, readonly=True)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        facts = (instance.nik, instance.birth_date, instance.sex)
        if (
            not instance._state.adding
            and facts
            == Worker.objects.filter(pk=instance.pk).values_list("nik", "birth_date", "sex").get()
        ):
            return
        confirm = NIK_MISMATCH in confirmed_codes(row.get(CONFIRM_COLUMN), {NIK_MISMATCH})
        try:
            instance.confirmed_warnings = judge_nik_facts(
                *facts, acting_user=self.user, channel=Channel.IMPORT, confirm=confirm
            )
        except NikContradicts as refusal:
            raise ValidationError({"nik": refusal.messages}) from None

    def dehydrate_confirm_warnings(self, instance) -> str:
        return confirmed_codes_of(instance)

    def before_save_instance(self, instance, row, **kwargs):
        """A worker saved by someone else since this import read it is the row's error, not overwritten: the
        instance carries every field as read (decision 45)."""
        if not instance._state.adding:
            lock_as_seen(instance, instance.version, acting_user=self.user)


class ServiceResource(AuditedResource):
    """Rows written by ``enrollment.services``, not by ``instance.save()``: ``create`` a new row, ``change``
    a stored one (given the names of the fields the file changes).

    The services validate with the models' rules; their refusal (a ValidationError) is the row's error, and
    the row's writes are undone with it (one savepoint a row). A row's ``confirm_warnings`` cell names the
    date warnings a staff user confirms for it (``self.confirm``); the services refuse it to anyone else.
    """

    # The label of the one column no model field is behind (berjasa.admin.import_export_pages.column_label).
    column_labels = {CONFIRM_COLUMN: gettext_lazy("date warnings confirmed")}

    class Meta(AuditedResource.Meta):
        clean_model_instances = False  # the services validate, in their own words

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        self.confirm = confirmed_codes(row.get(CONFIRM_COLUMN))

    def do_instance_save(self, instance, is_create):
        with transaction.atomic():
            if is_create:
                saved = self.create(instance)
            else:
                stored = self._meta.model.objects.get(pk=instance.pk)
                saved = self.change(stored, instance, changed_fields(stored, instance))
        adopt(instance, saved)

    def create(self, instance: models.Model) -> models.Model:
        raise NotImplementedError

    def change(
        self, stored: models.Model, instance: models.Model, changed: set[str]
    ) -> models.Model:
        raise NotImplementedError

    def dehydrate_confirm_warnings(self, instance) -> str:
        return confirmed_codes_of(instance)

    @property
    def done_by(self) -> dict:
        """The services' keywords: who, through which channel, in which batch."""
        return {"acting_user": self.user, "channel": Channel.IMPORT, "batch": self.batch}


def changed_fields(stored: models.Model, instance: models.Model) -> set[str]:
    return {
        field.name
        for field in stored._meta.concrete_fields
        if getattr(stored, field.attname) != getattr(instance, field.attname)
    }


class EmploymentResource(ServiceResource):
    """A new row hires (and, with an end date, then ends the employment); a stored one may have its start date
    and wage corrected (``update_employment``) or, while open, be ended (``terminate_employment``)."""

    worker = fields.Field("worker", "worker", WorkerByNik())
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    start_date = fields.Field("start_date", "start_date", DateWidget())
    end_date = fields.Field("end_date", "end_date", DateWidget())
    # A later start date that leaves memberships before it (``date_rules``); nothing is stored on the job.
    confirm_warnings = fields.Field(column_name=CONFIRM_COLUMN, readonly=True)

    class Meta(ServiceResource.Meta):
        model = Employment
        fields = (
            "id",
            "worker",
            "employer",
            "start_date",
            "end_date",
            "termination_reason",
            "monthly_wage",
            "confirm_warnings",
        )

    def create(self, instance):
        employment = services.hire_worker(
            instance.worker,
            instance.employer,
            start_date=instance.start_date,
            monthly_wage=instance.monthly_wage,
            **self.done_by,
        )
        if instance.end_date or instance.termination_reason:
            return self.change(employment, instance, {"end_date", "termination_reason"})
        return employment

    def change(self, stored, instance, changed):
        if changed - {"start_date", "monthly_wage", "end_date", "termination_reason"}:
            raise ValidationError(
                _(
                    "An import cannot move an employment to another worker or employer; end it and "
                    "add a new one."
                )
            )
        if changed & {"start_date", "monthly_wage"}:
            stored = services.update_employment(
                stored,
                start_date=instance.start_date,
                monthly_wage=instance.monthly_wage,
                **self.done_by,
                confirm=self.confirm,
            )
        if changed & {"end_date", "termination_reason"}:
            if stored.end_date is not None or instance.end_date is None:
                raise ValidationError(
                    _(
                        "An import can end an active employment (an end date and a reason), not "
                        "change or remove the end of one."
                    )
                )
            services.terminate_employment(
                stored,
                end_date=instance.end_date,
                reason=instance.termination_reason,
                **self.done_by,
            )
            stored.refresh_from_db()
        return stored


class MembershipResource(ServiceResource):
    """A new row enrols (``enrol_worker`` computes the contribution from the ``wage`` column, the wage or
    declared income; a typed contribution is not used) and, with an end date, then ends the membership. A
    stored one can only be ended (``end_membership``)."""

    worker = fields.Field("worker", "worker", WorkerByNik())
    program = fields.Field("program", "program", by_code(Program))
    segment = fields.Field("segment", "segment", by_code(Segment))
    funding_scheme = fields.Field("funding_scheme", "funding_scheme", by_code(FundingScheme))
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    start_date = fields.Field("start_date", "start_date", DateWidget())
    end_date = fields.Field("end_date", "end_date", DateWidget())
    # What a new membership's contribution is computed from (a stored one keeps its own).
    wage = fields.Field("wage", "wage", RupiahWidget())
    # Exported, never imported: enrol_worker computes them.
    employer_share = fields.Field("employer_share", "employer_share", RupiahWidget(), readonly=True)
    worker_share = fields.Field("worker_share", "worker_share", RupiahWidget(), readonly=True)
    government_share = fields.Field(
        "government_share", "government_share", RupiahWidget(), readonly=True
    )
    confirm_warnings = fields.Field(column_name=CONFIRM_COLUMN, readonly=True)

    class Meta(ServiceResource.Meta):
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
            "employer_share",
            "worker_share",
            "government_share",
            "wage",
            "confirm_warnings",
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "wage" and instance.pk is not None:
            return  # a stored membership keeps the contribution it was given
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def create(self, instance):
        instance.clean_fields(exclude={"monthly_contribution"})  # enrol_worker needs them all
        wage = getattr(instance, "wage", None)
        if wage is None:
            raise ValidationError(
                {"wage": _("Give the wage or declared income the contribution is computed from.")}
            )
        enrolment = services.EnrolmentRequest(
            programs=[instance.program],
            segment=instance.segment,
            funding_scheme=instance.funding_scheme,
            start_date=instance.start_date,
            wage=wage,
            employer=instance.employer,
        )
        [membership] = services.enrol_worker(
            instance.worker, enrolment, **self.done_by, confirm=self.confirm
        )
        if instance.end_date is not None:
            return self.change(membership, instance, {"end_date"})
        return membership

    def change(self, stored, instance, changed):
        if changed != {"end_date"} or stored.end_date is not None:
            raise ValidationError(
                _(
                    "An import can only end an active membership (its end date). To change anything "
                    "else, end it and enrol the worker again."
                )
            )
        return services.end_membership(stored, end_date=instance.end_date, **self.done_by)


# The steps from a new (submitted) claim to the status a file gives it.
CLAIM_STEPS = {
    Claim.Status.SUBMITTED: (),
    Claim.Status.VERIFIED: (Claim.Status.VERIFIED,),
    Claim.Status.PAID: (Claim.Status.VERIFIED, Claim.Status.PAID),
    Claim.Status.REJECTED: (Claim.Status.REJECTED,),
}


class ClaimResource(ServiceResource):
    """A new row is recorded (``record_claim``), then moved to the file's status; a stored claim only moves to
    its next status (``advance_claim``: a paid one with its paid date and, if given, its final amount).

    The segment and employer follow from the worker's membership (``record_claim``): a file may repeat them
    (an export does), and a row naming others is refused."""

    worker = fields.Field("worker", "worker", WorkerByNik())
    benefit_type = fields.Field("benefit_type", "benefit_type", by_code(BenefitType))
    segment = fields.Field("segment", "segment", by_code(Segment))
    employer = fields.Field("employer", "employer", KnownBy(Employer, "npp"))
    incident_date = fields.Field("incident_date", "incident_date", DateWidget())
    submitted_date = fields.Field("submitted_date", "submitted_date", DateWidget())
    paid_date = fields.Field("paid_date", "paid_date", DateWidget())
    confirm_warnings = fields.Field(column_name=CONFIRM_COLUMN, readonly=True)

    class Meta(ServiceResource.Meta):
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
            "confirm_warnings",
        )

    def create(self, instance):
        claim = services.record_claim_as(instance, **self.done_by, confirm=self.confirm)
        for name in ("segment", "employer"):
            given = getattr(instance, f"{name}_id")
            if given is not None and given != getattr(claim, f"{name}_id"):
                raise ValidationError(
                    {
                        name: _(
                            "The claim's segment and employer come from the worker's membership on the "
                            "incident date (%(segment)s, %(employer)s); leave the column empty or write "
                            "those."
                        )
                        % {
                            "segment": claim.segment.code,
                            "employer": claim.employer.npp if claim.employer else "—",
                        }
                    }
                )
        for status in CLAIM_STEPS.get(instance.status, (instance.status,)):
            claim = self._advance(claim, instance, status)
        return claim

    def change(self, stored, instance, changed):
        paying = instance.status == Claim.Status.PAID
        if "status" not in changed or changed - (
            {"status", "paid_date", "amount"} if paying else {"status"}
        ):
            raise ValidationError(
                _(
                    "An import can only move a claim to its next status (a paid claim with its paid "
                    "date and final amount); other changes are refused."
                )
            )
        return self._advance(stored, instance, instance.status)

    def _advance(self, claim: Claim, instance: Claim, status: str) -> Claim:
        return services.advance_claim(
            claim, status, paid_date=instance.paid_date, amount=instance.amount, **self.done_by
        )
