"""A worker's coverage as spans, entries and an employer's presence: the statements that compute them, the same
for a settlement and a rebuild, set-based on both databases.

A worker is covered on a day when an active JKK and an active JKM membership overlap on it (``reports.queries``);
each overlap is a covered span (``program_id`` 0) carrying what the breakdowns count it under: its JKK
membership's segment, funding scheme and employer, the worker's district, sub-district, sex, disability and birth
date, and whether BPJS confirms both memberships. The age band is not stored: ``counted_spans_sql`` cuts a span
where the worker enters a new band, so a span counts in the band of each day. Every other program's membership
that overlaps a covered span counts in the program breakdown over the overlap: when it covers the whole span with
the span's confirmation (as an import's memberships do), as a bit of the span's ``whole_programs``; otherwise as
a span of its own (``program_id``), confirmed when the covered span and that membership both are.

Days are half-open: a span runs from ``starts_on`` up to the day before ``stops_on`` (None: never stops). Inside
the statements "never" is ``NEVER`` and "always before" is ``EARLIEST``, so the earlier and later of two days are
plain ``LEAST``/``GREATEST`` (SQLite's ``MIN``/``MAX``).
"""

from dataclasses import dataclass

from django.db import connection

from enrollment.models import BpjsStatus, Claim, Employer, Membership, Worker
from programs.models import Kelurahan, Program, Segment
from reports.models import CoveragePresence, CoverageSpan, LedgerEntry

CONFIRMED = BpjsStatus.ACTIVE.value
NEVER, EARLIEST = "9999-12-31", "0001-01-01"
ANY = -1  # a presence cell's or an entry's segment or district: any
# Programs whose ids fit a bit of ``whole_programs`` (a 64-bit integer); another is always a span of its own.
BIT_PROGRAMS = range(1, 63)
PARTIAL = 1  # bit 0 while the spans are computed (never a program's): another program covers part of the span

# Each age band with the age at which a worker enters it and the one at which they leave it (-1: none;
# ``reports.queries.AGE_BANDS``).
AGE_BANDS = (
    ("U25", -1, 25),
    ("25-34", 25, 35),
    ("35-44", 35, 45),
    ("45-54", 45, 55),
    ("55+", 55, -1),
)
# The breakdowns a covered span counts in as it is (besides the age band and the programs), and the expression
# of the value it counts under.
PLAIN_DIMENSIONS = {
    "total": "''",
    "kelurahan": "CAST(s.kelurahan_id AS TEXT)",
    "funding_scheme": "CAST(s.funding_scheme_id AS TEXT)",
    "employer_size": "s.employer_size",
    "sex": "s.sex",
    "disability": "CASE WHEN s.disability THEN '1' ELSE '0' END",
}

# A membership's fields the spans and entries read (the triggers mark a worker when one of them changes).
MEMBERSHIP_COLUMNS = (
    "worker_id",
    "program_id",
    "start_date",
    "end_date",
    "segment_id",
    "funding_scheme_id",
    "employer_id",
    "bpjs_status",
)
# What a span counts under besides its days, worker and program (as the statements name it).
SPAN_CELLS = (
    "segment_id",
    "funding_scheme_id",
    "employer_id",
    "employer_size",
    "kecamatan_id",
    "kelurahan_id",
    "sex",
    "disability",
    "birth_date",
)
SPAN_COLUMNS = (
    "worker_id",
    "program_id",
    "starts_on",
    "stops_on",
    "confirmed",
    *SPAN_CELLS,
    "whole_programs",
)
ENTRY_COLUMNS = ("worker_id", "day", "dimension", "value", "segment_id", "kecamatan_id", "delta")
PRESENCE_COLUMNS = ("employer_id", "segment_id", "kecamatan_id", "starts_on", "stops_on")


def db_table(model) -> str:
    return model._meta.db_table


class _Dialect:
    """The few expressions PostgreSQL and SQLite write differently."""

    def __init__(self) -> None:
        self.postgresql = connection.vendor == "postgresql"

    def day(self, literal: str) -> str:
        return f"DATE '{literal}'" if self.postgresql else f"'{literal}'"

    def stop(self, end_date: str) -> str:
        """The day after ``end_date``, ``NEVER`` for none."""
        after = f"{end_date} + 1" if self.postgresql else f"date({end_date}, '+1 day')"
        return f"COALESCE({after}, {self.day(NEVER)})"

    def later(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgresql else f"MAX({a}, {b})"

    def earlier(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.postgresql else f"MIN({a}, {b})"

    def turns(self, birth_date: str, years: str) -> str:
        """The first day on which someone born on ``birth_date`` is ``years`` old: their birthday, or 1 March
        for a 29 February birth in a common year (as ``reports.queries._years_before`` counts; SQLite's date
        arithmetic normalises 29 February so, PostgreSQL's stops at 28 February)."""
        if not self.postgresql:
            return f"date({birth_date}, '+' || {years} || ' years')"
        moved = f"CAST({birth_date} + make_interval(years => {years}) AS DATE)"
        return (
            f"({moved} + CASE WHEN date_part('day', {birth_date}) = 29 AND date_part('month', {birth_date}) = 2 "
            f"AND date_part('day', {moved}) = 28 THEN 1 ELSE 0 END)"
        )

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgresql:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def flag(self, condition: str) -> str:
        """A boolean that is false, not unknown, where ``condition`` meets a NULL."""
        return f"CASE WHEN {condition} THEN {'TRUE' if self.postgresql else 1} ELSE {'FALSE' if self.postgresql else 0} END"


def _bit(program_id: str) -> str:
    """The bit of ``whole_programs`` that stands for the program ``program_id``."""
    return f"(CAST(1 AS BIGINT) << CAST({program_id} AS INTEGER))"


def _programs() -> tuple[int, int]:
    programs = dict(Program.objects.values_list("code", "pk"))
    return programs.get("JKK", -1), programs.get("JKM", -1)


@dataclass(frozen=True)
class _Statements:
    """The workers' table expressions (``WITH`` …) and the inserts of their spans and of their entries."""

    common: str
    spans: str
    entries: str
    params: dict


def _statements(workers_sql: str) -> _Statements:
    """The statements for the workers ``workers_sql`` selects (a condition on the worker table's ``id``).

    ``chosen`` holds the workers with their district, ``jkk`` their JKK memberships, ``covered`` the overlaps of
    those with their JKM memberships, ``spanned`` each covered span with the bits of the other programs that cover
    it whole and ``PARTIAL`` if another covers part of it, ``paid`` their paid claims."""
    sql = _Dialect()
    jkk, jkm = _programs()
    starts = sql.later("k.start_date", "j.start_date")
    stops = sql.earlier(sql.stop("k.end_date"), sql.stop("j.end_date"))
    parts = _Parts(sql)
    membership = db_table(Membership)
    common = f"""
        WITH chosen AS (
            SELECT w.id, w.birth_date, w.sex, w.has_disability, COALESCE(w.kelurahan_id, 0) AS kelurahan_id,
                   COALESCE(l.kecamatan_id, 0) AS kecamatan_id
              FROM (SELECT * FROM {db_table(Worker)} WHERE {workers_sql}) w
              LEFT JOIN {db_table(Kelurahan)} l ON l.id = w.kelurahan_id
        ),
        jkk AS (
            SELECT w.id AS worker_id, w.birth_date, w.sex, w.has_disability AS disability, w.kelurahan_id,
                   w.kecamatan_id, k.start_date, k.end_date, k.segment_id, k.funding_scheme_id, k.employer_id,
                   k.bpjs_status
              FROM chosen w JOIN {membership} k ON k.worker_id = w.id AND k.program_id = %(jkk)s
        ),
        covered AS (
            SELECT k.worker_id, k.birth_date, {starts} AS starts_on, {stops} AS stops_on,
                   {sql.flag("k.bpjs_status = %(confirmed)s AND j.bpjs_status = %(confirmed)s")} AS confirmed,
                   k.segment_id, k.funding_scheme_id, COALESCE(k.employer_id, 0) AS employer_id,
                   COALESCE(e.size, '') AS employer_size, k.kecamatan_id, k.kelurahan_id, k.sex, k.disability
              FROM jkk k
              JOIN {membership} j ON j.worker_id = k.worker_id AND j.program_id = %(jkm)s
              LEFT JOIN {db_table(Employer)} e ON e.id = k.employer_id
             WHERE {starts} < {stops}
        ),
        spanned AS (
            SELECT c.*, COALESCE((
                SELECT CAST(SUM(CASE WHEN {parts.whole} THEN {_bit("p.program_id")} ELSE 0 END) AS BIGINT)
                       | MAX(CASE WHEN {parts.whole} THEN 0 ELSE {PARTIAL} END)
                  FROM {membership} p WHERE {parts.overlapping}
            ), 0) AS programs
              FROM covered c
        ),
        paid AS (
            SELECT c.worker_id, c.paid_date, c.amount, c.segment_id, c.benefit_type_id, w.kecamatan_id
              FROM chosen w JOIN {db_table(Claim)} c ON c.worker_id = w.id
             WHERE c.status = %(paid)s AND c.paid_date IS NOT NULL
        )"""  # noqa: S608 - table names, fixed fragments and our own conditions only
    return _Statements(
        common=common,
        spans=_spans_insert_sql(parts),
        entries=_entries_insert_sql(),
        params={
            "jkk": jkk,
            "jkm": jkm,
            "confirmed": CONFIRMED,
            "paid": Claim.Status.PAID.value,
            "first_bit": BIT_PROGRAMS.start,
            "last_bit": BIT_PROGRAMS.stop - 1,
        },
    )


class _Parts:
    """Another program's membership ``p`` over a covered span ``c``: the part of the span it covers, whether it
    covers the whole span with the span's confirmation (a bit of ``whole_programs``), and the condition that
    finds it."""

    def __init__(self, sql: _Dialect) -> None:
        self.starts = sql.later("c.starts_on", "p.start_date")
        self.stops = sql.earlier("c.stops_on", sql.stop("p.end_date"))
        self.confirmed = sql.flag("c.confirmed AND p.bpjs_status = %(confirmed)s")
        self.whole = (
            f"(p.program_id BETWEEN %(first_bit)s AND %(last_bit)s AND p.start_date <= c.starts_on "
            f"AND {sql.stop('p.end_date')} >= c.stops_on AND (NOT c.confirmed OR p.bpjs_status = %(confirmed)s))"
        )
        self.overlapping = f"p.worker_id = c.worker_id AND p.program_id NOT IN (%(jkk)s, %(jkm)s) AND {self.starts} < {self.stops}"


def _spans_insert_sql(parts: _Parts) -> str:
    """Insert each covered span of ``spanned`` with the bits of the programs that cover it whole, and, where
    another covers part of it, that part."""
    never = _Dialect().day(NEVER)
    cells = ", ".join(SPAN_CELLS)
    return f"""
        INSERT INTO {db_table(CoverageSpan)} ({", ".join(SPAN_COLUMNS)})
        SELECT worker_id, 0, starts_on, NULLIF(stops_on, {never}), confirmed, {cells},
               programs - (programs & {PARTIAL})
          FROM spanned
        UNION ALL
        SELECT c.worker_id, p.program_id, {parts.starts}, NULLIF({parts.stops}, {never}), {parts.confirmed},
               {", ".join(f"c.{cell}" for cell in SPAN_CELLS)}, 0
          FROM spanned c JOIN {db_table(Membership)} p ON {parts.overlapping} AND NOT {parts.whole}
         WHERE (c.programs & {PARTIAL}) <> 0"""  # noqa: S608 - table names and fixed fragments


def _entries_insert_sql() -> str:
    """Insert the entries of the workers: each JKK membership's start (``jkk_new``) and end (``jkk_ended``, on its
    last day) by segment; each paid claim's count and amount on its paid day, by benefit type and segment; and the
    worker counted once as a recipient from their first paid claim overall, in a segment, of a benefit type (in any
    segment and in its segment) and in a segment group."""
    benefit = "CAST(p.benefit_type_id AS TEXT)"
    group = f"COALESCE(g.{connection.ops.quote_name('group')}, '')"
    # Each "first paid claim" cell: its dimension, value and segment, and what it is grouped by besides the worker
    # (never a constant: GROUP BY reads an integer literal as a column's position).
    first_paid = [
        ("recipients", "''", str(ANY), ()),
        ("recipients", "''", "p.segment_id", ("p.segment_id",)),
        ("recipients_bt", benefit, str(ANY), (benefit,)),
        ("recipients_bt", benefit, "p.segment_id", (benefit, "p.segment_id")),
        ("recipients_sg", group, str(ANY), (group,)),
    ]
    recipients = " UNION ALL ".join(
        f"""SELECT p.worker_id, MIN(p.paid_date), '{dimension}', {value}, {segment}, p.kecamatan_id, 1
              FROM paid p LEFT JOIN {db_table(Segment)} g ON g.id = p.segment_id
             GROUP BY {", ".join(["p.worker_id", "p.kecamatan_id", *grouped])}"""  # noqa: S608
        for dimension, value, segment, grouped in first_paid
    )
    return f"""
        INSERT INTO {db_table(LedgerEntry)} ({", ".join(ENTRY_COLUMNS)})
        SELECT worker_id, day, dimension, value, segment_id, kecamatan_id, SUM(delta) FROM (
            SELECT k.worker_id, CASE WHEN e.ended = 1 THEN k.end_date ELSE k.start_date END AS day,
                   CASE WHEN e.ended = 1 THEN 'jkk_ended' ELSE 'jkk_new' END AS dimension, '' AS value,
                   k.segment_id, k.kecamatan_id, 1 AS delta
              FROM jkk k CROSS JOIN (SELECT 0 AS ended UNION ALL SELECT 1) e
             WHERE e.ended = 0 OR k.end_date IS NOT NULL
            UNION ALL
            SELECT p.worker_id, p.paid_date, 'claims', {benefit}, p.segment_id, p.kecamatan_id, 1 FROM paid p
            UNION ALL
            SELECT p.worker_id, p.paid_date, 'claim_amount', {benefit}, p.segment_id, p.kecamatan_id, p.amount
              FROM paid p
        ) counted
         GROUP BY worker_id, day, dimension, value, segment_id, kecamatan_id
        UNION ALL
        {recipients}"""  # noqa: S608 - table names, fixed fragments and our own conditions only


def insert_spans_and_entries(workers_sql: str) -> None:
    """Insert the spans and the entries of the workers ``workers_sql`` selects (a condition on the worker
    table's ``id``)."""
    statements = _statements(workers_sql)
    with connection.cursor() as cursor:
        cursor.execute(statements.common + statements.spans, statements.params)
        cursor.execute(statements.common + statements.entries, statements.params)


def insert_spans_and_entries_then(workers_sql: str, then: str, params: dict) -> list[tuple]:
    """The same in one statement (PostgreSQL), in which the spans and entries inserted are named ``fresh_spans``
    and ``fresh_entries``, and ``then`` (table expressions and a final ``SELECT``, with ``params``) reads them;
    return its rows."""
    statements = _statements(workers_sql)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{statements.common},
                fresh_spans AS ({statements.spans} RETURNING *),
                fresh_entries AS ({statements.entries} RETURNING *),
                {then}""",
            {**statements.params, **params},
        )
        return cursor.fetchall()


def counted_spans_sql(selection: str, source: str = "") -> str:
    """``SELECT starts_on, stops_on, dimension, segment_id, kecamatan_id, confirmed, value, n``: the cells the spans ``s`` that ``selection`` keeps count in, from
    ``starts_on`` to ``stops_on``, ``n`` spans at a time. A covered span counts in every plain breakdown as it
    is, in the age band of each of its days (cut where the worker enters the next), and in the program
    breakdown for each of its ``whole_programs``; another program's span only there. ``source`` names another
    relation of spans than the table (the rows a statement has just inserted). An age band's part that begins
    after the parameter ``horizon`` is left out: it counts nothing up to it. Whole days first rule out, cheaply,
    the bands a span surely left before it began (``upper`` years are at most ``366 * upper`` days) and those it
    surely enters after the horizon (``lower`` years are at least ``365 * lower`` days)."""
    sql = _Dialect()
    spans = source or db_table(CoverageSpan)
    covered = f"FROM {spans} s WHERE s.program_id = 0 AND {selection}"
    plain_cells = "starts_on, stops_on, segment_id, kecamatan_id, confirmed, kelurahan_id, funding_scheme_id, employer_size, sex, disability"  # noqa: E501
    dimensions = " UNION ALL ".join(f"SELECT '{name}' AS dimension" for name in PLAIN_DIMENSIONS)
    values = " ".join(f"WHEN '{name}' THEN {value}" for name, value in PLAIN_DIMENSIONS.items())
    bands = " UNION ALL ".join(
        f"SELECT '{band}' AS band, {lower} AS lower_age, {upper} AS upper_age"
        for band, lower, upper in AGE_BANDS
    )
    stops = f"COALESCE(s.stops_on, {sql.day(NEVER)})"
    band_starts = sql.later(
        "s.starts_on",
        f"CASE WHEN b.lower_age < 0 THEN {sql.day(EARLIEST)} ELSE {sql.turns('s.birth_date', 'b.lower_age')} END",
    )
    band_stops = sql.earlier(
        stops,
        f"CASE WHEN b.upper_age < 0 THEN {sql.day(NEVER)} ELSE {sql.turns('s.birth_date', 'b.upper_age')} END",
    )
    whole_cells = "starts_on, stops_on, segment_id, kecamatan_id, confirmed, whole_programs"
    horizon = f"CAST(%(horizon)s AS {'DATE' if sql.postgresql else 'TEXT'})"
    return f"""
        SELECT s.starts_on, s.stops_on, d.dimension, s.segment_id, s.kecamatan_id, s.confirmed,
               CASE d.dimension {values} END AS value, s.n
          FROM (SELECT {plain_cells}, COUNT(*) AS n {covered} GROUP BY {plain_cells}) s
         CROSS JOIN ({dimensions}) d
        UNION ALL
        SELECT {band_starts}, NULLIF({band_stops}, {sql.day(NEVER)}), 'age_band', s.segment_id, s.kecamatan_id,
               s.confirmed, b.band, 1
          FROM {spans} s CROSS JOIN ({bands}) b
         WHERE s.program_id = 0 AND {selection}
           AND (b.upper_age < 0 OR {sql.days_between("s.starts_on", "s.birth_date")} < b.upper_age * 366)
           AND (b.lower_age < 0 OR {sql.days_between(horizon, "s.birth_date")} >= b.lower_age * 365)
           AND {band_starts} < {band_stops} AND {band_starts} <= {horizon}
        UNION ALL
        SELECT s.starts_on, s.stops_on, 'program', s.segment_id, s.kecamatan_id, s.confirmed,
               CAST(p.id AS TEXT), s.n
          FROM (SELECT {whole_cells}, COUNT(*) AS n {covered} AND s.whole_programs <> 0
                 GROUP BY {whole_cells}) s
          JOIN {db_table(Program)} p ON (s.whole_programs & {_bit("p.id")}) <> 0
        UNION ALL
        SELECT s.starts_on, s.stops_on, 'program', s.segment_id, s.kecamatan_id, s.confirmed,
               CAST(s.program_id AS TEXT), 1
          FROM {spans} s WHERE s.program_id <> 0 AND {selection}
    """  # noqa: S608 - table names, fixed fragments and our own conditions only


def _merged_sql(relation: str) -> str:
    """The stretches of each cell (``employer_id, segment_id, kecamatan_id``) of ``relation``'s rows
    (``starts_on``, ``stops_on`` with ``NEVER`` for none): overlapping or touching rows joined."""
    cell, order = "employer_id, segment_id, kecamatan_id", "ORDER BY starts_on, stops_on"
    return f"""
        SELECT {cell}, MIN(starts_on) AS starts_on, MAX(stops_on) AS stops_on FROM (
            SELECT {cell}, starts_on, stops_on,
                   SUM(begins) OVER (PARTITION BY {cell} {order} ROWS UNBOUNDED PRECEDING) AS stretch
              FROM (SELECT {cell}, starts_on, stops_on,
                           CASE WHEN starts_on <= MAX(stops_on) OVER (PARTITION BY {cell} {order}
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                                THEN 0 ELSE 1 END AS begins
                      FROM {relation}) marked
        ) stretches
         GROUP BY {cell}, stretch
    """  # noqa: S608 - our own relations only


def insert_presence(employers_sql: str) -> None:
    """Insert the presence of the employers ``employers_sql`` (a condition on ``employer_id``) selects: for
    every segment and district, any segment (``ANY``), any district and both, the stretches of days on which the
    employer has a covered span there (overlapping or touching spans joined). The stretches of a segment and
    district are merged first; those of the wider cells are merged from them."""
    sql = _Dialect()
    never = sql.day(NEVER)
    spans = f"""(SELECT employer_id, segment_id, kecamatan_id, starts_on,
                        MAX(COALESCE(stops_on, {never})) AS stops_on
                   FROM {db_table(CoverageSpan)} WHERE program_id = 0 AND {employers_sql}
                  GROUP BY employer_id, segment_id, kecamatan_id, starts_on) spans"""  # noqa: S608
    wider = " UNION ALL ".join(
        f"SELECT employer_id, {segment} AS segment_id, {kecamatan} AS kecamatan_id, starts_on, stops_on FROM fine"  # noqa: S608
        for segment, kecamatan in (
            ("segment_id", str(ANY)),
            (str(ANY), "kecamatan_id"),
            (str(ANY), str(ANY)),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH fine AS ({_merged_sql(spans)})
            INSERT INTO {db_table(CoveragePresence)} ({", ".join(PRESENCE_COLUMNS)})
            SELECT employer_id, segment_id, kecamatan_id, starts_on, NULLIF(stops_on, {never}) FROM (
                SELECT * FROM fine UNION ALL {_merged_sql(f"({wider}) wider")}
            ) merged
            """  # noqa: S608 - table names, fixed fragments and our own conditions only
        )
