"""Employers, workers, employments, memberships, claims and import batches.

``Channel`` is re-exported from ``berjasa.audit`` for the modules that write rows.

Writes go through ``enrollment.services``; these classes hold the data and the rules the database enforces.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from berjasa.audit import AuditTrail, Channel
from berjasa.formatting import date_range, date_time
from enrollment.free_text import free_text
from enrollment.nik import normalize_nik, without_text_mark
from enrollment.phones import normalize_phone
from programs.models import BenefitType, FundingScheme, Kelurahan, Program, Segment


def _staged_upload_path(batch: "ImportBatch", filename: str) -> str:
    """An unguessable folder per upload, so that no file name is ever shared or predicted."""
    return f"imports/{uuid.uuid4().hex}/{filename}"


class Versioned(models.Model):
    """A record that counts its writes, for optimistic concurrency (decision 45).

    ``version`` goes up by one on every save of a stored row, and in the imports' bulk ``UPDATE``
    (``enrollment.imports.writer``); a new row starts at 1, also when ``COPY`` writes it. An edit form carries
    the version it showed, and the service that saves it refuses the save when the row is at another version
    (``enrollment.services.versions``). Its historical rows keep the version, so the changes since the form's
    version are read from the audit history. A ``QuerySet.update()`` of these models must bump it too.
    """

    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version += 1  # the writer holds the row locked (the services) or just read it
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class ImportBatch(models.Model):
    """One import of a file (or one run of a generating command); every row it writes points back here.

    An uploaded file is kept in the default storage (``upload``) between the preview and the confirmation, so
    any app server or background worker can read it. ``review_file`` holds the preview: the planned changes,
    the errors and the warnings, one JSON object a line, read page by page.
    """

    class Source(models.TextChoices):
        ROSTER = "ROSTER", _("Employer roster")
        DTSEN = "DTSEN", _("DTSEN list")
        ADMIN = "ADMIN", _("Admin import")
        DEMO = "DEMO", _("Demo data")
        BPJS_RESPONSE = "BPJS_RESP", _("BPJS registration response")
        BPJS_STATEMENT = "BPJS_STMT", _("BPJS participant statement")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Waiting")
        VALIDATING = "VALIDATING", _("Checking the rows")
        VALIDATED = "VALIDATED", _("Validated, awaiting confirmation")
        REFUSED = "REFUSED", _("Refused")
        RUNNING = "RUNNING", _("Importing")
        IMPORTED = "IMPORTED", _("Imported")
        FAILED = "FAILED", _("Failed")
        CANCELLED = "CANCELLED", _("Cancelled")
        INTERRUPTED = "INTERRUPTED", _("Interrupted")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=11, choices=Status.choices, default=Status.PENDING
    )
    employer = models.ForeignKey(
        "Employer",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    count_new = models.PositiveIntegerField(_("new"), default=0)
    count_updated = models.PositiveIntegerField(_("updated"), default=0)
    count_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    count_terminated = models.PositiveIntegerField(_("terminated"), default=0)
    count_errors = models.PositiveIntegerField(_("errors"), default=0)
    error_file = models.FileField(_("error report"), upload_to="import-errors/", blank=True)
    notes = models.TextField(_("notes"), blank=True)
    upload = models.FileField(
        _("uploaded file"), upload_to=_staged_upload_path, max_length=255, blank=True
    )
    review_file = models.FileField(_("preview"), max_length=255, blank=True)
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("What the user chose on upload.")
    )
    summary = models.JSONField(
        _("summary"),
        default=dict,
        blank=True,
        help_text=_("Further counts: skipped, flagged, warnings."),
    )
    row_count = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Why the file was refused or the import failed.")
    )
    started_at = models.DateTimeField(_("import started at"), null=True, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    # The lease of the process checking or importing the batch (enrollment.imports.lease): renewed while it
    # works; once expired, the batch is interrupted and retried.
    lease_token = models.CharField(_("lease"), max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Starts of the current step (check or import).")
    )
    interruptions = models.JSONField(
        _("interruptions"),
        default=list,
        blank=True,
        help_text=_("Each interrupted attempt: step, attempt, time and reason."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_source_display()} {self.file_name}".strip()


def import_batch_field() -> models.ForeignKey:
    """The batch that wrote a row, if one did: where the row came from, not a relationship to keep in step.

    No database foreign key: it would be checked row by row when an import commits (a batch of 50,000 workers
    writes 200,000 rows pointing to their batch), and batches are never deleted (the admin only shows them;
    ``PROTECT`` stops a deletion through Django). Indexed, for the rows of a batch.
    """
    return models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )


# The programs an employer must enrol its wage earners in, by the size of the business (Perpres 109/2013 Pasal 6
# ayat 1: medium and large JKK, JKM, JHT, JP; small JKK, JKM, JHT; micro JKK, JKM), with JKP for those in the
# programs PP 37/2021 Pasal 4 asks of it (JKK, JKM, JHT, and JP for medium and large): decision 55.
PROGRAMS_REQUIRED_BY_SIZE = {
    "MICRO": ("JKK", "JKM"),
    "SMALL": ("JKK", "JKM", "JHT", "JKP"),
    "MEDIUM": ("JKK", "JKM", "JHT", "JP", "JKP"),
    "LARGE": ("JKK", "JKM", "JHT", "JP", "JKP"),
}
# JKP is for workers already in the programs PP 37/2021 Pasal 4 names, by the size of the business.
JKP_PREREQUISITES = {
    "MICRO": ("JKK", "JKM", "JHT"),
    "SMALL": ("JKK", "JKM", "JHT"),
    "MEDIUM": ("JKK", "JKM", "JHT", "JP"),
    "LARGE": ("JKK", "JKM", "JHT", "JP"),
}


def jkp_refusal(codes: set[str] | tuple[str, ...], size: str) -> str | None:
    """Why a worker of a business of ``size`` cannot join JKP with ``codes`` (the programs PP 37/2021 Pasal 4 says
    come first, to add); None when it can, or when the size is not known yet (its own field says so)."""
    if "JKP" not in codes or size not in JKP_PREREQUISITES:
        return None
    missing = [code for code in JKP_PREREQUISITES[size] if code not in codes]
    if not missing:
        return None
    return gettext(
        "JKP is for workers also in %(programs)s (PP 37/2021 Pasal 4): add %(missing)s."
    ) % {
        "programs": ", ".join(JKP_PREREQUISITES[size]),
        "missing": ", ".join(missing),
    }


class Employer(models.Model):
    """A company (pemberi kerja) registered with BPJS Ketenagakerjaan under its NPP."""

    class Size(models.TextChoices):
        MICRO = "MICRO", _("Micro (1–4 workers)")
        SMALL = "SMALL", _("Small (5–19 workers)")
        MEDIUM = "MEDIUM", _("Medium (20–99 workers)")
        LARGE = "LARGE", _("Large (100+ workers)")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        INACTIVE = "INACTIVE", _("Inactive")
        CLOSED = "CLOSED", _("Closed")

    class Sector(models.TextChoices):
        TRADE = "TRADE", _("Wholesale and retail trade")
        MANUFACTURING = "MANUFACTURING", _("Manufacturing")
        CONSTRUCTION = "CONSTRUCTION", _("Construction")
        TRANSPORT = "TRANSPORT", _("Transport and storage")
        ACCOMMODATION = "ACCOMMODATION", _("Accommodation and food service")
        FINANCE = "FINANCE", _("Finance and insurance")
        EDUCATION = "EDUCATION", _("Education")
        HEALTH = "HEALTH", _("Health and social work")
        INFORMATION = "INFORMATION", _("Information and communication")
        SERVICES = "SERVICES", _("Other services")
        FISHERIES = "FISHERIES", _("Agriculture and fisheries")
        UTILITIES = "UTILITIES", _("Electricity, gas and water")

    npp = models.CharField(
        _("NPP"),
        max_length=20,
        unique=True,
        help_text=_("BPJS Ketenagakerjaan employer number."),
        error_messages={"unique": _("This NPP is already registered to another employer.")},
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices)
    risk_class = models.PositiveSmallIntegerField(
        _("JKK risk class"), default=1, help_text=_("1 (very low) to 5 (very high).")
    )
    default_programs = models.CharField(
        _("programs of new workers"),
        max_length=40,
        blank=True,
        default="",
        db_default="",  # also for rows written in bulk (the demo data)
        help_text=_(
            "The programs a roster file's new workers are enrolled in when the file has no Program column or "
            "the row's cell is empty. None chosen: the programs the law requires of the employer's size "
            "(micro: JKK, JKM; small: JKK, JKM, JHT, JKP; medium and large: JKK, JKM, JHT, JP, JKP)."
        ),
    )  # program codes separated by spaces, in the programs' order
    address = models.CharField(_("address"), max_length=255, blank=True)
    kelurahan = models.ForeignKey(
        Kelurahan, verbose_name=_("sub-district"), on_delete=models.PROTECT, null=True, blank=True
    )
    email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Where the invitation to the portal and Disnaker's notices go."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    entered_via = models.CharField(_("entered via"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = AuditTrail()

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_class__gte=1, risk_class__lte=5),
                name="employer_risk_class_range",
                violation_error_message=_("The risk class is a number from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.npp})"

    def programs_of_new_workers(self) -> tuple[str, ...]:
        """The program codes a new worker of a roster file gets when the file does not say (decision 55)."""
        return tuple(self.default_programs.split()) or PROGRAMS_REQUIRED_BY_SIZE[self.size]


class EmployerUser(models.Model):
    """Links a login to an employer it may manage; one login may manage several employers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="employer_links",
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="user_links"
    )
    is_main_contact = models.BooleanField(
        _("main contact"),
        default=False,
        help_text=_(
            "The employer's main contact invites and removes colleagues; one per employer."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer user")
        verbose_name_plural = _("employer users")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "employer"],
                name="employer_user_unique",
                violation_error_message=_("This user is already linked to this employer."),
            ),
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(is_main_contact=True),
                name="employer_one_main_contact",
                violation_error_message=_("This employer has a main contact already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.employer}"


class Worker(Versioned):
    """A person, identified by NIK. Personal data: only administrators, operators and their employers see it."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    nik = models.CharField(
        _("NIK"),
        max_length=16,
        unique=True,
        error_messages={"unique": _("This NIK is already registered to another worker.")},
    )
    kpj = models.CharField(
        _("KPJ number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("BPJS Ketenagakerjaan participant card number, if issued."),
        error_messages={"unique": _("This KPJ number is already registered to another worker.")},
    )
    # Indexed in Meta (worker_name_idx), without the LIKE twin of db_index: names are searched anywhere.
    name = models.CharField(_("name"), max_length=150)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    kelurahan = models.ForeignKey(
        Kelurahan,
        verbose_name=_("sub-district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_constraint=False,  # checked once per statement (migration 0009), not row by row
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    has_disability = models.BooleanField(_("person with a disability"), default=False)
    dtsen_decile = models.PositiveSmallIntegerField(
        _("DTSEN decile"), null=True, blank=True, help_text=_("1 (poorest) to 10, from DTSEN.")
    )
    # The disagreements of the birth date or sex with the NIK a staff user confirmed when they were written
    # (enrollment.nik.judge_nik_facts): each one's code, words, who confirmed it and when. Null without any.
    confirmed_warnings = models.JSONField(
        _("NIK warnings confirmed"), null=True, blank=True, editable=False
    )
    # Who may read the contact fields in the portal (enrollment.visibility.worker_fields_visible_to).
    keeper = models.ForeignKey(
        Employer,
        verbose_name=_("record keeper"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The employer through whose users the personal data on record was entered or confirmed; "
            "empty when Disnaker entered it."
        ),
    )
    entered_via = models.CharField(_("entered via"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = AuditTrail(by_employer=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"], name="worker_name_idx")]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("nik"), 16),
                name="worker_nik_16_chars",
                violation_error_message=_("A NIK has exactly 16 digits."),
            ),
            models.CheckConstraint(
                condition=Q(dtsen_decile__isnull=True)
                | Q(dtsen_decile__gte=1, dtsen_decile__lte=10),
                name="worker_dtsen_decile_range",
                violation_error_message=_("The DTSEN decile is a number from 1 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(kpj__isnull=True) | ~Q(kpj=""),
                name="worker_kpj_not_blank",
                violation_error_message=_("Leave the KPJ number empty rather than blank."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik})"

    def clean_fields(self, exclude=None) -> None:
        # Normalise first, so that "7371 0512 0390 0001" is judged as the 16 digits it holds, and a phone number
        # in the stored form whatever path brought it.
        errors = {}
        exclude = set(exclude or ())
        if "nik" not in exclude:
            try:
                self.nik = normalize_nik(self.nik)
            except ValidationError as error:
                errors["nik"] = error.messages
                exclude.add("nik")
        given = {name: getattr(self, name) for name in NORMALISED_FIELDS if name not in exclude}
        try:
            for name, value in stored_values(given).items():
                setattr(self, name, value)
        except ValidationError as error:
            errors.update(error.message_dict)
            exclude.update(error.message_dict)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        errors = {}
        if self.kpj and not self.kpj.isdigit():
            errors["kpj"] = [_("The KPJ number may contain digits only.")]
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = [_("The birth date cannot be in the future.")]
        if errors:
            raise ValidationError(errors)


# What is recorded about a worker besides the NIK (set once, it identifies them) and the DTSEN decile (from the
# national list, set by Disnaker): what forms, files and the roster import may set, in the order they show it.
PERSONAL_FIELDS = (
    "kpj",
    "name",
    "birth_date",
    "sex",
    "phone",
    "address",
    "kelurahan",
    "occupation",
    "has_disability",
)
# Free text about the person: control characters refused, line breaks collapsed (enrollment.free_text).
FREE_TEXT_FIELDS = ("name", "address", "occupation")
# The personal fields a path may receive in another form than the stored one.
NORMALISED_FIELDS = ("kpj", "phone", *FREE_TEXT_FIELDS)


def stored_form(name: str, value):
    """A personal field's value as it is stored, or ValidationError with the clerk's message: a phone number in
    its one form (``enrollment.phones``), a KPJ without the spreadsheet's apostrophe, free text without control
    characters. The model, the forms and the services apply it; the imports read cells with the same functions.
    """
    if value is None or name not in NORMALISED_FIELDS:
        return value
    if name == "phone":
        return normalize_phone(value)
    if name == "kpj":
        return without_text_mark(str(value)) or None
    return free_text(value)


def stored_values(values: dict) -> dict:
    """``values`` (field name → value) with each in its stored form (``stored_form``); a ValidationError by field
    names every value refused."""
    stored, errors = dict(values), {}
    for name in NORMALISED_FIELDS:
        if name in values:
            try:
                stored[name] = stored_form(name, values[name])
            except ValidationError as error:
                errors[name] = error.error_list
    if errors:
        raise ValidationError(errors)
    return stored


# Who the person is (with the NIK): shown to every employer of the person; a change is confirmed by Disnaker or
# by another employer of the person.
IDENTITY_FIELDS = ("kpj", "name", "birth_date", "sex")
# The rest: shown to the record keeper only; a change by another employer is confirmed by Disnaker only.
CONTACT_FIELDS = tuple(name for name in PERSONAL_FIELDS if name not in IDENTITY_FIELDS)


class Employment(Versioned):
    """A worker's job with an employer. An employer's roster is its open employments."""

    class TerminationReason(models.TextChoices):
        RESIGNED = "RESIGNED", _("Resigned")
        DISMISSED = "DISMISSED", _("Dismissed")
        CONTRACT_ENDED = "CONTRACT_ENDED", _("Contract ended")
        RETIRED = "RETIRED", _("Retired")
        DIED = "DIED", _("Died")

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="employments"
    )
    # Not indexed alone: employment_roster_idx leads with the employer.
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="employments",
        db_index=False,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    termination_reason = models.CharField(
        _("termination reason"), max_length=20, choices=TerminationReason.choices, blank=True
    )
    monthly_wage = models.PositiveBigIntegerField(_("monthly wage (Rp)"))
    entered_via = models.CharField(_("entered via"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = AuditTrail(indexed=("worker",), by_employer=True)

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employment_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["worker", "employer"],
                condition=Q(end_date__isnull=True),
                name="employment_one_open_per_employer",
                violation_error_message=_("This worker is already on this employer's roster."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, termination_reason="")
                | Q(end_date__isnull=False),
                name="employment_reason_only_when_ended",
                violation_error_message=_("A termination reason needs an end date."),
            ),
        ]
        indexes = [models.Index(fields=["employer", "end_date"], name="employment_roster_idx")]

    def __str__(self) -> str:
        return f"{self.worker.name} @ {self.employer.name} ({date_range(self.start_date, self.end_date)})"


class BpjsStatus(models.TextChoices):
    """Where a membership stands with BPJS Ketenagakerjaan (the bpjs app moves it; decision 59). Only ``ACTIVE``
    is "confirmed by BPJS" in the reports: its answer or its latest statement named the participant active."""

    REGISTERED = "REGISTERED", _("Registered here")
    SUBMITTED = "SUBMITTED", _("Submitted to BPJS")
    ACTIVE = "ACTIVE", _("Active at BPJS")
    REJECTED = "REJECTED", _("Rejected by BPJS")
    LAPSED = "LAPSED", _("Lapsed at BPJS")
    MISSING = "MISSING", _("Not in BPJS's statement")


class Membership(Versioned):
    """A worker's participation (kepesertaan) in one program over a date range; open end = active.

    A worker is covered on a day when they hold an active JKK and an active JKM membership that day.
    A worker never holds two overlapping memberships of the same program (a database constraint on
    PostgreSQL; one open membership per program on every database).
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="memberships"
    )
    # Not indexed alone: membership_report_idx leads with the program, membership_employer_idx with the employer.
    # The catalogue references are checked once per statement (migration 0009), not row by row.
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.PROTECT, db_constraint=False
    )
    funding_scheme = models.ForeignKey(
        FundingScheme,
        verbose_name=_("funding scheme"),
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        db_index=False,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # What the rates make of ``wage`` (programs.rates): the amount is the sum of the three shares.
    monthly_contribution = models.PositiveBigIntegerField(_("monthly contribution (Rp)"))
    employer_share = models.PositiveBigIntegerField(_("employer's share (Rp)"), default=0)
    worker_share = models.PositiveBigIntegerField(_("worker's share (Rp)"), default=0)
    government_share = models.PositiveBigIntegerField(
        _("government or sponsor share (Rp)"),
        default=0,
        help_text=_(
            "The city budget, a sponsor, or the central government and recomposition (JKP)."
        ),
    )
    wage = models.PositiveBigIntegerField(
        _("wage or declared income (Rp)"),
        null=True,
        blank=True,
        help_text=_("What the contribution was computed from."),
    )
    # Date warnings a staff user confirmed when this row was written (enrollment.date_rules.judge): each one's
    # code, words, who confirmed it and when. Empty (null) for a row written without any.
    confirmed_warnings = models.JSONField(
        _("date warnings confirmed"), null=True, blank=True, editable=False
    )
    # The membership with BPJS Ketenagakerjaan (bpjs app): handed over in a registration file, answered by BPJS,
    # confirmed or found lapsed by its monthly statement. The KPJ number is the worker's (Worker.kpj).
    bpjs_status = models.CharField(
        _("status at BPJS"),
        max_length=10,
        choices=BpjsStatus.choices,
        default=BpjsStatus.REGISTERED,
        db_default=BpjsStatus.REGISTERED,
    )
    bpjs_submission = models.ForeignKey(
        "bpjs.RegistrationFile",
        verbose_name=_("registration file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("The file that handed this membership over to BPJS."),
    )
    bpjs_effective_date = models.DateField(_("effective date at BPJS"), null=True, blank=True)
    bpjs_reason = models.CharField(
        _("BPJS's reason"),
        max_length=255,
        blank=True,
        db_default="",
        help_text=_("Why BPJS rejected the registration, or why the membership lapsed."),
    )
    bpjs_paid_through = models.DateField(
        _("paid at BPJS through"),
        null=True,
        blank=True,
        help_text=_("The first day of the last month BPJS's statement shows as paid."),
    )
    entered_via = models.CharField(_("entered via"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = AuditTrail(indexed=("worker",), by_employer=True)

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(
                    monthly_contribution=F("employer_share")
                    + F("worker_share")
                    + F("government_share")
                ),
                name="membership_contribution_is_its_shares",
                violation_error_message=_(
                    "The monthly contribution must be the sum of the employer's, the worker's and the "
                    "government's shares."
                ),
            ),
            models.UniqueConstraint(
                fields=["worker", "program"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_program",
                violation_error_message=_(
                    "This worker already has an active membership in this program."
                ),
            ),
        ]
        indexes = [
            # Coverage on a day and the month trend read memberships by program in worker order; the included
            # columns let PostgreSQL answer from the index alone, "confirmed by BPJS" (bpjs_status) too.
            models.Index(
                fields=["program", "worker"],
                include=[
                    "start_date",
                    "end_date",
                    "segment",
                    "funding_scheme",
                    "employer",
                    "bpjs_status",
                ],
                name="membership_report_idx",
            ),
            models.Index(fields=["employer", "end_date"], name="membership_employer_idx"),
            # The admin's workers by segment (or segment group): the segment's memberships in worker order.
            models.Index(fields=["segment", "worker"], name="membership_segment_worker_idx"),
            # The day the data ends (reports.queries.latest_data_day): the last start and end up to today, each
            # read from the end of its index instead of every membership.
            models.Index(fields=["start_date"], name="membership_start_idx"),
            models.Index(fields=["end_date"], name="membership_end_idx"),
            # The work list of open rejections by BPJS (bpjs.RejectedMembership): a few thousand rows of 1.4
            # million, read without a scan of the table.
            models.Index(
                fields=["bpjs_submission", "worker"],
                condition=Q(bpjs_status=BpjsStatus.REJECTED, end_date__isnull=True),
                name="membership_bpjs_rejected_idx",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.program.code} {self.worker.name} ({date_range(self.start_date, self.end_date)})"
        )

    def overlapping(self) -> models.QuerySet["Membership"]:
        """Other memberships of the same worker in the same program whose dates meet this one's."""
        others = Membership.objects.filter(
            worker_id=self.worker_id, program_id=self.program_id
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date is not None:
            others = others.filter(start_date__lte=self.end_date)
        return others.exclude(pk=self.pk) if self.pk else others

    def clean(self) -> None:
        if not (self.worker_id and self.program_id and self.start_date):
            return
        if self.end_date and self.end_date < self.start_date:
            return  # the date-order constraint reports this one
        if self.overlapping().exists():
            raise ValidationError(
                _("This worker already has a %(program)s membership in that period.")
                % {"program": self.program.code}
            )


class Claim(Versioned):
    """A benefit claim: submitted → verified → paid, or rejected."""

    class Status(models.TextChoices):
        SUBMITTED = "SUBMITTED", _("Submitted")
        VERIFIED = "VERIFIED", _("Verified")
        PAID = "PAID", _("Paid")
        REJECTED = "REJECTED", _("Rejected")

    reference = models.CharField(_("reference number"), max_length=30, unique=True)
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="claims"
    )
    benefit_type = models.ForeignKey(
        BenefitType, verbose_name=_("benefit type"), on_delete=models.PROTECT
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        help_text=_("The segment under which the worker was insured when the claim arose."),
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    incident_date = models.DateField(_("incident date"))
    submitted_date = models.DateField(_("submission date"))
    paid_date = models.DateField(_("paid date"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    # Date warnings a staff user confirmed when this row was written (enrollment.date_rules.judge): each one's
    # code, words, who confirmed it and when. Empty (null) for a row written without any.
    confirmed_warnings = models.JSONField(
        _("date warnings confirmed"), null=True, blank=True, editable=False
    )
    entered_via = models.CharField(_("entered via"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = AuditTrail()

    class Meta:
        ordering = ["-submitted_date", "pk"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_date__gte=F("incident_date")),
                name="claim_submitted_not_before_incident",
                violation_error_message=_("A claim cannot be submitted before the incident."),
            ),
            models.CheckConstraint(
                condition=Q(paid_date__isnull=True) | Q(paid_date__gte=F("submitted_date")),
                name="claim_paid_not_before_submitted",
                violation_error_message=_("A claim cannot be paid before it was submitted."),
            ),
            models.CheckConstraint(
                condition=Q(status="PAID", paid_date__isnull=False)
                | (~Q(status="PAID") & Q(paid_date__isnull=True)),
                name="claim_paid_date_iff_paid",
                violation_error_message=_(
                    "A paid claim needs a paid date, and only a paid claim has one."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "paid_date"], name="claim_paid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.benefit_type.code}"


class IdentityProofAttempt(models.Model):
    """An employer's attempt to link a person the city already knows (by NIK) to its roster.

    Every attempt is kept: matched (with the employment it opened), refused (Disnaker's work list until resolved)
    or throttled (refused unchecked, beyond ``IDENTITY_PROOF_FAILURES_PER_HOUR``). Which details matched is kept
    for every checked attempt; what the employer typed (``offered_*``) only on a refused one, for the clerk who
    resolves it, and it is erased when the attempt is resolved. See ``enrollment.identity``.
    """

    class Outcome(models.TextChoices):
        MATCHED = "MATCHED", _("Matched")
        REFUSED = "REFUSED", _("Details did not match")
        THROTTLED = "THROTTLED", _("Too many failed attempts")

    class Resolution(models.TextChoices):
        OPEN = "", _("To resolve")
        LINKED = "LINKED", _("Linked by Disnaker")
        DISMISSED = "DISMISSED", pgettext_lazy("identity check", "Dismissed")

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("for employer"),
        on_delete=models.PROTECT,
        related_name="identity_proof_attempts",
    )
    nik = models.CharField(_("NIK"), max_length=16)
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("person on record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_proof_attempts",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    import_batch = import_batch_field()
    row_number = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    name_matched = models.BooleanField(_("name matched"), null=True)
    birth_date_matched = models.BooleanField(_("birth date matched"), null=True)
    sex_matched = models.BooleanField(_("sex matched"), null=True)
    kpj_matched = models.BooleanField(_("KPJ matched"), null=True)
    phone_matched = models.BooleanField(_("phone matched"), null=True)
    offered_name = models.CharField(_("name given"), max_length=150, blank=True)
    offered_kpj = models.CharField(_("KPJ given"), max_length=20, blank=True)
    offered_phone = models.CharField(_("phone given"), max_length=20, blank=True)
    start_date = models.DateField(_("start date given"), null=True, blank=True)
    monthly_wage = models.PositiveBigIntegerField(
        _("monthly wage given (Rp)"), null=True, blank=True
    )
    employment = models.ForeignKey(
        Employment,
        verbose_name=_("employment opened"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True, default=""
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        indexes = [
            # The throttle counts an hour of failures per user and per employer; the work list reads open refusals.
            models.Index(
                fields=["user", "outcome", "created_at"], name="identity_attempt_user_idx"
            ),
            models.Index(
                fields=["employer", "outcome", "created_at"], name="identity_attempt_employer_idx"
            ),
            models.Index(
                fields=["outcome", "resolution", "created_at"], name="identity_attempt_open_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution="") | Q(outcome="REFUSED"),
                name="identity_attempt_only_refusals_resolved",
                violation_error_message=_("Only a refused identity check is resolved."),
            ),
        ]

    def __str__(self) -> str:
        when = date_time(self.created_at) if self.created_at else ""
        return f"#{self.pk} {self.get_outcome_display()} {when}".strip()


class PersonalDataChangeRequest(models.Model):
    """An employer's change to the personal data of a person it shares with others, until it is decided.

    ``changes`` maps each field to ``[recorded, requested]`` in stored form (dates as ISO text, the kelurahan by
    id): the recorded value is what the change was asked against, so a request is refused once the record has
    moved on. Approved, it is applied through ``enrollment.services``.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Awaiting confirmation")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")
        WITHDRAWN = "WITHDRAWN", _("Withdrawn")

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="change_requests"
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("requested by employer"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("changes"))
    # Every requested field is an identity field: another employer of the person may then confirm it.
    identity_only = models.BooleanField(_("identity fields only"), default=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = AuditTrail()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("personal data change request")
        verbose_name_plural = _("personal data change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "employer"],
                condition=Q(status="PENDING"),
                name="change_request_one_pending_per_employer",
                violation_error_message=_(
                    "A change to this person's data is already awaiting confirmation."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "worker"], name="change_request_status_idx")]

    def __str__(self) -> str:
        return f"{self.worker.name} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        self.identity_only = set(self.changes) <= set(IDENTITY_FIELDS)
        super().save(*args, **kwargs)


def adopt(instance: models.Model, saved: models.Model) -> None:
    """Make ``instance`` the row a service saved: its values, its key, no longer new.

    The admin's forms and the import resources build an instance, hand its values to a service and keep
    speaking of that instance (messages, links, the admin's log) after the service has written its own.
    """
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
