"""Counts and percentages in the Indonesian format: ``263.903``, ``63,47 %``.

Money comes from ``berjasa.formatting`` (``rupiah``, ``rupiah_short``). ``cell`` formats a report value by its
column kind; ``None`` (no denominator, no target) is shown as an em dash.
"""

from decimal import ROUND_HALF_UP, Decimal

from berjasa.formatting import rupiah, rupiah_short

NOT_AVAILABLE = "—"


def number(value: int) -> str:
    """``263903`` → ``263.903``."""
    return f"{value:,}".replace(",", ".")


def percent(value: Decimal | float) -> str:
    """``Decimal("63.47")`` → ``63,47 %`` (two decimals, half up)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _sep, fraction = f"{abs(rounded):f}".partition(".")
    return f"{sign}{number(int(whole))},{fraction} %"


def cell(value, kind: str, *, short_money: bool = False) -> str:
    """A report value as people read it; ``kind`` is a column kind (see ``reports.registry.Kind``)."""
    if value is None:
        return NOT_AVAILABLE
    if kind == "count":
        return number(value)
    if kind == "percent":
        return percent(value)
    if kind == "rupiah":
        return rupiah_short(value) if short_money else rupiah(value)
    return str(value)
