"""The declared reports. Each table builder reads a ``ReportContext`` and returns a ``Table``; reports combine
builders. No builder reads a person: rows are groups (segments, districts, benefit types, months), never workers.
"""

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from berjasa.formatting import short_date
from programs.models import BenefitType, Kelurahan, Segment, SegmentGroup, SegmentKind
from reports.engine import COUNT, PERCENT, RUPIAH, TEXT, ReportContext
from reports.models import WorkforceEstimate
from reports.periods import Period, month_end
from reports.queries import DIMENSIONS, ClaimTotals, Flow, check_dimensions, labelled, percent_of
from reports.registry import ChartSpec, Column, ReportDefinition, ReportParams, Table, register

UCJ = WorkforceEstimate.Kind.UCJ_ELIGIBLE
EMPLOYED = WorkforceEstimate.Kind.EMPLOYED

# The trend shown beside a month, quarter or year; a range is its own trend.
TRAILING_MONTHS = 12
DASHBOARD_TREND_MONTHS = 36


def _confirmed_columns(share_label: str) -> tuple[Column, Column]:
    """The columns beside a count of covered workers: those confirmed by BPJS, and their ``share_label``."""
    return (
        Column("confirmed", _("Confirmed by BPJS"), COUNT),
        Column("confirmed_share", share_label, PERCENT),
    )


def _trend_period(context: ReportContext, months: int) -> Period:
    period = context.period
    return period if period.is_range else period.trailing_months(months)


def trend_table(context: ReportContext, months: int = TRAILING_MONTHS) -> Table:
    """Covered workers at each month end, by segment group, with UCJ % and the target (in % and workers)."""
    groups = dict(labelled(SegmentGroup.choices))
    rows = []
    points = context.trend(_trend_period(context, months))
    for point in points:
        ucj = context.denominator(UCJ, point.day.year)
        target = context.target(point.day.year)
        target_workers = (
            int((target.target_percent * ucj.workers / 100).to_integral_value())
            if ucj and target and context.has_denominators
            else None
        )
        rows.append(
            (
                f"{point.day:%Y-%m}",
                point.total,
                *(point.by_group[key] for key in groups),
                point.confirmed,
                percent_of(point.total, ucj.workers if ucj else None),
                percent_of(point.confirmed, ucj.workers if ucj else None),
                target.target_percent if target and context.has_denominators else None,
                target_workers,
            )
        )
    last = points[-1].day if points else None
    return Table(
        "trend",
        _("Covered workers at each month end"),
        _("Monthly trend"),
        (
            Column("month", _("Month"), TEXT),
            Column("covered", _("Covered workers"), COUNT),
            *(Column(f"covered_{key.lower()}", label, COUNT) for key, label in groups.items()),
            Column("confirmed", _("Confirmed by BPJS"), COUNT),
            Column("ucj_percent", _("UCJ %"), PERCENT),
            Column("ucj_confirmed_percent", _("UCJ %, confirmed by BPJS"), PERCENT),
            Column("target_percent", _("UCJ target"), PERCENT),
            Column("target_workers", _("Workers needed for the target"), COUNT),
        ),
        tuple(rows),
        chart=ChartSpec("trend"),
        note=_("The last month is counted on %(day)s.") % {"day": short_date(last)}
        if last and last != month_end(last.year, last.month)
        else "",
    )


def segment_table(context: ReportContext) -> Table:
    """Covered workers by segment on the last day, with the period's new enrolments and terminations."""
    coverage = context.coverage
    groups, kinds = dict(labelled(SegmentGroup.choices)), dict(labelled(SegmentKind.choices))
    rows = []
    for segment in Segment.objects.all():
        covered = coverage.count("segment", segment.pk)
        confirmed = coverage.confirmed_count("segment", segment.pk)
        flow = context.flows.get(segment.pk, Flow(0, 0))
        rows.append(
            (
                segment.name,
                groups.get(segment.group, segment.group),
                kinds.get(segment.kind, segment.kind),
                covered,
                percent_of(covered, coverage.total),
                confirmed,
                percent_of(confirmed, coverage.confirmed),
                flow.new,
                flow.ended,
            )
        )
    return Table(
        "segment",
        _("Coverage by segment"),
        str(DIMENSIONS["segment"].label),
        (
            Column("segment", _("Segment"), TEXT),
            Column("group", _("Segment group"), TEXT),
            Column("kind", _("Segment kind"), TEXT),
            Column("covered", _("Covered workers"), COUNT),
            Column("share", _("Share"), PERCENT),
            *_confirmed_columns(_("Share of the confirmed")),
            Column("new", _("New enrolments"), COUNT),
            Column("ended", _("Terminations"), COUNT),
        ),
        tuple(rows),
        chart=ChartSpec("bars", label="segment", value="covered"),
        note=_(
            "A worker counts under the segment of their active JKK membership. New enrolments and "
            "terminations are JKK memberships starting and ending within the period."
        ),
    )


def kecamatan_table(context: ReportContext) -> Table:
    """Districts ranked by UCJ coverage (covered ÷ the district's UCJ-eligible workforce)."""
    coverage = context.coverage
    ucj = context.estimates(UCJ, by_kecamatan=True) if context.has_denominators else {}
    employed = context.estimates(EMPLOYED, by_kecamatan=True) if context.has_denominators else {}
    rows = []
    for pk, name in context.labels("kecamatan"):
        if pk is None or context.scope.kecamatan_id not in (None, pk):
            continue
        covered = coverage.count("kecamatan", pk)
        confirmed = coverage.confirmed_count("kecamatan", pk)
        eligible = ucj[pk].workers if pk in ucj else None
        working = employed[pk].workers if pk in employed else None
        rows.append(
            [
                name,
                covered,
                confirmed,
                eligible,
                percent_of(covered, eligible),
                percent_of(confirmed, eligible),
                working,
                percent_of(covered, working),
                percent_of(confirmed, working),
            ]
        )
    rows.sort(key=lambda row: (row[4] is None, -(row[4] or Decimal(0)), -row[1], row[0]))
    target = context.target()
    return Table(
        "kecamatan",
        _("Districts ranked by UCJ coverage"),
        _("District ranking"),
        (
            Column("rank", _("Rank"), COUNT),
            Column("kecamatan", _("District (kecamatan)"), TEXT),
            Column("covered", _("Covered workers"), COUNT),
            Column("confirmed", _("Confirmed by BPJS"), COUNT),
            Column("ucj_eligible", _("UCJ-eligible workforce"), COUNT),
            Column("ucj_percent", _("UCJ %"), PERCENT),
            Column("ucj_confirmed_percent", _("UCJ %, confirmed by BPJS"), PERCENT),
            Column("employed", _("Employed population"), COUNT),
            Column("employed_percent", _("Coverage of the employed population"), PERCENT),
            Column(
                "employed_confirmed_percent",
                _("Coverage of the employed population, confirmed by BPJS"),
                PERCENT,
            ),
        ),
        tuple((rank, *row) for rank, row in enumerate(rows, start=1)),
        chart=ChartSpec(
            "bars",
            label="kecamatan",
            value="ucj_percent" if ucj else "covered",
            reference=target.target_percent if target and ucj else None,
            reference_label=_("UCJ target %(year)s") % {"year": target.year} if target else "",
        ),
        note=_("Percentages use each district's own workforce estimates."),
    )


def kelurahan_table(context: ReportContext) -> Table:
    """Covered workers by sub-district (within the district of the scope, if any)."""
    coverage = context.coverage
    kelurahan = Kelurahan.objects.select_related("kecamatan")
    if context.scope.kecamatan_id is not None:
        kelurahan = kelurahan.filter(kecamatan_id=context.scope.kecamatan_id)
    rows = []
    for place in kelurahan:
        covered = coverage.count("kelurahan", place.pk)
        confirmed = coverage.confirmed_count("kelurahan", place.pk)
        rows.append(
            (
                place.name,
                place.kecamatan.name,
                covered,
                percent_of(covered, coverage.total),
                confirmed,
                percent_of(confirmed, coverage.confirmed),
            )
        )
    return Table(
        "kelurahan",
        _("Coverage by sub-district"),
        str(DIMENSIONS["kelurahan"].label),
        (
            Column("kelurahan", _("Sub-district (kelurahan)"), TEXT),
            Column("kecamatan", _("District (kecamatan)"), TEXT),
            Column("covered", _("Covered workers"), COUNT),
            Column("share", _("Share"), PERCENT),
            *_confirmed_columns(_("Share of the confirmed")),
        ),
        tuple(rows),
        chart=ChartSpec("bars", label="kelurahan", value="covered"),
    )


def breakdown_table(context: ReportContext, dimension: str) -> Table:
    """Covered workers by one breakdown, with each part's share of the total."""
    coverage = context.coverage
    counts, confirmed = coverage.by[dimension], coverage.confirmed_by[dimension]
    rows = tuple(
        (
            label,
            counts.get(key, 0),
            percent_of(counts.get(key, 0), coverage.total),
            confirmed.get(key, 0),
            percent_of(confirmed.get(key, 0), coverage.confirmed),
        )
        for key, label in context.labels(dimension)
        if key is not None or counts.get(key)
    )
    title = DIMENSIONS[dimension].label
    note = (
        _(
            "Covered workers holding an active membership in each program; confirmed by BPJS: those confirmed "
            "whose membership of the program BPJS shows active too."
        )
        if dimension == "program"
        else ""
    )
    return Table(
        dimension,
        _("Coverage by %(breakdown)s") % {"breakdown": str(title).lower()},
        str(title),
        (
            Column(dimension, str(title), TEXT),
            Column("covered", _("Covered workers"), COUNT),
            Column("share", _("Share"), PERCENT),
            *_confirmed_columns(_("Share of the confirmed")),
        ),
        rows,
        chart=ChartSpec("bars", label=dimension, value="covered"),
        note=note,
    )


def confirmation_table(context: ReportContext) -> Table:
    """Covered workers registered here and confirmed by BPJS on the last day, by segment group: the gap."""
    coverage = context.coverage
    rows = []
    for key, label in [*labelled(SegmentGroup.choices), (None, _("All segment groups"))]:
        registered = coverage.total if key is None else coverage.count("segment_group", key)
        confirmed = (
            coverage.confirmed if key is None else coverage.confirmed_count("segment_group", key)
        )
        gap = registered - confirmed
        rows.append((label, registered, confirmed, gap, percent_of(gap, registered)))
    return Table(
        "confirmation",
        _("Registered here and confirmed by BPJS"),
        _("Confirmed by BPJS"),
        (
            Column("segment_group", _("Segment group"), TEXT),
            Column("registered", _("Registered here"), COUNT),
            Column("confirmed", _("Confirmed by BPJS"), COUNT),
            Column("not_confirmed", _("Not confirmed by BPJS"), COUNT),
            Column("not_confirmed_percent", _("Not confirmed, share of registered"), PERCENT),
        ),
        tuple(rows),
        note=_(
            "Registered here: covered workers by the portal's records (an active JKK and JKM membership). "
            "Confirmed by BPJS: those whose JKK and JKM memberships BPJS shows active, by its answer to a "
            "registration file or its latest monthly statement. The state is the one known today, for an "
            "earlier period too."
        ),
    )


def _claim_columns() -> tuple[Column, ...]:
    return (
        Column("period_count", _("Claims paid in the period"), COUNT),
        Column("period_recipients", _("Workers paid in the period"), COUNT),
        Column("period_amount", _("Paid in the period"), RUPIAH),
        Column("count", _("Claims paid, cumulative"), COUNT),
        Column("recipients", _("Workers paid, cumulative"), COUNT),
        Column("amount", _("Paid, cumulative"), RUPIAH),
    )


def _claim_values(totals: ClaimTotals) -> tuple[int, ...]:
    return (
        totals.period_count,
        totals.period_recipients,
        totals.period_amount,
        totals.count,
        totals.recipients,
        totals.amount,
    )


def claims_table(context: ReportContext, by: str) -> Table:
    """Paid claims within the period and cumulative to its end, by benefit type, segment group or segment."""
    claims = context.claims(by)
    if by == "benefit_type":
        title, sheet, heading = (
            _("Claims paid by benefit type"),
            _("Claims by benefit type"),
            _("Benefit type"),
        )
        keys = [(b.pk, str(b)) for b in BenefitType.objects.all()]
    elif by == "segment_group":
        title, sheet, heading = (
            _("Claims paid by segment group"),
            _("Claims by segment group"),
            _("Segment group"),
        )
        keys = labelled(SegmentGroup.choices)
    else:
        title, sheet, heading = _("Claims paid by segment"), _("Claims by segment"), _("Segment")
        keys = [(s.pk, s.name) for s in Segment.objects.all()]
    return Table(
        f"claims_{by}",
        title,
        sheet,
        (Column(by, heading, TEXT), *_claim_columns()),
        tuple((label, *_claim_values(claims.get(key, ClaimTotals()))) for key, label in keys),
        chart=ChartSpec("bars", label=by, value="amount"),
        note=_(
            "Paid claims by paid date; workers paid are distinct recipients. The segment is the one under "
            "which the worker was insured when the claim arose."
        ),
    )


def _coverage_tables(context: ReportContext, params: ReportParams) -> list[Table]:
    tables = [trend_table(context)] if context.period.is_range else []
    tables.append(confirmation_table(context))
    for dimension in check_dimensions(params.by or DIMENSIONS):
        if dimension == "segment":
            tables.append(segment_table(context))
        elif dimension == "kecamatan":
            tables.append(kecamatan_table(context))
        elif dimension == "kelurahan":
            tables.append(kelurahan_table(context))
        else:
            tables.append(breakdown_table(context, dimension))
    tables += [claims_table(context, by) for by in ("benefit_type", "segment_group", "segment")]
    return tables


def _single(
    builder: Callable[[ReportContext], Table],
) -> Callable[[ReportContext, ReportParams], list]:
    return lambda context, params: [builder(context)]


register(
    ReportDefinition(
        "coverage",
        gettext_lazy("Coverage and claims"),
        _coverage_tables,
        description=gettext_lazy(
            "Covered workers on the period's last day in every breakdown, new enrolments and terminations, "
            "and claims paid; for a range of months, the month trend too."
        ),
        parameters=("period", "by", "segment", "kecamatan", "employer"),
        dimensions=lambda params: params.by or tuple(DIMENSIONS),
    )
)
register(
    ReportDefinition(
        "bpjs-confirmation",
        gettext_lazy("Registered here and confirmed by BPJS"),
        _single(confirmation_table),
        description=gettext_lazy(
            "Covered workers registered here and those BPJS confirms, by segment group, with the difference."
        ),
    )
)
register(
    ReportDefinition(
        "coverage-by-segment",
        gettext_lazy("Coverage by segment"),
        _single(segment_table),
        dimensions=lambda params: ("segment",),
    )
)
register(
    ReportDefinition(
        "kecamatan-ranking",
        gettext_lazy("Districts ranked by UCJ coverage"),
        _single(kecamatan_table),
        dimensions=lambda params: ("kecamatan",),
    )
)
register(
    ReportDefinition(
        "kelurahan-coverage",
        gettext_lazy("Coverage by sub-district"),
        _single(kelurahan_table),
        dimensions=lambda params: ("kelurahan",),
    )
)
register(
    ReportDefinition(
        "claims-by-benefit",
        gettext_lazy("Claims paid by benefit type"),
        _single(lambda context: claims_table(context, "benefit_type")),
    )
)
register(
    ReportDefinition(
        "coverage-trend",
        gettext_lazy("Coverage trend"),
        _single(lambda context: trend_table(context, DASHBOARD_TREND_MONTHS)),
        description=gettext_lazy("Covered workers at each month end, with the UCJ target."),
    )
)
