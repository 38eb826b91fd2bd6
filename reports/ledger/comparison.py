"""The ledger against the reference: every figure of ``ledger_coverage_on`` and ``ledger_coverage_trend`` beside
the same figure counted from the memberships (``direct_coverage_on``, ``direct_coverage_trend``)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from programs.models import Kecamatan, Segment
from reports.ledger.reading import answers
from reports.queries import (
    CITY,
    CLAIM_GROUPINGS,
    DIMENSIONS,
    Coverage,
    Scope,
    direct_claims_paid,
    direct_coverage_on,
    direct_coverage_trend,
    direct_membership_flows,
    ledger_claims_paid,
    ledger_coverage_on,
    ledger_coverage_trend,
    ledger_membership_flows,
)


@dataclass(frozen=True)
class Difference:
    day: date
    scope: Scope
    # "total", "employers", "confirmed", "<breakdown>[<key>]", "confirmed <breakdown>[<key>]", "trend", or a
    # grouping's paid claims with both sides' figures (``ledger`` and ``direct`` then say which side has the key)
    figure: str
    ledger: int
    direct: int

    def __str__(self) -> str:
        where = ", ".join(
            f"{name} {value}" for name, value in vars(self.scope).items() if value is not None
        )
        return (
            f"{self.day} {where or 'city'}: {self.figure} ledger {self.ledger} "
            f"memberships {self.direct}"
        )


def coverage_figures(coverage: Coverage) -> dict[str, int]:
    """Every figure of a ``Coverage`` by name; zero counts left out (a breakdown lists the keys it counts)."""
    figures = {
        "total": coverage.total,
        "employers": coverage.employers,
        "confirmed": coverage.confirmed,
    }
    for prefix, breakdowns in (("", coverage.by), ("confirmed ", coverage.confirmed_by)):
        for key, counts in breakdowns.items():
            figures.update({f"{prefix}{key}[{value}]": n for value, n in counts.items() if n})
    return figures


def every_scope() -> list[Scope]:
    """The city, each segment and each district: every filter the reports offer but an employer."""
    return [
        CITY,
        *(Scope(segment_id=pk) for pk in Segment.objects.values_list("pk", flat=True)),
        *(Scope(kecamatan_id=pk) for pk in Kecamatan.objects.values_list("pk", flat=True)),
    ]


def compare(days: Sequence[date], scopes: Iterable[Scope] = (CITY,)) -> list[Difference]:
    """Every figure on every one of ``days`` in every scope, with every breakdown, the trend over ``days``, and the
    enrolments and terminations and the paid claims in every grouping for the month and the year to each day,
    where the ledger and the memberships
    and claims disagree (none when the ledger is right). What is pending is settled first; ``ValueError`` when
    the ledger is not built or a day lies beyond its horizon."""
    if not answers(days):
        raise ValueError("The coverage ledger is not built, or a day lies beyond its horizon.")
    differences = []
    for scope in scopes:
        for day in days:
            ledger = coverage_figures(ledger_coverage_on(day, scope, DIMENSIONS))
            direct = coverage_figures(direct_coverage_on(day, scope, DIMENSIONS))
            differences += [
                Difference(day, scope, name, ledger.get(name, 0), direct.get(name, 0))
                for name in sorted(ledger.keys() | direct.keys())
                if ledger.get(name, 0) != direct.get(name, 0)
            ]
            for start in (day.replace(day=1), day.replace(month=1, day=1)):
                flows = ledger_membership_flows(start, day, scope)
                if flows != direct_membership_flows(start, day, scope):
                    differences.append(
                        Difference(day, scope, f"flows from {start}: {flows}", len(flows), -1)
                    )
                from_ledger = ledger_claims_paid(start, day, scope)
                for by in CLAIM_GROUPINGS:
                    ledger = from_ledger[by]
                    direct = direct_claims_paid(start, day, scope, by)
                    differences += [
                        Difference(
                            day,
                            scope,
                            f"claims by {by} [{key}] from {start}: ledger {ledger.get(key)}, "
                            f"claims {direct.get(key)}",
                            int(key in ledger),
                            int(key in direct),
                        )
                        for key in ledger.keys() | direct.keys()
                        if ledger.get(key) != direct.get(key)
                    ]
        for ledger_point, direct_point in zip(
            ledger_coverage_trend(days, scope), direct_coverage_trend(days, scope), strict=True
        ):
            if ledger_point != direct_point:
                differences.append(
                    Difference(
                        ledger_point.day, scope, "trend", ledger_point.total, direct_point.total
                    )
                )
    return differences
