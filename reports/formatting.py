"""A report value as people read it, by its column kind; ``None`` (no denominator, no target) is an em dash.

The formats themselves are in ``berjasa.formatting``: ``263.903``, ``63,47 %``, ``Rp16.800``, ``Rp387,4 miliar``.
"""

from berjasa.formatting import number, percent, rupiah, rupiah_short

NOT_AVAILABLE = "—"


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
