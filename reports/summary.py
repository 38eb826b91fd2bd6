"""An employer's own figures, for its portal home page: the same definitions as the managers' reports, scoped
to the memberships and claims the employer registered (``Membership.employer``, ``Claim.employer``)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from enrollment.models import Employer
from programs.models import Program, Segment
from reports.periods import month_end, shift_month
from reports.queries import (
    ClaimTotals,
    Scope,
    TrendPoint,
    claims_paid,
    coverage_on,
    coverage_trend,
    membership_flows,
)

SUMMARY_MONTHS = 12


@dataclass(frozen=True)
class EmployerSummary:
    employer: Employer
    on: date
    covered: int  # workers with an active JKK and JKM registered by this employer on ``on``
    by_segment: list[tuple[str, int]]  # segment name, covered workers (segments with any)
    by_program: list[
        tuple[str, int]
    ]  # program code, covered workers holding it (JKK, JKM, JHT, JP, JKP)
    new_this_month: int  # JKK memberships starting from the 1st of ``on``'s month to ``on``
    ended_this_month: int  # ... and ending in that time
    claims: (
        ClaimTotals  # paid claims: ``period_*`` this month to ``on``, the rest cumulative to ``on``
    )
    trend: list[TrendPoint]  # covered workers at the last 11 month ends and on ``on``

    @property
    def peak(self) -> int:
        """The highest point of the trend (at least 1), to scale a small chart."""
        return max([1, *(point.total for point in self.trend)])


def employer_summary(employer: Employer, *, on: date | None = None) -> EmployerSummary:
    """The employer's figures on ``on`` (today in Asia/Makassar by default), in six queries."""
    on = on or timezone.localdate()
    scope = Scope(employer_id=employer.pk)
    month_start = on.replace(day=1)
    coverage = coverage_on(on, scope, ["segment", "program"])
    flows = membership_flows(month_start, on, scope).values()
    days = [
        month_end(*shift_month(on.year, on.month, -back))
        for back in range(SUMMARY_MONTHS - 1, 0, -1)
    ]
    return EmployerSummary(
        employer=employer,
        on=on,
        covered=coverage.total,
        by_segment=[
            (segment.name, coverage.count("segment", segment.pk))
            for segment in Segment.objects.all()
            if coverage.count("segment", segment.pk)
        ],
        by_program=[(p.code, coverage.count("program", p.pk)) for p in Program.objects.all()],
        new_this_month=sum(flow.new for flow in flows),
        ended_this_month=sum(flow.ended for flow in flows),
        claims=claims_paid(month_start, on, scope).get(None, ClaimTotals()),
        trend=coverage_trend([*days, on], scope),
    )
