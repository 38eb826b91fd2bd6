"""Computing a monthly contribution and who pays it, from the rates in force on a date.

One rule for every door: the services (``enrol_worker``, the recomputation), the imports and the demo data
(in bulk, through one ``RateTable`` loaded once), the ``contribution`` command and the portal's calculator.

Rounding (docs/decisions.md, "Contributions"): each share (employer, worker, government) is its own percentage of the base, rounded
half up to a whole Rupiah, and the amount is their sum, so ``amount == employer + worker + government`` always.
A minimum or maximum applies to the payer's share (the whole contribution when the worker has no part of it).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from berjasa.formatting import short_date
from programs.models import ContributionRate, Payer, Program, SegmentKind


class Refused(LookupError):
    """A program cannot apply to this worker on that date; ``str()`` says why, in words."""


class NoRateError(Refused):
    """No contribution rate is in force for the program and kind on that date."""


def risk_class_for(
    segment_kind: str, employer_risk_class: int | None, scheme_risk_class: int | None
) -> int | None:
    """A wage earner's JKK risk class: the employer's, else the funding scheme's (the city as a payer)."""
    if segment_kind != SegmentKind.WAGE_EARNER:
        return None
    return employer_risk_class if employer_risk_class is not None else scheme_risk_class


@dataclass(frozen=True)
class Payment:
    """What a contribution depends on besides the program, the wage and the date."""

    segment_kind: str
    payer: str  # FundingScheme.payer: who pays what is not the worker's own part
    risk_class: int | None = None

    @classmethod
    def of(cls, segment, funding_scheme, employer=None) -> "Payment":
        return cls(
            segment.kind,
            funding_scheme.payer,
            risk_class_for(
                segment.kind, employer.risk_class if employer else None, funding_scheme.risk_class
            ),
        )


@dataclass(frozen=True)
class Rate:
    program_code: str
    segment_kind: str
    risk_class: int | None
    percent_of_wage: Decimal | None
    fixed_amount: int | None
    minimum_amount: int | None
    wage_cap: int | None
    valid_from: date
    valid_to: date | None
    maximum_amount: int | None = None
    worker_percent: Decimal | None = None
    paid_by_government: bool = False
    legal_basis: str = ""

    def __post_init__(self) -> None:
        # The payer's and the worker's percentages in thousandths, for integer arithmetic row by row.
        own = self.worker_percent or Decimal(0)
        paying = (self.percent_of_wage or Decimal(0)) - own
        object.__setattr__(self, "_paying", int(paying * 1000))
        object.__setattr__(self, "_own", int(own * 1000))

    def applies(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def _percent(base: int, thousandths: int) -> int:
    """``thousandths``/1000 percent of ``base``, rounded half up to a whole Rupiah (exact, in integers)."""
    return (base * thousandths + 50_000) // 100_000


@dataclass(slots=True)
class Contribution:
    """One program's monthly contribution in Rupiah, split by who pays it, with the rate that applied."""

    program: str
    rate: Rate
    base: (
        int | None
    )  # the wage (capped) or declared income the percentage applies to; None for a fixed amount
    employer: int
    worker: int
    government: int

    @property
    def amount(self) -> int:
        return self.employer + self.worker + self.government

    def stored(self) -> tuple[int, int, int, int]:
        """The values of a membership's ``monthly_contribution`` and three shares, in that order."""
        return (self.amount, self.employer, self.worker, self.government)

    @classmethod
    def compute(cls, rate: Rate, wage: int, payer: str) -> "Contribution":
        if rate.fixed_amount is not None:
            base, worker, paying = None, 0, rate.fixed_amount
        else:
            base = min(wage, rate.wage_cap) if rate.wage_cap else wage
            worker = _percent(base, rate._own)  # the worker's part of the percentage
            paying = max(_percent(base, rate._paying), rate.minimum_amount or 0)
            if rate.maximum_amount is not None:
                paying = min(paying, rate.maximum_amount)
        if rate.paid_by_government:
            return cls(rate.program_code, rate, base, 0, 0, paying + worker)
        if payer == Payer.WORKER:
            return cls(rate.program_code, rate, base, 0, paying + worker, 0)
        employer = paying if payer == Payer.EMPLOYER else 0
        return cls(rate.program_code, rate, base, employer, worker, paying - employer)


class RateTable:
    """All contribution rates, loaded once, so that bulk work computes contributions without queries."""

    def __init__(
        self,
        rates: list[Rate],
        wage_earners_only: frozenset[str] = frozenset(),
        business_workers_only: frozenset[str] = frozenset(),
    ) -> None:
        self._rates: dict[tuple[str, str], list[Rate]] = {}
        self._in_force: dict[tuple, Rate | None] = {}  # memo of _rate_in_force
        self._wage_earners_only = wage_earners_only
        self._business_workers_only = business_workers_only
        for rate in rates:
            self._rates.setdefault((rate.program_code, rate.segment_kind), []).append(rate)

    @classmethod
    def load(cls) -> "RateTable":
        return cls(
            [
                Rate(
                    program_code=row.program.code,
                    segment_kind=row.segment_kind,
                    risk_class=row.risk_class,
                    percent_of_wage=row.percent_of_wage,
                    fixed_amount=row.fixed_amount,
                    minimum_amount=row.minimum_amount,
                    wage_cap=row.wage_cap,
                    valid_from=row.valid_from,
                    valid_to=row.valid_to,
                    maximum_amount=row.maximum_amount,
                    worker_percent=row.worker_percent,
                    paid_by_government=row.paid_by_government,
                    legal_basis=row.legal_basis,
                )
                for row in ContributionRate.objects.select_related("program")
            ],
            frozenset(
                Program.objects.filter(wage_earners_only=True).values_list("code", flat=True)
            ),
            frozenset(
                Program.objects.filter(business_workers_only=True).values_list("code", flat=True)
            ),
        )

    def contribution(
        self, program_code: str, payment: Payment, wage: int, on: date
    ) -> Contribution:
        """The monthly contribution; ``wage`` is the wage (PU) or declared income (BPU). Raises ``Refused``."""
        kind = payment.segment_kind
        if program_code in self._wage_earners_only and kind != SegmentKind.WAGE_EARNER:
            raise Refused(
                _("%(program)s is open to wage earners only.") % {"program": program_code}
            )
        if (
            program_code in self._business_workers_only
            and kind == SegmentKind.WAGE_EARNER
            and payment.payer == Payer.GOVERNMENT
        ):
            raise Refused(
                _(
                    "%(program)s covers workers of a business only (PP 37/2021 Article 1 point 3 and "
                    "Article 2); staff whose employer's part the city budget or a sponsor pays are not "
                    "covered."
                )
                % {"program": program_code}
            )
        if program_code == "JKK" and kind == SegmentKind.WAGE_EARNER and payment.risk_class is None:
            raise Refused(
                _(
                    "JKK for a wage earner needs a risk class: the employer's, or the funding scheme's "
                    "when the worker has no employer."
                )
            )
        rate_key = (program_code, kind, on, payment.risk_class)
        if rate_key not in self._in_force:  # an import asks the same question for every row
            self._in_force[rate_key] = self._rate_in_force(*rate_key)
        rate = self._in_force[rate_key]
        if rate is None:
            raise NoRateError(
                _("No %(program)s contribution rate is in force on %(date)s.")
                % {"program": program_code, "date": short_date(on)}
            )
        return Contribution.compute(rate, wage, payment.payer)

    def _rate_in_force(
        self, program_code: str, segment_kind: str, on: date, risk_class: int | None
    ) -> Rate | None:
        candidates = [
            rate
            for rate in self._rates.get((program_code, segment_kind), [])
            if rate.applies(on) and rate.risk_class in (risk_class, None)
        ]
        # A rate for the exact risk class wins over one that ignores the class.
        candidates.sort(key=lambda rate: rate.risk_class is None)
        return candidates[0] if candidates else None
