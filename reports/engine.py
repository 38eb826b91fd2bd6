"""What one run of reports knows: the period, the scope, and the figures, each fetched once when first asked.

Several reports rendered together (the dashboard, a snapshot) share one ``ReportContext``, so the covered set is
built once for all of their breakdowns.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from berjasa.formatting import long_date
from programs.models import CoverageTarget, SegmentGroup
from reports.models import WorkforceEstimate
from reports.periods import Period
from reports.queries import (
    CITY,
    DIMENSIONS,
    ClaimTotals,
    Coverage,
    Estimate,
    Flow,
    Scope,
    TrendPoint,
    check_dimensions,
    claims_paid_by,
    coverage_on,
    coverage_trend,
    estimates,
    labelled,
    membership_flows,
    percent_of,
    target_for,
)

# Column kinds, which every exporter knows how to write.
TEXT, COUNT, PERCENT, RUPIAH = "text", "count", "percent", "rupiah"


@dataclass(frozen=True)
class Figure:
    """One headline figure; ``level`` 1 marks a part of the figure above it."""

    key: str
    label: str
    value: int | Decimal | None
    kind: str
    level: int = 0


@dataclass(frozen=True)
class Headline:
    """The figures every output opens with."""

    on: date
    figures: tuple[Figure, ...]

    def __getitem__(self, key: str) -> Any:
        for figure in self.figures:
            if figure.key == key:
                return figure.value
        raise KeyError(key)


class ReportContext:
    """Figures for one period and scope; ``dimensions`` are the breakdowns of coverage to fetch together."""

    def __init__(self, period: Period, scope: Scope = CITY, dimensions: Sequence[str] = ()):
        self.period = period
        self.scope = scope
        self.dimensions = check_dimensions({"segment_group", *dimensions})
        self._trends: dict[tuple[date, ...], list[TrendPoint]] = {}
        self._claims: dict[str, dict[Any, ClaimTotals]] | None = None
        self._claims_recipients = False
        self._labels: dict[str, list[tuple[Any, str]]] = {}
        self._estimates: dict[tuple[str, bool, int], dict[int | None, Estimate]] = {}
        self._targets: dict[int, CoverageTarget | None] = {}

    @cached_property
    def coverage(self) -> Coverage:
        """Covered workers on the period's last day, with every requested breakdown (one statement)."""
        return coverage_on(self.period.end, self.scope, self.dimensions)

    def trend(self, period: Period | None = None) -> list[TrendPoint]:
        """Covered workers at each month end of ``period`` (the context's period by default)."""
        days = tuple((period or self.period).month_ends())
        if days not in self._trends:
            self._trends[days] = coverage_trend(days, self.scope)
        return self._trends[days]

    @cached_property
    def flows(self) -> dict[int, Flow]:
        return membership_flows(self.period.start, self.period.end, self.scope)

    def claims(
        self, by: str = "total", *, period_recipients: bool = True
    ) -> dict[Any, ClaimTotals]:
        """Paid claims in the grouping ``by``; every grouping is fetched together, once (again only to add the
        period's distinct recipients, which the headline does not show and leaves out)."""
        if self._claims is None or (period_recipients and not self._claims_recipients):
            self._claims = claims_paid_by(
                self.period.start, self.period.end, self.scope, period_recipients=period_recipients
            )
            self._claims_recipients = period_recipients
        return self._claims[by]

    def labels(self, dimension: str) -> list[tuple[Any, str]]:
        """The values of a breakdown in their order, with labels (reference data, read once)."""
        if dimension not in self._labels:
            self._labels[dimension] = DIMENSIONS[dimension].choices()
        return self._labels[dimension]

    # --- Denominators ----------------------------------------------------------------------------

    @property
    def has_denominators(self) -> bool:
        """Workforce estimates describe the whole city or a kecamatan, never an employer or a segment."""
        return self.scope.employer_id is None and self.scope.segment_id is None

    def estimates(
        self, kind: str, *, by_kecamatan: bool = False, year: int | None = None
    ) -> dict[int | None, Estimate]:
        """The estimates for ``year`` (the period's by default), falling back to the latest year before it."""
        key = (kind, by_kecamatan, year or self.period.year)
        if key not in self._estimates:
            self._estimates[key] = estimates(kind, key[2], by_kecamatan=by_kecamatan)
        return self._estimates[key]

    def denominator(self, kind: str, year: int | None = None) -> Estimate | None:
        """The estimate that fits the scope: the city's, or the kecamatan's when the scope is one."""
        if not self.has_denominators:
            return None
        if self.scope.kecamatan_id is None:
            return self.estimates(kind, year=year).get(None)
        return self.estimates(kind, by_kecamatan=True, year=year).get(self.scope.kecamatan_id)

    def target(self, year: int | None = None) -> CoverageTarget | None:
        """The UCJ target for ``year`` (the period's by default), or the latest one before it."""
        year = year or self.period.year
        if year not in self._targets:
            self._targets[year] = target_for(year)
        return self._targets[year]

    @cached_property
    def headline(self) -> Headline:
        coverage = self.coverage
        groups = dict(labelled(SegmentGroup.choices))
        ucj = self.denominator(WorkforceEstimate.Kind.UCJ_ELIGIBLE)
        employed = self.denominator(WorkforceEstimate.Kind.EMPLOYED)
        claims = self.claims(period_recipients=False).get(None, ClaimTotals())
        claims_by_group = self.claims("segment_group", period_recipients=False)
        target = self.target()
        on = long_date(coverage.on)
        not_confirmed = coverage.total - coverage.confirmed
        figures = [
            Figure(
                "covered", _("Covered workers on %(date)s") % {"date": on}, coverage.total, COUNT
            ),
            *(
                Figure(
                    f"covered_{key.lower()}", label, coverage.count("segment_group", key), COUNT, 1
                )
                for key, label in groups.items()
            ),
            Figure(
                "confirmed",
                _("Confirmed by BPJS on %(date)s") % {"date": on},
                coverage.confirmed,
                COUNT,
            ),
            *(
                Figure(
                    f"confirmed_{key.lower()}",
                    _("%(group)s: confirmed by BPJS") % {"group": label},
                    coverage.confirmed_count("segment_group", key),
                    COUNT,
                    1,
                )
                for key, label in groups.items()
            ),
            Figure("not_confirmed", _("Not confirmed by BPJS"), not_confirmed, COUNT, 1),
            Figure(
                "not_confirmed_percent",
                _("Not confirmed by BPJS, of the covered workers"),
                percent_of(not_confirmed, coverage.total),
                PERCENT,
                1,
            ),
            Figure("employers", _("Employers with registered workers"), coverage.employers, COUNT),
            Figure(
                "employed",
                _("Employed population (estimate %(year)s)") % {"year": employed.year}
                if employed
                else _("Employed population"),
                employed.workers if employed else None,
                COUNT,
            ),
            Figure(
                "employed_percent",
                _("Coverage of the employed population"),
                percent_of(coverage.total, employed.workers if employed else None),
                PERCENT,
            ),
            Figure(
                "employed_confirmed_percent",
                _("Coverage of the employed population, confirmed by BPJS"),
                percent_of(coverage.confirmed, employed.workers if employed else None),
                PERCENT,
                1,
            ),
            Figure(
                "ucj_eligible",
                _("UCJ-eligible workforce (estimate %(year)s)") % {"year": ucj.year}
                if ucj
                else _("UCJ-eligible workforce"),
                ucj.workers if ucj else None,
                COUNT,
            ),
            Figure(
                "ucj_percent",
                _("Universal Coverage Jamsostek (UCJ)"),
                percent_of(coverage.total, ucj.workers if ucj else None),
                PERCENT,
            ),
            Figure(
                "ucj_confirmed_percent",
                _("UCJ, confirmed by BPJS"),
                percent_of(coverage.confirmed, ucj.workers if ucj else None),
                PERCENT,
                1,
            ),
            Figure(
                "target_percent",
                _("UCJ target %(year)s") % {"year": target.year} if target else _("UCJ target"),
                target.target_percent if target else None,
                PERCENT,
            ),
            Figure(
                "claims_amount",
                _("Claims paid up to %(date)s (cumulative)") % {"date": on},
                claims.amount,
                RUPIAH,
            ),
            Figure("claims_recipients", _("Workers paid"), claims.recipients, COUNT, 1),
        ]
        for key, label in groups.items():
            part = claims_by_group.get(key, ClaimTotals())
            figures += [
                Figure(
                    f"claims_amount_{key.lower()}",
                    _("%(group)s: paid") % {"group": label},
                    part.amount,
                    RUPIAH,
                    1,
                ),
                Figure(
                    f"claims_recipients_{key.lower()}",
                    _("%(group)s: workers paid") % {"group": label},
                    part.recipients,
                    COUNT,
                    1,
                ),
            ]
        return Headline(coverage.on, tuple(figures))
