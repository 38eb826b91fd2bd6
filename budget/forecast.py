"""The budget view's figures per budget line of a year (decision 66).

- billed to date: the monthly bills from January to the reference month (the latest month with data, within
  the year);
- paid: the payments recorded on the line (not those cancelled);
- committed: the reference month's bill (today's participants) × the months left in the year; a year that has
  no data yet is committed for all twelve months at the latest month's pace;
- pipeline: city-funded open memberships still REGISTERED (not handed over, so not billed yet) and the new
  workers of DTSEN batches validated but not confirmed, and what they would cost a month;
- runs out: the first month whose cumulative spend (actual bills, then the pace) passes the ceiling, without and
  with the pipeline; None when the ceiling lasts the year.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Sum

from budget.bill import (
    Pricing,
    billed_memberships,
    city_funded_active,
    lines_by_segment,
    monthly_amounts,
    months_between,
)
from budget.models import BudgetLine, Payment
from enrollment.imports.dtsen import DTSEN_PROGRAMS
from enrollment.models import BpjsStatus, ImportBatch
from programs.models import FundingScheme, Segment, SegmentGroup, SegmentKind
from reports.periods import month_last_day


@dataclass(frozen=True)
class MonthSpend:
    month: date
    cumulative: int
    projected: bool  # at the pace, not a month's bill


@dataclass(frozen=True)
class LineForecast:
    budget_line: BudgetLine
    billed: int
    paid: int
    pace: int  # the reference month's bill
    months_left: int
    pipeline_participants: int
    pipeline_monthly: int
    months: tuple[MonthSpend, ...]
    runs_out: date | None
    runs_out_with_pipeline: date | None

    @property
    def committed(self) -> int:
        return self.pace * self.months_left

    @property
    def year_end(self) -> int:
        return self.billed + self.committed

    @property
    def left_at_year_end(self) -> int:
        return self.budget_line.ceiling - self.year_end


@dataclass(frozen=True)
class YearForecast:
    year: int
    through: date | None  # the last month billed to date; None when the year has no data yet
    pace_month: date | None
    lines: tuple[LineForecast, ...]
    unpaid_segments: tuple[str, ...]  # billed segments no line of the year pays


def _per_line(per_segment: dict[str, dict[str, int]], line_of: dict) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for segment, programs in per_segment.items():
        if segment in line_of:
            totals[line_of[segment].pk] += sum(programs.values())
    return totals


def _runs_out(ceiling: int, spends: list[int], months: list[date]) -> date | None:
    cumulative = 0
    for month, spend in zip(months, spends, strict=True):
        cumulative += spend
        if cumulative > ceiling:
            return month
    return None


def _dtsen_pipeline(pricing: Pricing, month: date) -> tuple[int, int, str | None]:
    """New workers of validated, unconfirmed DTSEN batches, what each would cost a month, and their segment."""
    workers = (
        ImportBatch.objects.filter(
            source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.VALIDATED
        ).aggregate(n=Sum("count_new"))["n"]
        or 0
    )
    segment = (
        Segment.objects.filter(group=SegmentGroup.INFORMAL, kind=SegmentKind.NON_WAGE_EARNER)
        .order_by("-is_active", "sort_order")
        .first()
    )
    scheme = FundingScheme.objects.filter(is_city_budget=True).order_by("sort_order").first()
    if not workers or segment is None or scheme is None:
        return 0, 0, None
    each = sum(
        pricing.share(
            program,
            segment.kind,
            scheme.payer,
            scheme.risk_class,
            None,
            settings.DTSEN_DECLARED_INCOME,
            month,
        )
        for program in DTSEN_PROGRAMS
    )
    return workers, each, segment.code


def year_forecast(year: int, latest_data_month: date | None) -> YearForecast:
    """The forecast of ``year``'s budget lines, with data up to ``latest_data_month`` (a first day)."""
    lines = list(BudgetLine.objects.filter(year=year).prefetch_related("segments").order_by("code"))
    line_of = lines_by_segment(year)
    january, december = date(year, 1, 1), date(year, 12, 1)
    pricing = Pricing()
    through = min(latest_data_month, december) if latest_data_month else None
    if through is not None and through < january:
        through = None
    pace_month = through or latest_data_month

    actual: dict[date, dict[int, int]] = {}
    billed_segments: set[str] = set()
    if through is not None:
        amounts = monthly_amounts(
            billed_memberships(january, month_last_day(through)), january, through, pricing
        )
        for month, per_segment in amounts.items():
            actual[month] = _per_line(per_segment, line_of)
            billed_segments |= set(per_segment)
    pace: dict[int, int] = {}
    pipeline_workers: dict[int, int] = defaultdict(int)
    pipeline_monthly: dict[int, int] = defaultdict(int)
    if pace_month is not None:
        pace = (
            actual[pace_month]
            if pace_month in actual
            else _per_line(
                monthly_amounts(
                    billed_memberships(pace_month, month_last_day(pace_month)),
                    pace_month,
                    pace_month,
                    pricing,
                ).get(pace_month, {}),
                line_of,
            )
        )
        registered = city_funded_active(pace_month, month_last_day(pace_month)).filter(
            bpjs_status=BpjsStatus.REGISTERED, end_date__isnull=True
        )
        pipeline_monthly.update(
            _per_line(
                monthly_amounts(registered, pace_month, pace_month, pricing).get(pace_month, {}),
                line_of,
            )
        )
        for row in registered.values("segment__code").annotate(n=Count("worker", distinct=True)):
            if row["segment__code"] in line_of:
                pipeline_workers[line_of[row["segment__code"]].pk] += row["n"]
        workers, each, segment = _dtsen_pipeline(pricing, pace_month)
        if segment in line_of:
            pipeline_workers[line_of[segment].pk] += workers
            pipeline_monthly[line_of[segment].pk] += workers * each

    paid = dict(
        Payment.objects.filter(budget_line__in=lines, cancelled_at__isnull=True)
        .values("budget_line")
        .annotate(total=Sum("amount"))
        .values_list("budget_line", "total")
    )
    months = list(months_between(january, december))
    forecasts = []
    for line in lines:
        spends = [
            actual[m].get(line.pk, 0) if m in actual else pace.get(line.pk, 0) for m in months
        ]
        projected = [m not in actual for m in months]
        with_pipeline = [
            spend + (pipeline_monthly[line.pk] if future else 0)
            for spend, future in zip(spends, projected, strict=True)
        ]
        cumulative, series = 0, []
        for month, spend, future in zip(months, spends, projected, strict=True):
            cumulative += spend
            series.append(MonthSpend(month, cumulative, future))
        forecasts.append(
            LineForecast(
                budget_line=line,
                billed=sum(
                    spend for spend, future in zip(spends, projected, strict=True) if not future
                ),
                paid=paid.get(line.pk, 0),
                pace=pace.get(line.pk, 0),
                months_left=sum(projected),
                pipeline_participants=pipeline_workers[line.pk],
                pipeline_monthly=pipeline_monthly[line.pk],
                months=tuple(series),
                runs_out=_runs_out(line.ceiling, spends, months),
                runs_out_with_pipeline=_runs_out(line.ceiling, with_pipeline, months),
            )
        )
    return YearForecast(
        year=year,
        through=through,
        pace_month=pace_month,
        lines=tuple(forecasts),
        unpaid_segments=tuple(sorted(billed_segments - set(line_of))),
    )
