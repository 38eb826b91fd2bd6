"""The published August 2025 figures, scaled, and the demo's timeline.

At scale S every published count becomes ``round(value × S)`` and every Rupiah total ``round(value × S)``. The
three groups of covered workers are split from the scaled total by largest remainder, so that they always add up;
whenever ``round(part × S)`` of the three parts adds up to the scaled total (as at S = 1 and S = 0.02) the two
agree.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from programs.models import SegmentGroup

GENERATOR_VERSION = "3"  # 3: with the history of monthly roster confirmations

WINDOW_START = date(2023, 1, 1)  # histories are detailed from here on; older stock starts 2015-2022
REPORT_DAY = date(2025, 8, 31)  # the day of the published figures
HORIZON = date(2025, 10, 31)  # the last day of demo data
# Paid claims counted in the published figures arise by this day, so that they are paid by REPORT_DAY.
CLAIM_CUTOFF = date(2025, 5, 31)

FORMAL = SegmentGroup.FORMAL.value
PUBLIC_SERVICE = SegmentGroup.PUBLIC_SERVICE.value
INFORMAL = SegmentGroup.INFORMAL.value
GROUPS = (FORMAL, PUBLIC_SERVICE, INFORMAL)

# The published figures (DESIGN.md, "Reports: definitions").
COVERED_TOTAL = 263_903
COVERED_BY_GROUP = {FORMAL: 200_481, PUBLIC_SERVICE: 27_750, INFORMAL: 35_672}
EMPLOYERS_WITH_WORKERS = 6_190
EMPLOYED_POPULATION = 507_506
UCJ_ELIGIBLE_WORKFORCE = 415_792
PAID_TOTAL = 387_400_000_000
PAID_RECIPIENTS = 31_373
PAID_BY_GROUP = {PUBLIC_SERVICE: 21_700_000_000, INFORMAL: 5_970_000_000}
# Published for public-service workers; the number of informal recipients is ours (not published).
RECIPIENTS_BY_GROUP = {PUBLIC_SERVICE: 2_369, INFORMAL: 800}
DTSEN_CANDIDATES = 45_685

MIN_SCALE = 0.001
MAX_SCALE = 10.0

assert sum(COVERED_BY_GROUP.values()) == COVERED_TOTAL


class DemoDataError(Exception):
    """The demo data cannot be written as asked; the message says why and what to do."""


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` that add up exactly (largest remainder).

    Integer arithmetic throughout, so the split is exact and the same on every machine.
    """
    weight_sum = sum(weights)
    shares = [total * weight // weight_sum for weight in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % weight_sum))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def format_scale(scale: float) -> str:
    return f"{scale:g}"


@dataclass(frozen=True)
class Targets:
    """What the demo data must reproduce at one scale."""

    scale: float
    covered: dict[str, int]  # by segment group, on REPORT_DAY
    employers_with_workers: int
    employed_population: int
    ucj_eligible_workforce: int
    paid: dict[str, int]  # Rupiah paid to REPORT_DAY, by segment group
    recipients: dict[str, int]  # distinct workers paid to REPORT_DAY, by segment group
    dtsen_candidates: int

    @classmethod
    def at_scale(cls, scale: float) -> "Targets":
        if not MIN_SCALE <= scale <= MAX_SCALE:
            raise DemoDataError(
                f"The scale must lie between {MIN_SCALE:g} and {MAX_SCALE:g}; {scale:g} does not."
            )

        def scaled(value: int) -> int:
            return round(value * scale)

        covered = apportion(scaled(COVERED_TOTAL), [COVERED_BY_GROUP[g] for g in GROUPS])
        paid = {group: scaled(value) for group, value in PAID_BY_GROUP.items()}
        paid[FORMAL] = scaled(PAID_TOTAL) - sum(paid.values())
        recipients = {group: scaled(value) for group, value in RECIPIENTS_BY_GROUP.items()}
        recipients[FORMAL] = scaled(PAID_RECIPIENTS) - sum(recipients.values())
        return cls(
            scale=scale,
            covered=dict(zip(GROUPS, covered, strict=True)),
            employers_with_workers=scaled(EMPLOYERS_WITH_WORKERS),
            employed_population=scaled(EMPLOYED_POPULATION),
            ucj_eligible_workforce=scaled(UCJ_ELIGIBLE_WORKFORCE),
            paid=paid,
            recipients=recipients,
            dtsen_candidates=scaled(DTSEN_CANDIDATES),
        )

    def scaled(self, value: float) -> int:
        """A count of the demo's own shape (not a published figure) at this scale; at least one."""
        return max(1, round(value * self.scale))
