"""Reading the coverage ledger: the count of every cell asked for on given days.

A cell's count on day D is its balance at the last month end on or before D plus its changes after that month end
up to D (only changes when no month end comes before D). Reads go to the reports' database
(``berjasa.routers.reports_database``: a replica when one is configured); what is pending is settled first on the
primary, so a figure never misses a committed change.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connections, transaction

from berjasa.routers import reports_database
from reports.ledger.posting import EMPLOYERS_DIMENSION, needs_settling, settle
from reports.ledger.spans import ANY
from reports.models import (
    CoverageBalance,
    CoverageChange,
    CoverageLedgerMonth,
    CoverageLedgerState,
)

# A cell as the levels are keyed: (dimension, segment_id, kecamatan_id, confirmed, value).
Cell = tuple[str, int, int, bool, str]


def answers(days: Iterable[date]) -> bool:
    """Whether the ledger counts ``days``: it is built and they are within its horizon. Settles first what
    is pending; a ledger that lost its seal (and with it what was pending: a crash) is built no more."""
    if needs_settling():
        with transaction.atomic():
            settle()
    state = CoverageLedgerState.objects.using(reports_database()).order_by("pk").first()
    if state is None or state.built_at is None:
        return False
    return all(day <= state.horizon for day in days)


def levels(
    days: Sequence[date],
    dimensions: Iterable[str],
    *,
    segment_id: int | None = None,
    kecamatan_id: int | None = None,
) -> dict[date, dict[Cell, int]]:
    """Each of ``days``' non-zero counts of the cells of ``dimensions`` within the segment and the district given
    (any when None); the ``employers`` cells are those of that segment and district (``ANY`` for none)."""
    alias = reports_database()
    months = list(
        CoverageLedgerMonth.objects.using(alias)
        .order_by("month_end")
        .values_list("month_end", flat=True)
    )
    base = {day: max((m for m in months if m <= day), default=None) for day in days}
    where, params = _cells_condition(set(dimensions), segment_id, kecamatan_id)
    by_day: dict[date, dict[Cell, int]] = {day: defaultdict(int) for day in days}
    connection = connections[alias]
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        balances = sorted({month for month in base.values() if month is not None})
        if balances:
            cursor.execute(
                f"""SELECT month_end, dimension, segment_id, kecamatan_id, confirmed, value, covered
                      FROM {CoverageBalance._meta.db_table}
                     WHERE month_end IN ({", ".join(["%s"] * len(balances))}) AND ({where})""",  # noqa: S608
                [*map(adapt, balances), *params],
            )
            at_month: dict[date, list] = defaultdict(list)
            for month, *cell, count in cursor.fetchall():
                at_month[_date(month)].append((_cell(cell), count))
            for day, month in base.items():
                for cell, count in at_month.get(month, ()):
                    by_day[day][cell] += count
        spans = [(month, day) for day, month in base.items() if month != day]
        if spans:
            ranges = " OR ".join(
                "(day <= %s)" if month is None else "(day > %s AND day <= %s)"
                for month, _day in spans
            )
            range_params = [
                adapt(value) for month, day in spans for value in (month, day) if value is not None
            ]
            cursor.execute(
                f"""SELECT day, dimension, segment_id, kecamatan_id, confirmed, value, delta
                      FROM {CoverageChange._meta.db_table}
                     WHERE ({ranges}) AND ({where})""",  # noqa: S608
                [*range_params, *params],
            )
            for changed, *cell, delta in cursor.fetchall():
                changed = _date(changed)
                for month, day in spans:
                    if (month is None or changed > month) and changed <= day:
                        by_day[day][_cell(cell)] += delta
    return {day: {cell: n for cell, n in counts.items() if n} for day, counts in by_day.items()}


def _cells_condition(
    dimensions: set[str], segment_id: int | None, kecamatan_id: int | None
) -> tuple[str, list]:
    conditions, params = [], []
    breakdowns = sorted(dimensions - {EMPLOYERS_DIMENSION})
    if breakdowns:
        parts = [f"dimension IN ({', '.join(['%s'] * len(breakdowns))})"]
        params += breakdowns
        for column, value in (("segment_id", segment_id), ("kecamatan_id", kecamatan_id)):
            if value is not None:
                parts.append(f"{column} = %s")
                params.append(value)
        conditions.append(f"({' AND '.join(parts)})")
    if EMPLOYERS_DIMENSION in dimensions:
        conditions.append("(dimension = %s AND segment_id = %s AND kecamatan_id = %s)")
        params += [
            EMPLOYERS_DIMENSION,
            ANY if segment_id is None else segment_id,
            ANY if kecamatan_id is None else kecamatan_id,
        ]
    return " OR ".join(conditions) or "1 = 0", params


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _cell(values: list) -> Cell:
    dimension, segment_id, kecamatan_id, confirmed, value = values
    return dimension, segment_id, kecamatan_id, bool(confirmed), value
