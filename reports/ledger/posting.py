"""Writing the coverage ledger: settling the workers the triggers marked, rebuilding, extending.

The ledger holds, for every cell (``CoverageCell``), how its count changes from day to day (``CoverageChange``)
and its count at each month end (``CoverageBalance``), from the first day any worker was covered to ``horizon``.
It is derived from the workers' spans (``CoverageSpan``, ``spans.py``) and the employers' presence
(``CoveragePresence``): posting a span adds one to its cells on its first day and takes one away on the day it
stops.

The database's triggers (migration ``reports/0002``) mark a worker pending whenever a membership, the worker, their
employer's size or their sub-district's district changes. ``settle`` then counts the marked workers anew: it posts
their old spans negatively, computes and posts the new ones, and does the same for the presence of the employers
they touch. The database connection calls it just before every commit (``berjasa.db``), so a transaction that
changes coverage commits the ledger's changes with it; a read settles what an autocommit statement left.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from enrollment.imports.writer import analyze
from enrollment.models import Worker
from reports.ledger.spans import (
    counted_spans_sql,
    db_table,
    insert_presence,
    insert_spans_and_entries,
    insert_spans_and_entries_then,
)
from reports.models import (
    CoverageBalance,
    CoverageChange,
    CoverageLedgerMonth,
    CoverageLedgerSeal,
    CoverageLedgerState,
    CoveragePending,
    CoveragePresence,
    CoverageSettling,
    CoverageSpan,
    CoverageStaging,
    LedgerEntry,
)
from reports.periods import month_end, shift_month

logger = logging.getLogger(__name__)

# How far ahead of today the ledger's changes reach; a later day is counted from the memberships directly.
HORIZON_MONTHS = 13
# Employers whose presence is computed together.
PRESENCE_CHUNK = 2_000
# Marked workers above which, when they are a third of all, a settlement rebuilds the whole ledger instead.
REBUILD_ABOVE = 10_000
# Marked workers from which a settlement refreshes the statistics of the table that lists them.
ANALYZE_FROM = 1_000

EMPLOYERS_DIMENSION = "employers"
CELL_COLUMNS = "dimension, segment_id, kecamatan_id, confirmed, value"


def _execute(sql: str, params: list | dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _rows(sql: str, params: list | dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Changes from spans and presence --------------------------------------------------------------------------


def _span_changes_sql(selection: str, *, bounded: bool = False, source: str = "") -> str:
    """``SELECT day, dimension, segment_id, kecamatan_id, confirmed, value, delta`` over the spans ``s`` that
    ``selection`` keeps: what each counts in (``counted_spans_sql``) at its first day, and taken away on the day
    it stops, times the parameter ``sign``; days up to ``horizon`` (a parameter), and with ``bounded`` only those
    after ``lower`` (a parameter). ``source`` names another relation of spans than the table."""
    day = "CASE WHEN e.sign = 1 THEN c.starts_on ELSE c.stops_on END"
    return f"""
        SELECT {day} AS day, c.dimension, c.segment_id, c.kecamatan_id, c.confirmed, c.value,
               e.sign * c.n * %(sign)s AS delta
          FROM ({counted_spans_sql(selection, source)}) c
         CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) e
         WHERE {day} <= %(horizon)s {f"AND {day} > %(lower)s" if bounded else ""}
    """  # noqa: S608 - fixed fragments and our own conditions only


def _presence_changes_sql(selection: str, *, bounded: bool = False) -> str:
    """The same for the employers' presence ``p`` (cells of the ``employers`` breakdown, never confirmed)."""
    day = "CASE WHEN e.sign = 1 THEN p.starts_on ELSE p.stops_on END"
    return f"""
        SELECT {day} AS day, '{EMPLOYERS_DIMENSION}' AS dimension, p.segment_id, p.kecamatan_id,
               %(false)s AS confirmed, '' AS value, e.sign * %(sign)s AS delta
          FROM {db_table(CoveragePresence)} p
         CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) e
         WHERE {selection} AND {day} <= %(horizon)s {f"AND {day} > %(lower)s" if bounded else ""}
    """  # noqa: S608 - table names and fixed fragments only


def _entry_changes_sql(selection: str, *, bounded: bool = False, source: str = "") -> str:
    """The same for the workers' entries ``c`` (flows and claims; never confirmed)."""
    return f"""
        SELECT c.day, c.dimension, c.segment_id, c.kecamatan_id, %(false)s AS confirmed, c.value,
               c.delta * %(sign)s AS delta
          FROM {source or db_table(LedgerEntry)} c
         WHERE {selection} AND c.day <= %(horizon)s {"AND c.day > %(lower)s" if bounded else ""}
    """  # noqa: S608 - table names and fixed fragments only


def _stage(select_sql: str, **values) -> None:
    """Stage the changes ``select_sql`` selects."""
    _execute(_staging_sql(select_sql), _named(**values))


def _staging_sql(select_sql: str) -> str:
    """Stage the changes ``select_sql`` selects, summed by day and cell (an import's many workers share few)."""
    return f"""INSERT INTO {db_table(CoverageStaging)} (day, {CELL_COLUMNS}, delta)
            SELECT day, {CELL_COLUMNS}, SUM(delta) FROM ({select_sql}) changes
             GROUP BY day, {CELL_COLUMNS} HAVING SUM(delta) <> 0"""  # noqa: S608


def _named(**values) -> dict:
    """Named parameters, dates as the backend stores them, with ``false`` for a boolean literal."""
    adapt = connection.ops.adapt_datefield_value
    return {
        "false": False,
        **{
            key: adapt(value) if isinstance(value, date) else value for key, value in values.items()
        },
    }


def _apply_staging() -> None:
    """Add the staged changes to the changes and to the balance of every month end on or after them."""
    staging, change, balance = (
        db_table(CoverageStaging),
        db_table(CoverageChange),
        db_table(CoverageBalance),
    )
    cell = CELL_COLUMNS
    # ``WHERE true`` lets SQLite read ON CONFLICT after a SELECT (its documented parsing rule).
    _execute(
        f"""INSERT INTO {change} (day, {cell}, delta)
            SELECT day, {cell}, SUM(delta) FROM {staging} WHERE true
             GROUP BY day, {cell} HAVING SUM(delta) <> 0
            ON CONFLICT (day, {cell}) DO UPDATE SET delta = {change}.delta + excluded.delta"""  # noqa: S608
    )
    staged = ", ".join(f"s.{column.strip()}" for column in cell.split(","))
    months = db_table(CoverageLedgerMonth)
    # Summed by the first month end they count in and by cell before meeting the month ends: an import's staged
    # rows are many (a birthday a day), its cells and months few.
    _execute(
        f"""INSERT INTO {balance} (month_end, {cell}, covered)
            SELECT m.month_end, {staged}, SUM(s.delta)
              FROM (SELECT first_month, {cell}, SUM(delta) AS delta FROM (
                        SELECT (SELECT MIN(k.month_end) FROM {months} k WHERE k.month_end >= g.day) AS first_month,
                               {cell}, delta
                          FROM {staging} g) dated
                     WHERE first_month IS NOT NULL
                     GROUP BY first_month, {cell} HAVING SUM(delta) <> 0) s
              JOIN {months} m ON m.month_end >= s.first_month WHERE true
             GROUP BY m.month_end, {staged} HAVING SUM(s.delta) <> 0
            ON CONFLICT (month_end, {cell}) DO UPDATE SET covered = {balance}.covered + excluded.covered"""  # noqa: S608
    )
    _execute(f"DELETE FROM {staging}")  # noqa: S608


# --- Writing spans, entries and presence ---------------------------------------------------------------------


def _write_presence(employer_ids: list[int]) -> None:
    """Insert the presence of ``employer_ids``, a chunk of employers at a time."""
    for start in range(0, len(employer_ids), PRESENCE_CHUNK):
        insert_presence(_employers_condition(employer_ids[start : start + PRESENCE_CHUNK]))


def _employers_condition(employer_ids: list[int]) -> str:
    """``employer_id IN (…)`` with the ids written in (integers from the database)."""
    return f"employer_id IN ({', '.join(str(int(pk)) for pk in employer_ids)})"


def _as_dates(row: tuple) -> tuple:
    """SQLite returns a raw query's dates as text (PostgreSQL's rows are returned as they are)."""
    if connection.vendor != "sqlite":
        return row
    return tuple(date.fromisoformat(value) if _is_iso_date(value) else value for value in row)


def _is_iso_date(value) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def _write_and_stage(workers_sql: str, horizon: date) -> set[int]:
    """Insert the spans and entries of the workers ``workers_sql`` selects (a condition on the worker's ``id``),
    stage them positively and return the employers their covered spans name. PostgreSQL stages the rows as it
    inserts them, in the same statement; SQLite reads them back."""
    values = _named(sign=1, horizon=horizon)
    if connection.vendor == "postgresql":
        changes = (
            f"{_span_changes_sql('1 = 1', source='fresh_spans')} "
            f"UNION ALL {_entry_changes_sql('1 = 1', source='fresh_entries')}"
        )
        rows = insert_spans_and_entries_then(
            workers_sql,
            f"""staged AS ({_staging_sql(changes)})
                SELECT DISTINCT employer_id FROM fresh_spans WHERE program_id = 0 AND employer_id <> 0""",  # noqa: S608
            values,
        )
        return {employer_id for (employer_id,) in rows}
    insert_spans_and_entries(workers_sql)
    workers = f"worker_id IN (SELECT id FROM {db_table(Worker)} WHERE {workers_sql})"  # noqa: S608
    _stage(_span_changes_sql(f"s.{workers}"), sign=1, horizon=horizon)
    _stage(_entry_changes_sql(f"c.{workers}"), sign=1, horizon=horizon)
    return _covering_employers(workers)


def _covering_employers(workers_sql: str) -> set[int]:
    """The employers named by the covered spans of the workers ``workers_sql`` (a condition on ``worker_id``)
    selects."""
    return {
        row[0]
        for row in _rows(
            f"SELECT DISTINCT employer_id FROM {db_table(CoverageSpan)} "  # noqa: S608
            f"WHERE program_id = 0 AND employer_id <> 0 AND {workers_sql}"
        )
    }


# --- Settling --------------------------------------------------------------------------------------------------


def _locked_state() -> CoverageLedgerState | None:
    """The ledger's state row, locked until the transaction ends (settlements and rebuilds take turns)."""
    return CoverageLedgerState.objects.select_for_update().order_by("pk").first()


def _built_state() -> CoverageLedgerState | None:
    """The locked state of a built ledger, or None. A built ledger whose seal is gone (PostgreSQL emptied its
    unlogged working tables after a crash) is built no more: the reports count from the memberships until
    ``coverage_ledger rebuild``."""
    state = _locked_state()
    if state is None or state.built_at is None:
        return None
    if not is_sealed():
        logger.error(
            "The coverage ledger's working tables are empty (a database crash?): the reports count from the "
            "memberships until 'manage.py coverage_ledger rebuild'."
        )
        state.built_at = None
        state.save(update_fields=["built_at"])
        return None
    return state


def has_pending() -> bool:
    return CoveragePending.objects.exists()


def is_sealed() -> bool:
    """Whether the seal the last rebuild wrote is there (PostgreSQL empties it with the other working tables
    after a crash)."""
    return CoverageLedgerSeal.objects.using(DEFAULT_DB_ALIAS).exists()


def needs_settling() -> bool:
    """Whether a read must settle first, in one statement: workers are marked, or the seal is gone (a crash
    emptied the working tables, and the marks with them)."""
    pending, seal = db_table(CoveragePending), db_table(CoverageLedgerSeal)
    return bool(
        _rows(f"SELECT EXISTS (SELECT 1 FROM {pending}) OR NOT EXISTS (SELECT 1 FROM {seal})")[0][0]  # noqa: S608
    )


def settle() -> int:
    """Count anew the workers marked pending, in the current transaction; return how many. Nothing happens before
    the ledger is built (``rebuild``)."""
    state = _built_state()
    if state is None:
        return 0
    pending, settling = db_table(CoveragePending), db_table(CoverageSettling)
    if connection.vendor == "postgresql":
        # Taken and removed in one statement: a worker marked by a transaction committing meanwhile stays marked.
        _execute(
            f"WITH taken AS (DELETE FROM {pending} RETURNING worker_id, fresh) "  # noqa: S608
            f"INSERT INTO {settling} (worker_id, fresh) SELECT worker_id, fresh FROM taken"
        )
    else:  # one writer at a time
        _execute(
            f"INSERT INTO {settling} (worker_id, fresh) SELECT worker_id, fresh FROM {pending}"  # noqa: S608
        )
        _execute(f"DELETE FROM {pending}")  # noqa: S608
    count = CoverageSettling.objects.count()
    if not count:
        return 0
    if count > REBUILD_ABOVE and not _city_has_at_least(count * 3):
        rebuild(
            compare=False
        )  # a third of the city or more (a first load): counted anew, set-based
        return count
    with _planned_for_settling(count):
        horizon = state.horizon
        employers = set()
        # A fresh worker (added since the ledger last counted them) has no spans or entries to take back.
        if CoverageSettling.objects.filter(fresh=False).exists():
            known = f"worker_id IN (SELECT worker_id FROM {settling} WHERE NOT fresh)"  # noqa: S608
            employers = _covering_employers(known)
            _stage(_span_changes_sql(f"s.{known}"), sign=-1, horizon=horizon)
            _stage(_entry_changes_sql(f"c.{known}"), sign=-1, horizon=horizon)
            _execute(f"DELETE FROM {db_table(CoverageSpan)} WHERE {known}")  # noqa: S608
            _execute(f"DELETE FROM {db_table(LedgerEntry)} WHERE {known}")  # noqa: S608
        employers |= _write_and_stage(f"id IN (SELECT worker_id FROM {settling})", horizon)  # noqa: S608
        if employers:
            _settle_presence(sorted(employers), horizon)
        _apply_staging()
    _execute(f"DELETE FROM {settling}")  # noqa: S608
    _keep_months(timezone.localdate())
    return count


def _city_has_at_least(workers: int) -> bool:
    """Whether the city has ``workers`` workers or more, reading no more of them than that."""
    return Worker.objects.order_by()[workers - 1 : workers].exists()


# What a settlement's statements are planned with on PostgreSQL (``_planned_for_settling``).
SETTLING_PLAN = {
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "jit": "off",
    "work_mem": "64MB",
}


@contextmanager
def _planned_for_settling(count: int):
    """Let PostgreSQL plan the settlement's statements for what they are: the marked workers' rows looked up by
    their indexes, at a cost that depends on those workers and not on the city. Left to itself, its planner
    (costing every page as if read from disk) joins them by reading whole tables once the workers are a few
    percent of the city: all 1.4 million memberships at the city's scale, ten times that in a province. Also:
    the statistics of the table that lists the marked workers (otherwise those of the last load), sorts in
    memory, and no JIT compilation, which costs a settlement's short statements more than it saves. The
    settings are put back afterwards: a report may settle inside a longer transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    previous = _set_locally(SETTLING_PLAN)
    if count >= ANALYZE_FROM:
        analyze(CoverageSettling)
    yield
    _set_locally(previous)


def _set_locally(settings: dict[str, str]) -> dict[str, str]:
    """Set PostgreSQL's ``settings`` until the transaction ends; return what they were."""
    names = list(settings)
    previous = dict(
        _rows("SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name", [names])
    )
    _rows(
        "SELECT set_config(name, value, true) FROM unnest(%s::text[], %s::text[]) AS s(name, value)",
        [names, [settings[name] for name in names]],
    )
    return previous


def _keep_months(today: date) -> None:
    """Balances at every month end from the first change to ``today``'s month (the months a settlement
    finds missing: the ledger's first, or one that began since the last)."""
    latest = month_end(today.year, today.month)
    kept = CoverageLedgerMonth.objects.using(DEFAULT_DB_ALIAS)
    if kept.filter(month_end=latest).exists():
        return
    first = kept.order_by("month_end").values_list("month_end", flat=True).first()
    if first is None:
        first = _rows(f"SELECT MIN(day) FROM {db_table(CoverageChange)}")[0][0]  # noqa: S608
        if first is None:
            return
        first = _as_dates((first,))[0]
    _add_months(month_end(first.year, first.month), latest)


def _settle_presence(employers: list[int], horizon: date) -> None:
    for start in range(0, len(employers), PRESENCE_CHUNK):
        chunk = employers[start : start + PRESENCE_CHUNK]
        chosen = _employers_condition(chunk)
        _stage(_presence_changes_sql(f"p.{chosen}"), sign=-1, horizon=horizon)
        _execute(f"DELETE FROM {db_table(CoveragePresence)} WHERE {chosen}")  # noqa: S608
        insert_presence(chosen)
        _stage(_presence_changes_sql(f"p.{chosen}"), sign=1, horizon=horizon)


# --- Rebuilding and extending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    spans: int
    changes: int
    balances: int
    differing_changes: list[
        tuple
    ]  # (day, dimension, segment_id, kecamatan_id, confirmed, value, was − is)
    differing_balances: list[tuple]


def horizon_for(today: date) -> date:
    return month_end(*shift_month(today.year, today.month, HORIZON_MONTHS))


LEDGER_TABLES = (
    CoverageLedgerSeal,
    LedgerEntry,
    CoverageChange,
    CoverageBalance,
    CoverageLedgerMonth,
    CoverageSpan,
    CoveragePresence,
    CoverageStaging,
    CoveragePending,
    CoverageSettling,
)
# Every table of the ledger: those a rebuild empties and the state.
LEDGER_MODELS = (*LEDGER_TABLES, CoverageLedgerState)


def rebuild(*, today: date | None = None, compare: bool = True) -> Rebuilt:
    """Build the whole ledger from the memberships and claims, in the current transaction; with ``compare``, list
    the changes and balances that differ from what the ledger held (once what was pending is settled)."""
    today = today or timezone.localdate()
    state = _locked_state() or CoverageLedgerState.objects.create()
    change, balance = db_table(CoverageChange), db_table(CoverageBalance)
    if compare:
        settle()  # what is only waiting to be counted is no difference
        for table in (change, balance):
            _execute(f"DROP TABLE IF EXISTS before_{table}")
            _execute(f"CREATE TEMPORARY TABLE before_{table} AS SELECT * FROM {table}")  # noqa: S608
    for model in LEDGER_TABLES:
        _execute(f"DELETE FROM {db_table(model)}")  # noqa: S608
    horizon = horizon_for(today)
    insert_spans_and_entries("1 = 1")
    _write_presence(sorted(_covering_employers("1 = 1")))
    analyze(CoverageSpan, CoveragePresence, LedgerEntry)
    everything = _named(sign=1, horizon=horizon)
    _execute(
        f"""INSERT INTO {change} (day, {CELL_COLUMNS}, delta)
            SELECT day, {CELL_COLUMNS}, SUM(delta)
              FROM ({_span_changes_sql("1 = 1")} UNION ALL {_presence_changes_sql("1 = 1")}
                    UNION ALL {_entry_changes_sql("1 = 1")}) all_changes
             GROUP BY day, {CELL_COLUMNS} HAVING SUM(delta) <> 0""",  # noqa: S608
        everything,
    )
    _keep_months(today)
    state.built_at, state.horizon = timezone.now(), horizon
    state.save()
    CoverageLedgerSeal.objects.create(sealed_at=state.built_at)
    analyze(CoverageChange, CoverageBalance)
    differing = ([], [])
    if compare:
        differing = tuple(
            _differences(table, key, amount)
            for table, key, amount in ((change, "day", "delta"), (balance, "month_end", "covered"))
        )
    return Rebuilt(
        spans=CoverageSpan.objects.using(DEFAULT_DB_ALIAS).count(),
        changes=CoverageChange.objects.using(DEFAULT_DB_ALIAS).count(),
        balances=CoverageBalance.objects.using(DEFAULT_DB_ALIAS).count(),
        differing_changes=differing[0],
        differing_balances=differing[1],
    )


def _differences(table: str, key: str, amount: str) -> list[tuple]:
    rows = _rows(
        f"""SELECT {key}, {CELL_COLUMNS}, SUM(n) FROM (
                SELECT {key}, {CELL_COLUMNS}, {amount} AS n FROM before_{table}
                UNION ALL SELECT {key}, {CELL_COLUMNS}, -{amount} FROM {table}) both_ledgers
             GROUP BY {key}, {CELL_COLUMNS} HAVING SUM(n) <> 0
             ORDER BY {key}, {CELL_COLUMNS}"""  # noqa: S608
    )
    _execute(f"DROP TABLE before_{table}")
    return [_as_dates(row) for row in rows]


def _add_months(first: date, last: date) -> None:
    """Balances for the month ends from ``first`` to ``last`` that the ledger does not keep yet, each from the one
    before it and the changes between."""
    balance, change = db_table(CoverageBalance), db_table(CoverageChange)
    kept = list(
        CoverageLedgerMonth.objects.order_by("month_end").values_list("month_end", flat=True)
    )
    day = first
    while day <= last:
        if day not in kept:
            before = max((kept_day for kept_day in kept if kept_day < day), default=None)
            since = "AND day > %(before)s" if before else ""
            _execute(
                f"""INSERT INTO {balance} (month_end, {CELL_COLUMNS}, covered)
                    SELECT %(day)s, {CELL_COLUMNS}, SUM(n) FROM (
                        SELECT {CELL_COLUMNS}, covered AS n FROM {balance} WHERE month_end = %(before)s
                        UNION ALL
                        SELECT {CELL_COLUMNS}, delta FROM {change} WHERE day <= %(day)s {since}) levels
                     GROUP BY {CELL_COLUMNS} HAVING SUM(n) <> 0""",  # noqa: S608
                _named(day=day, before=before),
            )
            CoverageLedgerMonth.objects.create(month_end=day)
            kept = sorted([*kept, day])
        day = month_end(*shift_month(day.year, day.month, 1))


def extend(*, today: date | None = None) -> date | None:
    """Move the horizon to ``HORIZON_MONTHS`` after ``today``'s month and keep balances up to its end; return the
    new horizon (None when the ledger is not built)."""
    today = today or timezone.localdate()
    state = _built_state()
    if state is None:
        return None
    settle()
    horizon = horizon_for(today)
    if horizon > state.horizon:
        window = {"sign": 1, "horizon": horizon, "lower": state.horizon}
        _stage(_span_changes_sql("1 = 1", bounded=True), **window)
        _stage(_presence_changes_sql("1 = 1", bounded=True), **window)
        _stage(_entry_changes_sql("1 = 1", bounded=True), **window)
        _apply_staging()
        state.horizon = horizon
        state.save(update_fields=["horizon"])
    months = (
        CoverageLedgerMonth.objects.using(DEFAULT_DB_ALIAS)
        .order_by("month_end")
        .values_list("month_end", flat=True)
    )
    if months:
        _add_months(months[0], month_end(today.year, today.month))
    return state.horizon
