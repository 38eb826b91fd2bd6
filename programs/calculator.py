"""The contribution calculator: what one worker would pay, program by program, by the rule that enrols.

Used by the ``contribution`` command and the calculator page; ``enrol_worker`` computes with the same
``RateTable.contribution`` and ``Payment`` (``programs.rates``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from programs.models import FundingScheme, Segment
from programs.rates import Contribution, Payment, RateTable, Refused, risk_class_for


@dataclass(frozen=True)
class Quote:
    """One program's answer: its contribution, or why it cannot apply."""

    program: str
    contribution: Contribution | None = None
    refused: str | None = None


def quote(
    programs: list[str],
    segment: Segment,
    wage: int,
    on: date,
    *,
    risk_class: int | None = None,
    funding_scheme: FundingScheme | None = None,
    rates: RateTable | None = None,
) -> list[Quote]:
    """Each program's monthly contribution for a worker of ``segment`` earning (or declaring) ``wage`` on ``on``.

    ``risk_class`` is the employer's; without it a wage earner takes the funding scheme's (the segment's
    default scheme unless ``funding_scheme`` is given), as ``enrol_worker`` does for a worker without employer.
    """
    rates = rates or RateTable.load()
    funding = funding_scheme or segment.default_funding_scheme
    payment = Payment(
        segment.kind, funding.payer, risk_class_for(segment.kind, risk_class, funding.risk_class)
    )
    quotes = []
    for code in programs:
        try:
            quotes.append(Quote(code, contribution=rates.contribution(code, payment, wage, on)))
        except Refused as refusal:
            quotes.append(Quote(code, refused=str(refusal)))
    return quotes


def _percent(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value.normalize())


def as_json(quotes: list[Quote]) -> dict:
    """The calculator's JSON contract: amounts in whole Rupiah, rates as percentage strings."""
    programs = []
    for item in quotes:
        if item.contribution is None:
            programs.append({"program": item.program, "refused": item.refused})
            continue
        c, rate = item.contribution, item.contribution.rate
        programs.append(
            {
                "program": item.program,
                "amount": c.amount,
                "employer": c.employer,
                "worker": c.worker,
                "government": c.government,
                "base": c.base,
                "rate": _percent(rate.percent_of_wage),
                "fixed_amount": rate.fixed_amount,
                "wage_cap": rate.wage_cap,
                "minimum_amount": rate.minimum_amount,
                "maximum_amount": rate.maximum_amount,
                "valid_from": rate.valid_from.isoformat(),
                "valid_to": rate.valid_to.isoformat() if rate.valid_to else None,
                "legal_basis": rate.legal_basis,
            }
        )
    applied = [item.contribution for item in quotes if item.contribution is not None]
    return {
        "programs": programs,
        "employer_total": sum(c.employer for c in applied),
        "worker_total": sum(c.worker for c in applied),
        "government_total": sum(c.government for c in applied),
    }
