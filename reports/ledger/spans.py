"""A worker's coverage as spans, entries and an employer's presence: the statements that compute them, the same
for a settlement and a rebuild, set-based on both databases.

A worker is covered on a day when an active JKK and an active JKM membership overlap on it (``reports.queries``);
each overlap is a span carrying what the breakdowns count it under: its JKK membership's segment, funding scheme and
employer, the worker's district, sub-district, sex, disability and age band, and whether BPJS confirms both
memberships. A span is cut where the worker enters a new age band, so every day of a span counts in the same
cells. Within each covered span, every other program's membership that overlaps it is a span of its own
(``program_id``), confirmed when the covered span and that membership both are.

Days are half-open: a span runs from ``starts_on`` up to the day before ``stops_on`` (None: never stops). Inside
the statements "never" is ``NEVER`` and "always before" is ``EARLIEST``, so the earlier and later of two days are
plain ``LEAST``/``GREATEST`` (SQLite's ``MIN``/``MAX``).
"""

from django.db import connection

from enrollment.models import BpjsStatus, Claim, Employer, Membership, Worker
from programs.models import Kelurahan, Program, Segment
from reports.models import CoveragePresence, CoverageSpan, LedgerEntry

CONFIRMED = BpjsStatus.ACTIVE.value
NEVER, EARLIEST = "9999-12-31", "0001-01-01"
ANY = -1  # a presence cell's or an entry's segment or district: any

# Each age band with the age at which a worker enters it and the one at which they leave it (-1: none;
# ``reports.queries.AGE_BANDS``).
AGE_BANDS = (
    ("U25", -1, 25),
    ("25-34", 25, 35),
    ("35-44", 35, 45),
    ("45-54", 45, 55),
    ("55+", 55, -1),
)

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
SPAN_COLUMNS = (
    "worker_id",
    "program_id",
    "starts_on",
    "stops_on",
    "confirmed",
    "segment_id",
    "funding_scheme_id",
    "employer_id",
    "employer_size",
    "kecamatan_id",
    "kelurahan_id",
    "sex",
    "disability",
    "age_band",
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
            f"({moved} + CASE WHEN EXTRACT(MONTH FROM {birth_date}) = 2 AND EXTRACT(DAY FROM {birth_date}) = 29 "
            f"AND EXTRACT(DAY FROM {moved}) = 28 THEN 1 ELSE 0 END)"
        )

    def flag(self, condition: str) -> str:
        """A boolean that is false, not unknown, where ``condition`` meets a NULL."""
        return f"CASE WHEN {condition} THEN {'TRUE' if self.postgresql else 1} ELSE {'FALSE' if self.postgresql else 0} END"


def _chosen_workers_sql(workers_sql: str) -> str:
    """The workers ``workers_sql`` (a condition on the worker table's ``id``) selects, with their district."""
    return f"""
        SELECT w.id, w.birth_date, w.sex, w.has_disability, COALESCE(w.kelurahan_id, 0) AS kelurahan_id,
               COALESCE(l.kecamatan_id, 0) AS kecamatan_id
          FROM (SELECT * FROM {db_table(Worker)} WHERE {workers_sql}) w
          LEFT JOIN {db_table(Kelurahan)} l ON l.id = w.kelurahan_id
    """  # noqa: S608 - table names and our own conditions only


def _programs() -> tuple[int, int]:
    programs = dict(Program.objects.values_list("code", "pk"))
    return programs.get("JKK", -1), programs.get("JKM", -1)


def insert_spans(workers_sql: str, *, then: str = "", params: dict | None = None) -> list[tuple]:
    """Insert the spans of the workers ``workers_sql`` selects. With ``then`` (PostgreSQL), the rows inserted are
    named ``fresh`` and ``then`` (common table expressions and a final ``SELECT``, with ``params``) reads them in
    the same statement; its rows are returned."""
    sql = _Dialect()
    jkk, jkm = _programs()
    starts = sql.later("k.start_date", "j.start_date")
    stops = sql.earlier(sql.stop("k.end_date"), sql.stop("j.end_date"))
    bands = " UNION ALL ".join(
        f"SELECT '{band}' AS band, {lower} AS lower_age, {upper} AS upper_age"
        for band, lower, upper in AGE_BANDS
    )
    band_starts = sql.later(
        "c.starts_on",
        f"CASE WHEN b.lower_age < 0 THEN {sql.day(EARLIEST)} ELSE {sql.turns('c.birth_date', 'b.lower_age')} END",
    )
    band_stops = sql.earlier(
        "c.stops_on",
        f"CASE WHEN b.upper_age < 0 THEN {sql.day(NEVER)} ELSE {sql.turns('c.birth_date', 'b.upper_age')} END",
    )
    part_starts = sql.later("c.starts_on", "p.start_date")
    part_stops = sql.earlier("c.stops_on", sql.stop("p.end_date"))
    cells = "c.segment_id, c.funding_scheme_id, c.employer_id, c.employer_size, c.kecamatan_id, c.kelurahan_id, c.sex, c.has_disability"  # noqa: E501
    membership = db_table(Membership)
    return _inserting(
        f"""
            WITH chosen AS ({_chosen_workers_sql(workers_sql)}),
            covered AS (
                SELECT w.id AS worker_id, w.birth_date, {starts} AS starts_on, {stops} AS stops_on,
                       {sql.flag("k.bpjs_status = %(confirmed)s AND j.bpjs_status = %(confirmed)s")} AS confirmed,
                       k.segment_id, k.funding_scheme_id, COALESCE(k.employer_id, 0) AS employer_id,
                       COALESCE(e.size, '') AS employer_size, w.kecamatan_id, w.kelurahan_id, w.sex,
                       w.has_disability
                  FROM chosen w
                  JOIN {membership} k ON k.worker_id = w.id AND k.program_id = %(jkk)s
                  JOIN {membership} j ON j.worker_id = w.id AND j.program_id = %(jkm)s
                  LEFT JOIN {db_table(Employer)} e ON e.id = k.employer_id
                 WHERE {starts} < {stops}
            )""",  # noqa: S608 - table names, fixed fragments and our own conditions only
        f"""INSERT INTO {db_table(CoverageSpan)} ({", ".join(SPAN_COLUMNS)})
            SELECT c.worker_id, 0, {band_starts}, NULLIF({band_stops}, {sql.day(NEVER)}), c.confirmed, {cells},
                   b.band
              FROM covered c CROSS JOIN ({bands}) b
             WHERE {band_starts} < {band_stops}
            UNION ALL
            SELECT c.worker_id, p.program_id, {part_starts}, NULLIF({part_stops}, {sql.day(NEVER)}),
                   {sql.flag("c.confirmed AND p.bpjs_status = %(confirmed)s")}, {cells}, ''
              FROM covered c
              JOIN {membership} p ON p.worker_id = c.worker_id AND p.program_id NOT IN (%(jkk)s, %(jkm)s)
             WHERE {part_starts} < {part_stops}""",  # noqa: S608 - table names, fixed fragments, our conditions
        {"jkk": jkk, "jkm": jkm, "confirmed": CONFIRMED, **(params or {})},
        then,
    )


def _inserting(common: str, insert: str, params: dict, then: str) -> list[tuple]:
    """Run ``common`` (``WITH`` and its table expressions) and ``insert``; with ``then``, the insert as one more
    table expression, ``fresh``, returning its rows, followed by ``then``."""
    with connection.cursor() as cursor:
        if not then:
            cursor.execute(f"{common} {insert}", params)
            return []
        cursor.execute(f"{common}, fresh AS ({insert} RETURNING *), {then}", params)
        return cursor.fetchall()


def insert_entries(workers_sql: str, *, then: str = "", params: dict | None = None) -> list[tuple]:
    """Insert the entries of the workers ``workers_sql`` selects: each JKK membership's start (``jkk_new``) and
    end (``jkk_ended``, on its last day) by segment; each paid claim's count and amount on its paid day, by
    benefit type and segment; and the worker counted once as a recipient from their first paid claim overall, in
    a segment, of a benefit type (in any segment and in its segment) and in a segment group. ``then`` and
    ``params`` as for ``insert_spans``."""
    jkk, _jkm = _programs()
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
    membership, claim = db_table(Membership), db_table(Claim)
    return _inserting(
        f"""
            WITH chosen AS ({_chosen_workers_sql(workers_sql)}),
            paid AS (
                SELECT c.worker_id, c.paid_date, c.amount, c.segment_id, c.benefit_type_id, w.kecamatan_id
                  FROM chosen w JOIN {claim} c ON c.worker_id = w.id
                 WHERE c.status = %(paid)s AND c.paid_date IS NOT NULL
            )""",  # noqa: S608 - table names, fixed fragments and our own conditions only
        f"""INSERT INTO {db_table(LedgerEntry)} ({", ".join(ENTRY_COLUMNS)})
            SELECT worker_id, day, dimension, value, segment_id, kecamatan_id, SUM(delta) FROM (
                SELECT k.worker_id, k.start_date AS day, 'jkk_new' AS dimension, '' AS value, k.segment_id,
                       w.kecamatan_id, 1 AS delta
                  FROM chosen w JOIN {membership} k ON k.worker_id = w.id AND k.program_id = %(jkk)s
                UNION ALL
                SELECT k.worker_id, k.end_date, 'jkk_ended', '', k.segment_id, w.kecamatan_id, 1
                  FROM chosen w JOIN {membership} k ON k.worker_id = w.id AND k.program_id = %(jkk)s
                 WHERE k.end_date IS NOT NULL
                UNION ALL
                SELECT p.worker_id, p.paid_date, 'claims', {benefit}, p.segment_id, p.kecamatan_id, 1 FROM paid p
                UNION ALL
                SELECT p.worker_id, p.paid_date, 'claim_amount', {benefit}, p.segment_id, p.kecamatan_id,
                       p.amount
                  FROM paid p
            ) counted
             GROUP BY worker_id, day, dimension, value, segment_id, kecamatan_id
            UNION ALL
            {recipients}""",  # noqa: S608 - table names, fixed fragments and our own conditions only
        {"jkk": jkk, "paid": Claim.Status.PAID.value, **(params or {})},
        then,
    )


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
