"""Computing a monthly contribution from the rates in force on a date."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from programs.models import ContributionRate


class NoRateError(LookupError):
    """No contribution rate is in force for the program and kind on that date."""


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

    def applies(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def amount(self, wage: int) -> int:
        if self.fixed_amount is not None:
            return self.fixed_amount
        base = min(wage, self.wage_cap) if self.wage_cap else wage
        amount = int((Decimal(base) * self.percent_of_wage / 100).quantize(0, ROUND_HALF_UP))
        return max(amount, self.minimum_amount or 0)


class RateTable:
    """All contribution rates, loaded once, so that bulk work computes contributions without queries."""

    def __init__(self, rates: list[Rate]) -> None:
        self._rates: dict[tuple[str, str], list[Rate]] = {}
        self._in_force: dict[tuple, Rate | None] = {}  # memo of _rate_in_force
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
                )
                for row in ContributionRate.objects.select_related("program")
            ]
        )

    def monthly_contribution(
        self,
        program_code: str,
        segment_kind: str,
        wage: int,
        on: date,
        risk_class: int | None = None,
    ) -> int:
        """The monthly contribution in Rupiah; ``wage`` is the wage (PU) or declared income (BPU)."""
        key = (program_code, segment_kind, on, risk_class)
        if key not in self._in_force:  # an import asks the same question for every row
            self._in_force[key] = self._rate_in_force(*key)
        rate = self._in_force[key]
        if rate is None:
            raise NoRateError(f"{program_code}/{segment_kind} on {on}")
        return rate.amount(wage)

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
