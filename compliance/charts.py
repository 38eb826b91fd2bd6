"""The compliance page's charts, drawn by the reports' matplotlib helpers (``reports.charts``): the rate per
kecamatan as bars, and the 12-month trend of the rate as a line (a drawer added to ``reports.charts.DRAWERS``)."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from compliance.figures import ComplianceFigures
from reports import charts
from reports.engine import COUNT, PERCENT, TEXT
from reports.registry import ChartSpec, Column, Table

TREND_KIND = "compliance_rate_trend"


def _rate_trend(table: Table, _spec: ChartSpec) -> Figure | None:
    if not table.rows:
        return None
    months = [date.fromisoformat(f"{row[0]}-01") for row in table.rows]
    rates = [float("nan") if rate is None else float(rate) for rate in table.column("rate")]
    figure = Figure(figsize=(charts.WIDTH_INCHES, 2.8))
    axes = figure.add_subplot()
    axes.plot(months, rates, color=charts.BRAND, marker="o", linewidth=2)
    label = charts._value_formatter(PERCENT)
    for month, rate in zip(months, rates, strict=True):
        if rate == rate:  # not NaN
            axes.annotate(
                label(rate),
                (month, rate),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=7,
                color=charts.INK,
            )
    axes.set_ylim(0, 105)
    axes.yaxis.set_major_locator(MultipleLocator(25))
    axes.yaxis.set_major_formatter(charts._value_formatter(PERCENT, axis=True))
    axes.set_xticks(
        months, [charts._month_label(f"{m:%Y-%m}") for m in months], rotation=45, ha="right"
    )
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=charts.GRID, linewidth=0.6)
    return figure


charts.DRAWERS[TREND_KIND] = _rate_trend


def kecamatan_table(figures: ComplianceFigures) -> Table:
    return Table(
        key="compliance-kecamatan",
        title=_("Reporting rate by district"),
        sheet=_("By district"),
        columns=(Column("kecamatan", _("District")), Column("rate", _("Reporting rate"), PERCENT)),
        rows=tuple((line.label, line.tally.rate or 0) for line in figures.by_kecamatan),
        chart=ChartSpec("bars", label="kecamatan", value="rate"),
    )


def trend_table(figures: ComplianceFigures) -> Table:
    return Table(
        key="compliance-trend",
        title=_("Reporting rate, last 12 months"),
        sheet=_("Trend"),
        columns=(
            Column("month", _("Month"), TEXT),
            Column("employers", _("Employers"), COUNT),
            Column("confirmed", pgettext("roster confirmation", "Confirmed"), COUNT),
            Column("rate", _("Reporting rate"), PERCENT),
        ),
        rows=tuple(
            (f"{month:%Y-%m}", tally.employers, tally.confirmed, tally.rate)
            for month, tally in figures.trend
        ),
        chart=ChartSpec(TREND_KIND),
    )
