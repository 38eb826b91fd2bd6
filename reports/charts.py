"""Charts of report tables, drawn by matplotlib on the server: SVG inline in the dashboard, PNG in PDFs.

Figures are built with the object API (``matplotlib.figure.Figure``), never pyplot, so nothing is shared between
requests. Labels use the Indonesian number format of the tables.
"""

import io
import math
import re
from base64 import b64encode
from datetime import date
from functools import lru_cache

from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from berjasa.formatting import number
from programs.models import SegmentGroup
from reports.engine import COUNT, PERCENT, RUPIAH
from reports.formatting import cell
from reports.queries import labelled
from reports.registry import ChartSpec, Table

BRAND, ACCENT, INK, MUTED, GRID = "#0b6e4f", "#c8102e", "#1d2733", "#5b6776", "#d9dee5"
GROUP_COLOURS = {
    SegmentGroup.FORMAL: "#0b6e4f",
    SegmentGroup.PUBLIC_SERVICE: "#3f7fbf",
    SegmentGroup.INFORMAL: "#e0a100",
}
# A chart of more bars than this is unreadable; the table says it all (e.g. 153 kelurahan).
MAX_BARS = 30
WIDTH_INCHES = 7.2
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "svg.fonttype": "none",  # text stays text: sharp, searchable and small
}


def _column_index(table: Table, key: str) -> int:
    return [c.key for c in table.columns].index(key)


def _value_formatter(kind: str, *, axis: bool = False) -> FuncFormatter:
    """Labels in the Indonesian format; on an axis, whole percentages drop their decimals."""

    def label(value, _position=None):
        if kind == PERCENT:
            text = cell(value, PERCENT)
            return text.replace(",00%", "%") if axis else text
        if kind == RUPIAH:
            return cell(int(value), RUPIAH, short_money=True)
        return number(int(value))

    return FuncFormatter(label)


def _bars(table: Table, spec: ChartSpec) -> Figure | None:
    label_index, value_index = _column_index(table, spec.label), _column_index(table, spec.value)
    kind = table.columns[value_index].kind
    rows = [(str(row[label_index]), row[value_index] or 0) for row in table.rows]
    if not rows or len(rows) > MAX_BARS:
        return None
    labels, values = [r[0] for r in rows][::-1], [float(r[1]) for r in rows][::-1]
    figure = Figure(figsize=(WIDTH_INCHES, 0.8 + 0.3 * len(rows)))
    axes = figure.add_subplot()
    bars = axes.barh(labels, values, color=BRAND, height=0.62)
    bar_label = _value_formatter(kind)
    axes.bar_label(bars, labels=[bar_label(v) for v in values], padding=3, fontsize=8, color=INK)
    axes.xaxis.set_major_formatter(_value_formatter(kind, axis=True))
    axes.xaxis.set_major_locator(MaxNLocator(5, integer=kind != PERCENT))
    top = max([*values, float(spec.reference or 0), 1.0])
    axes.set_xlim(0, top * 1.18)
    if spec.reference is not None:
        axes.axvline(float(spec.reference), color=ACCENT, linestyle="--", linewidth=1.4)
        axes.text(
            float(spec.reference),
            len(rows) - 0.4,
            f" {spec.reference_label}: {cell(spec.reference, PERCENT)}",
            color=ACCENT,
            fontsize=8,
            va="bottom",
        )
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.margins(y=0.01)
    return figure


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS_3[int(month)].title()} {year}"


def _trend(table: Table, _spec: ChartSpec) -> Figure | None:
    if not table.rows:
        return None
    months = [date.fromisoformat(f"{row[0]}-01") for row in table.rows]
    figure = Figure(figsize=(WIDTH_INCHES, 3.4))
    axes = figure.add_subplot()
    series = [
        (table.column(f"covered_{key.lower()}"), label, GROUP_COLOURS[key])
        for key, label in labelled(SegmentGroup.choices)
    ]
    axes.stackplot(
        months,
        *[values for values, _label, _colour in series],
        labels=[label for _values, label, _colour in series],
        colors=[colour for _values, _label, colour in series],
        alpha=0.85,
    )
    target = table.column("target_workers")
    if any(value is not None for value in target):
        axes.plot(
            months,
            [float("nan") if value is None else value for value in target],
            color=ACCENT,
            linestyle="--",
            linewidth=1.6,
            drawstyle="steps-post",
            label=table.columns[_column_index(table, "target_workers")].label,
        )
    axes.yaxis.set_major_formatter(_value_formatter(COUNT, axis=True))
    axes.yaxis.set_major_locator(MaxNLocator(6, integer=True))
    axes.set_ylim(bottom=0)
    step = math.ceil(len(months) / 7)
    ticks = months[::step]
    axes.set_xticks(ticks, [_month_label(f"{m:%Y-%m}") for m in ticks])
    axes.set_xlim(months[0], months[-1])
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False, fontsize=8)
    return figure


DRAWERS = {"bars": _bars, "trend": _trend}


def figure_for(table: Table) -> Figure | None:
    """The chart of a table, or None when it has none (or too many rows to draw)."""
    if table.chart is None:
        return None
    return DRAWERS[table.chart.kind](table, table.chart)


def _save(figure: Figure, **options) -> bytes:
    buffer = io.BytesIO()
    with rc_context(RC):
        figure.savefig(buffer, bbox_inches="tight", facecolor="white", **options)
    return buffer.getvalue()


# A chart depends only on its table (and the language of its month names), so it is kept by content: the same
# figures are never drawn twice by one process, and changed figures are a different key.
@lru_cache(maxsize=128)
def _svg(table: Table, language: str) -> str | None:
    with rc_context({**RC, "svg.hashsalt": table.key}):
        figure = figure_for(table)
        if figure is None:
            return None
        text = _save(figure, format="svg", metadata={"Date": None}).decode()
    text = text[text.index("<svg") :]
    # matplotlib numbers its elements from 1 in every file; prefix the ids so several charts share a page.
    return re.sub(r'(id="|url\(#|href="#)', rf"\g<1>{table.key}-", text)


@lru_cache(maxsize=128)
def _png(table: Table, language: str, dpi: int) -> bytes | None:
    with rc_context(RC):
        figure = figure_for(table)
    return None if figure is None else _save(figure, format="png", dpi=dpi)


def clear_cache() -> None:
    _svg.cache_clear()
    _png.cache_clear()


def svg(table: Table) -> str | None:
    """The chart as an inline ``<svg>`` element (no XML prolog), ids unique to the table."""
    return _svg(table, get_language())


def svg_image(table: Table) -> str | None:
    """The chart as a ``data:`` URI for an ``<img>``.

    Inline, matplotlib's SVG styles itself with a ``<style>`` element and style attributes, which the
    Content-Security-Policy blocks (decision 32); inside an image they are the image's own.
    """
    text = svg(table)
    return (
        None if text is None else f"data:image/svg+xml;base64,{b64encode(text.encode()).decode()}"
    )


def png(table: Table, dpi: int = 150) -> bytes | None:
    return _png(table, get_language(), dpi)
