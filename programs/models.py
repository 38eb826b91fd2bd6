"""The catalogue: programs, segments, funding schemes, rates, benefit types, regions, targets.

All of it is reference data: seeded by ``seed_reference`` and editable in the admin. Rates live here, with
valid-from dates, never in code.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from berjasa.formatting import percent, rupiah, short_date


class Program(models.Model):
    """A BPJS Ketenagakerjaan program: JKK, JKM, JHT, JP, JKP."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    wage_earners_only = models.BooleanField(
        _("wage earners only"),
        default=False,
        help_text=_("JP and JKP are open to wage earners only."),
    )
    business_workers_only = models.BooleanField(
        _("workers of a business only"),
        default=False,
        help_text=_(
            "JKP covers workers of a business (Pengusaha, PP 37/2021 Article 1 point 3 and Article 2), not "
            "staff whose employer's part is paid from the city budget or by a sponsor."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class BenefitType(models.Model):
    """What a claim pays: JHT, JKK, JKM, JP, JKP or a scholarship (BEASISWA)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("benefit type")
        verbose_name_plural = _("benefit types")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class SegmentKind(models.TextChoices):
    WAGE_EARNER = "PU", _("Wage earner (PU)")
    NON_WAGE_EARNER = "BPU", _("Non-wage earner (BPU)")


class SegmentGroup(models.TextChoices):
    """The three parts in which the city publishes its figures."""

    FORMAL = "FORMAL", _("Formal employees")
    PUBLIC_SERVICE = "PUBLIC_SERVICE", _("Public-service workers (city-funded)")
    INFORMAL = "INFORMAL", _("Informal and vulnerable workers")


class Segment(models.Model):
    """A category of workers the city tracks (formal employee, RT/RW official, ...)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=3, choices=SegmentKind.choices)
    group = models.CharField(_("group"), max_length=20, choices=SegmentGroup.choices)
    default_funding_scheme = models.ForeignKey(
        "FundingScheme",
        verbose_name=_("default funding scheme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Payer(models.TextChoices):
    """Who pays a share of a contribution."""

    EMPLOYER = "EMPLOYER", _("Employer")
    WORKER = "WORKER", _("Worker")
    GOVERNMENT = "GOVERNMENT", _("Government or sponsor")


class FundingScheme(models.Model):
    """Who pays the contribution: the employer, the worker (mandiri), the city budget (APBD), a sponsor."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_city_budget = models.BooleanField(_("paid from the city budget"), default=False)
    payer = models.CharField(
        _("payer"),
        max_length=10,
        choices=Payer.choices,
        default=Payer.EMPLOYER,
        help_text=_(
            "Who pays what is not the worker's own part: the employer's part of a wage earner's contribution, "
            "a non-wage earner's whole contribution."
        ),
    )
    risk_class = models.PositiveSmallIntegerField(
        _("JKK risk class"),
        null=True,
        blank=True,
        help_text=_(
            "For wage earners without an employer in the portal (non-ASN staff paid from the APBD): the JKK "
            "risk class of the payer, 1 to 5."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("funding scheme")
        verbose_name_plural = _("funding schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_class__isnull=True) | Q(risk_class__gte=1, risk_class__lte=5),
                name="funding_risk_class_range",
                violation_error_message=_("The risk class is a number from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContributionRate(models.Model):
    """A program's contribution for one segment kind, valid over a date range.

    Either a percentage of the monthly wage (wage earners; declared income for non-wage earners), optionally
    with a minimum and a maximum amount and a wage cap, or a fixed monthly amount in Rupiah. JKK for wage
    earners depends on the employer's risk class (1-5); other rates leave ``risk_class`` empty. Of a wage
    earner's percentage, ``worker_percent`` is the worker's part (JHT 2, JP 1) and the rest the employer's; a
    rate ``paid_by_government`` (JKP) is financed by the government and recomposition, never by either.
    """

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT)
    segment_kind = models.CharField(_("segment kind"), max_length=3, choices=SegmentKind.choices)
    risk_class = models.PositiveSmallIntegerField(_("risk class"), null=True, blank=True)
    percent_of_wage = models.DecimalField(
        _("percent of wage"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    fixed_amount = models.PositiveBigIntegerField(_("fixed amount (Rp)"), null=True, blank=True)
    minimum_amount = models.PositiveBigIntegerField(_("minimum amount (Rp)"), null=True, blank=True)
    maximum_amount = models.PositiveBigIntegerField(_("maximum amount (Rp)"), null=True, blank=True)
    worker_percent = models.DecimalField(
        _("worker's part (percent of wage)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_(
            "Of a wage earner's percentage, what the worker pays; the employer pays the rest."
        ),
    )
    paid_by_government = models.BooleanField(
        _("paid by the government"),
        default=False,
        help_text=_(
            "Financed by the central government and recomposition (JKP): no one else pays it."
        ),
    )
    wage_cap = models.PositiveBigIntegerField(_("wage cap (Rp)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["program__sort_order", "segment_kind", "risk_class", "valid_from"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_of_wage__isnull=False, fixed_amount__isnull=True)
                | Q(percent_of_wage__isnull=True, fixed_amount__isnull=False),
                name="rate_percent_xor_fixed",
                violation_error_message=_(
                    "Give either a percentage of wage or a fixed amount, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(percent_of_wage__isnull=True)
                | Q(percent_of_wage__gte=0, percent_of_wage__lte=100),
                name="rate_percent_range",
                violation_error_message=_("A percentage must lie between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rate_valid_to_not_before_from",
                violation_error_message=_("The end of validity cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(risk_class__isnull=True) | Q(risk_class__gte=1, risk_class__lte=5),
                name="rate_risk_class_range",
                violation_error_message=_("The risk class is a number from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(worker_percent__isnull=True)
                | Q(
                    percent_of_wage__isnull=False,
                    worker_percent__gte=0,
                    worker_percent__lte=F("percent_of_wage"),
                ),
                name="rate_worker_part_within_percent",
                violation_error_message=_(
                    "The worker's part cannot exceed the percentage of wage."
                ),
            ),
            models.CheckConstraint(
                condition=Q(minimum_amount__isnull=True)
                | Q(maximum_amount__isnull=True)
                | Q(maximum_amount__gte=F("minimum_amount")),
                name="rate_maximum_not_below_minimum",
                violation_error_message=_("The maximum amount cannot be below the minimum amount."),
            ),
            models.UniqueConstraint(
                fields=["program", "segment_kind", "risk_class", "valid_from"],
                condition=Q(risk_class__isnull=False),
                name="rate_unique_per_class_and_start",
                violation_error_message=_(
                    "A rate for this program, kind and risk class already starts on that date."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "segment_kind", "valid_from"],
                condition=Q(risk_class__isnull=True),
                name="rate_unique_per_start",
                violation_error_message=_(
                    "A rate for this program, kind and risk class already starts on that date."
                ),
            ),
        ]

    def __str__(self) -> str:
        amount = (
            percent(self.percent_of_wage, places=None)
            if self.percent_of_wage is not None
            else rupiah(self.fixed_amount)
        )
        return f"{self.program.code} {self.segment_kind} {amount} ({short_date(self.valid_from)})"


class Kecamatan(models.Model):
    """A district of Kota Makassar, with its Kemendagri code (``73.71.CC``)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district (kecamatan)")
        verbose_name_plural = _("districts (kecamatan)")

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    """A sub-district (kelurahan), with its Kemendagri code (``73.71.CC.1NNN``)."""

    code = models.CharField(_("code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("district"), on_delete=models.PROTECT, related_name="kelurahan"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("sub-district (kelurahan)")
        verbose_name_plural = _("sub-districts (kelurahan)")

    def __str__(self) -> str:
        return f"{self.name}, {self.kecamatan.name}"


class CoverageTarget(models.Model):
    """The UCJ coverage target for a year, with where the number comes from."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    target_percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_percent__gte=0, target_percent__lte=100),
                name="target_percent_range",
                violation_error_message=_("A target is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {percent(self.target_percent, places=None)}"
