"""The figures, aggregated in the database: coverage on a day, the month trend, flows and claims.

Definitions (DESIGN.md, "Reports: definitions"):

- A worker is *covered* on day D when they hold an active JKK and an active JKM membership on D
  (``start_date <= D`` and ``end_date`` empty or ``>= D``).
- Breakdowns count a covered worker under the segment (so the segment group and kind), funding scheme and
  employer (so the employer size) of their **active JKK membership** on D. There is at most one: a worker never
  holds overlapping memberships of one program (checked by the database on PostgreSQL). Region, sex, age band
  and disability come from the worker. The program breakdown counts covered workers holding an active
  membership in each program.
- Claims are the PAID ones, by paid date, within a period or cumulative to its end.
- A covered worker is *confirmed by BPJS* on D when their JKK and JKM memberships active on D are both
  ``bpjs_status = ACTIVE`` (decision 59): the state as BPJS's latest answer left it, also for earlier days (the
  state is not dated). Every count of covered workers has its confirmed count beside it; in the program
  breakdown, a confirmed worker counts under a program when that membership is ACTIVE too.

``coverage_on`` builds the covered set once (one row per covered worker: their active JKK membership with the
worker's attributes) as a common table expression and answers every requested breakdown from it in the same
statement. ``coverage_trend`` intersects each worker's JKK and JKM intervals (the intersections of one worker are
disjoint, so counting intervals that contain D counts distinct workers) and sweeps over their start and end
dates. Both are plain SQL that PostgreSQL and SQLite run alike.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, connections
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berjasa.routers import reports_database
from enrollment.models import BpjsStatus, Claim, Employer, Membership, Worker
from programs.models import (
    CoverageTarget,
    FundingScheme,
    Kecamatan,
    Kelurahan,
    Program,
    Segment,
    SegmentGroup,
    SegmentKind,
)
from reports.ledger import reading as ledger
from reports.ledger.spans import ANY
from reports.models import WorkforceEstimate


@dataclass(frozen=True)
class Scope:
    """Which part of the data a report looks at; the empty scope is the whole city.

    ``employer_id`` keeps the memberships and claims an employer registered (``Membership.employer``,
    ``Claim.employer``); ``segment_id`` the covered workers whose JKK membership is in that segment (and claims
    of that segment); ``kecamatan_id`` the workers living there.
    """

    employer_id: int | None = None
    segment_id: int | None = None
    kecamatan_id: int | None = None


CITY = Scope()

# The state of a membership that BPJS confirms (decision 59), as stored.
CONFIRMED = BpjsStatus.ACTIVE.value


# --- Breakdown dimensions ------------------------------------------------------------------------

AGE_BANDS: tuple[tuple[str, int | None, Promise], ...] = (
    # key, the age from which a worker falls in the band (None: the youngest), label
    ("U25", None, _("Under 25")),
    ("25-34", 25, _("25–34")),
    ("35-44", 35, _("35–44")),
    ("45-54", 45, _("45–54")),
    ("55+", 55, _("55 and over")),
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _age_band_sql(on: date) -> tuple[str, list]:
    """A CASE expression giving each worker's age band on ``on`` from the birth date alone (portable)."""
    whens, params = [], []
    for (key, _lower, _label), (_next_key, upper, _next_label) in zip(
        AGE_BANDS, AGE_BANDS[1:], strict=False
    ):
        whens.append(f"WHEN w.birth_date > %s THEN '{key}'")  # younger than ``upper`` on ``on``
        params.append(_years_before(on, upper))
    return f"CASE {' '.join(whens)} ELSE '{AGE_BANDS[-1][0]}' END", params


@dataclass(frozen=True)
class Dimension:
    """A breakdown of covered workers: its key, label, SQL over the covered set and its ordered values."""

    key: str
    label: Promise
    column: str
    choices: Callable[[], list[tuple[Any, str]]]


def labelled(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str]]:
    """Choices with their (lazy) labels turned into text in the active language."""
    return [(key, str(label)) for key, label in choices]


def _objects(model, label: Callable[[Any], str] = str) -> Callable[[], list[tuple[Any, str]]]:
    return lambda: [(obj.pk, label(obj)) for obj in model.objects.all()]


def _with_none(choices, none_label: Promise) -> Callable[[], list[tuple[Any, str]]]:
    return lambda: labelled([*(choices() if callable(choices) else choices), (None, none_label)])


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension(
            "segment_group",
            _("Segment group"),
            "segment_group",
            lambda: labelled(SegmentGroup.choices),
        ),
        Dimension("segment", _("Segment"), "segment_id", _objects(Segment)),
        Dimension(
            "segment_kind", _("Segment kind"), "segment_kind", lambda: labelled(SegmentKind.choices)
        ),
        Dimension(
            "kecamatan",
            _("District (kecamatan)"),
            "kecamatan_id",
            _with_none(_objects(Kecamatan), _("Unknown")),
        ),
        Dimension(
            "kelurahan",
            _("Sub-district (kelurahan)"),
            "kelurahan_id",
            _with_none(_objects(Kelurahan, lambda k: k.name), _("Unknown")),
        ),
        Dimension(
            "program",
            _("Program"),
            "program_id",
            _objects(Program),
        ),
        Dimension(
            "funding_scheme",
            _("Funding scheme"),
            "funding_scheme_id",
            _objects(FundingScheme),
        ),
        Dimension(
            "employer_size",
            _("Employer size"),
            "employer_size",
            _with_none(Employer.Size.choices, _("No employer")),
        ),
        Dimension("sex", _("Sex"), "sex", lambda: labelled(Worker.Sex.choices)),
        Dimension(
            "age_band",
            _("Age band"),
            "age_band",
            lambda: [(key, str(label)) for key, _lower, label in AGE_BANDS],
        ),
        Dimension(
            "disability",
            _("Disability"),
            "disability",
            lambda: [(0, str(_("Without a disability"))), (1, str(_("With a disability")))],
        ),
    )
}


def check_dimensions(keys: Iterable[str]) -> tuple[str, ...]:
    """The keys, in the order of DIMENSIONS; raise ValueError on an unknown one."""
    wanted = set(keys)
    if unknown := wanted - DIMENSIONS.keys():
        raise ValueError(
            _("Unknown breakdown: %(names)s. Choose from: %(choices)s.")
            % {"names": ", ".join(sorted(unknown)), "choices": ", ".join(DIMENSIONS)}
        )
    return tuple(key for key in DIMENSIONS if key in wanted)


# --- Coverage on a day ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Covered workers on ``on``: the total, employers with registered workers, and breakdowns by key; the same
    counts of those confirmed by BPJS (``confirmed``, ``confirmed_by``)."""

    on: date
    total: int
    employers: int
    by: dict[str, dict[Any, int]] = field(default_factory=dict)
    confirmed: int = 0
    confirmed_by: dict[str, dict[Any, int]] = field(default_factory=dict)

    def count(self, dimension: str, key: Any) -> int:
        return self.by[dimension].get(key, 0)

    def confirmed_count(self, dimension: str, key: Any) -> int:
        return self.confirmed_by[dimension].get(key, 0)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "membership": quote(Membership._meta.db_table),
        "segment": quote(Segment._meta.db_table),
        "worker": quote(Worker._meta.db_table),
        "employer": quote(Employer._meta.db_table),
        "kelurahan": quote(Kelurahan._meta.db_table),
        "group": quote("group"),
    }


def _program_ids() -> dict[str, int]:
    """Every program's id by code, in the catalogue's order."""
    return dict(Program.objects.values_list("code", "pk"))


def _active(alias: str) -> str:
    return f"{alias}.start_date <= %s AND ({alias}.end_date IS NULL OR {alias}.end_date >= %s)"


# The covered set's columns that breakdowns group by: the people's attributes in one GROUP BY, their places in
# another.
PEOPLE_COLUMNS = (
    "segment_id",
    "segment_group",
    "segment_kind",
    "funding_scheme_id",
    "employer_size",
    "sex",
    "age_band",
    "disability",
)
PLACE_COLUMNS = ("kecamatan_id", "kelurahan_id")


def _covered_sql(on: date, scope: Scope, programs: dict[str, int]) -> tuple[str, list]:
    """One row per worker covered on ``on``: their active JKK membership, their own attributes, and
    ``confirmed`` (1 when BPJS confirms both their JKK and their JKM membership, else 0)."""
    t = _tables()
    age_band, params = _age_band_sql(on)
    params += [CONFIRMED, CONFIRMED, programs["JKM"], on, on]
    jkm_employer, filters = "", []
    if scope.employer_id is not None:
        jkm_employer = "AND j.employer_id = %s"
        params.append(scope.employer_id)
    params += [programs["JKK"], on, on]
    for condition, value in (
        ("k.employer_id = %s", scope.employer_id),
        ("k.segment_id = %s", scope.segment_id),
        ("kel.kecamatan_id = %s", scope.kecamatan_id),
    ):
        if value is not None:
            filters.append(condition)
            params.append(value)
    # A worker holds at most one JKM membership active on a day (as for the trend), so the join keeps one row per
    # covered worker.
    sql = f"""
        WITH covered AS (
            SELECT k.worker_id, k.segment_id, s.{t["group"]} AS segment_group, s.kind AS segment_kind,
                   k.funding_scheme_id, k.employer_id, e.size AS employer_size,
                   w.kelurahan_id, kel.kecamatan_id, w.sex,
                   CASE WHEN w.has_disability THEN 1 ELSE 0 END AS disability, {age_band} AS age_band,
                   CASE WHEN k.bpjs_status = %s AND j.bpjs_status = %s THEN 1 ELSE 0 END AS confirmed
              FROM {t["membership"]} k
              JOIN {t["membership"]} j
                ON j.worker_id = k.worker_id AND j.program_id = %s AND {_active("j")} {jkm_employer}
              JOIN {t["segment"]} s ON s.id = k.segment_id
              JOIN {t["worker"]} w ON w.id = k.worker_id
              LEFT JOIN {t["employer"]} e ON e.id = k.employer_id
              LEFT JOIN {t["kelurahan"]} kel ON kel.id = w.kelurahan_id
             WHERE k.program_id = %s AND {_active("k")}
               {"".join(f" AND {f}" for f in filters)}
        )
    """  # noqa: S608 - only table names and fixed fragments are interpolated; values are parameters
    return sql, params


def _other_programs_sql(on: date, scope: Scope, programs: dict[str, int]) -> tuple[str, list]:
    """Covered workers holding an active membership in each program other than JKK and JKM (which every
    covered worker holds by definition); confirmed ones whose membership of the program is ACTIVE too."""
    membership = _tables()["membership"]
    employer = "AND p.employer_id = %s" if scope.employer_id is not None else ""
    blank = ", ".join("NULL" for _ in PEOPLE_COLUMNS)
    sql = f"""
        SELECT 'program', {blank}, p.program_id, NULL, COUNT(*),
               SUM(CASE WHEN p.bpjs_status = %s THEN c.confirmed ELSE 0 END)
          FROM covered c JOIN {membership} p
            ON p.worker_id = c.worker_id AND p.program_id NOT IN (%s, %s) AND {_active("p")} {employer}
         GROUP BY p.program_id
    """  # noqa: S608 - only table names and fixed fragments are interpolated; values are parameters
    params = [CONFIRMED, programs["JKK"], programs["JKM"], on, on]
    return sql, params + ([scope.employer_id] if employer else [])


def _coverage(
    on: date,
    total: int,
    employers: int,
    confirmed: int,
    by: dict[str, dict[Any, int]],
    confirmed_by: dict[str, dict[Any, int]],
    programs: dict[str, int],
) -> Coverage:
    """The counts as a ``Coverage``; in the program breakdown, JKK and JKM count every covered worker (a covered
    worker holds both by definition)."""
    if "program" in by:
        for code in ("JKK", "JKM"):
            if code in programs:
                by["program"][programs[code]] = total
                confirmed_by["program"][programs[code]] = confirmed
    return Coverage(
        on,
        total,
        employers,
        {key: dict(counts) for key, counts in by.items()},
        confirmed,
        {key: dict(counts) for key, counts in confirmed_by.items()},
    )


def coverage_on(on: date, scope: Scope = CITY, dimensions: Sequence[str] = ()) -> Coverage:
    """Covered workers on ``on``, with the requested breakdowns; each count with the number of those confirmed
    by BPJS. Read from the coverage ledger when it answers (the city, a segment or a district, up to its
    horizon); counted from the memberships otherwise (an employer's own figures)."""
    if scope.employer_id is None and ledger.answers([on]):
        return ledger_coverage_on(on, scope, dimensions)
    return direct_coverage_on(on, scope, dimensions)


# The ledger's breakdown whose cells answer each of the reports' breakdowns.
LEDGER_DIMENSION = {
    "segment_group": "total",
    "segment": "total",
    "segment_kind": "total",
    "kecamatan": "total",
    "kelurahan": "kelurahan",
    "program": "program",
    "funding_scheme": "funding_scheme",
    "employer_size": "employer_size",
    "sex": "sex",
    "age_band": "age_band",
    "disability": "disability",
}
# A ledger cell's value (text) as the breakdown's key.
LEDGER_VALUE: dict[str, Callable[[str], Any]] = {
    "kelurahan": lambda value: int(value) or None,
    "program": int,
    "funding_scheme": int,
    "employer_size": lambda value: value or None,
    "sex": str,
    "age_band": str,
    "disability": int,
}


def ledger_coverage_on(on: date, scope: Scope = CITY, dimensions: Sequence[str] = ()) -> Coverage:
    """``coverage_on`` read from the ledger's cells (``reports.ledger``): the same figures as
    ``direct_coverage_on`` for the city, a segment or a district."""
    if scope.employer_id is not None:
        raise ValueError("The ledger does not count an employer's own figures.")
    dimensions = check_dimensions(dimensions)
    wanted = {"total", "employers", *(LEDGER_DIMENSION[key] for key in dimensions)}
    cells = ledger.levels(
        [on], wanted, segment_id=scope.segment_id, kecamatan_id=scope.kecamatan_id
    )[on]
    segments = {
        pk: (group, kind) for pk, group, kind in Segment.objects.values_list("pk", "group", "kind")
    }
    total = employers = confirmed = 0
    by: dict[str, dict[Any, int]] = {key: defaultdict(int) for key in dimensions}
    confirmed_by: dict[str, dict[Any, int]] = {key: defaultdict(int) for key in dimensions}

    def count(key: str, value: Any, n: int, is_confirmed: bool) -> None:
        by[key][value] += n
        confirmed_by[key][value] += n if is_confirmed else 0

    for (dimension, segment_id, kecamatan_id, is_confirmed, value), n in cells.items():
        if dimension == "employers":
            employers += n
        elif dimension == "total":
            total += n
            confirmed += n if is_confirmed else 0
            group, kind = segments[segment_id]
            derived = {
                "segment": segment_id,
                "segment_group": group,
                "segment_kind": kind,
                "kecamatan": kecamatan_id or None,
            }
            for key, key_value in derived.items():
                if key in by:
                    count(key, key_value, n, is_confirmed)
        elif dimension in by:
            count(dimension, LEDGER_VALUE[dimension](value), n, is_confirmed)
    return _coverage(on, total, employers, confirmed, by, confirmed_by, _program_ids())


def direct_coverage_on(on: date, scope: Scope = CITY, dimensions: Sequence[str] = ()) -> Coverage:
    """Covered workers on ``on`` counted from the memberships, with the requested breakdowns, in one statement;
    each count with the number of those confirmed by BPJS (the reference the ledger is checked against).

    Each covered worker is one row of the covered set (see the module's docstring), so the breakdowns are counts
    of rows and add up to the total. The statement reads the set a few times: grouped by all of the people's
    attributes at once, by place, and joined to the other programs' memberships; the breakdowns are sums of
    those groups.
    """
    dimensions = check_dimensions(dimensions)
    programs = _program_ids()
    if "JKK" not in programs or "JKM" not in programs:  # no catalogue, no coverage
        return Coverage(
            on, 0, 0, {key: {} for key in dimensions}, 0, {key: {} for key in dimensions}
        )
    sql, params = _covered_sql(on, scope, programs)
    people = ", ".join(PEOPLE_COLUMNS)
    blank = ", ".join("NULL" for _ in PEOPLE_COLUMNS)
    parts = [
        f"""SELECT 'people', {people}, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), COUNT(*),
                   SUM(confirmed)
              FROM covered GROUP BY {people}""",  # noqa: S608 - fixed column names
        # COUNT(*) over DISTINCT lets PostgreSQL hash instead of sorting the whole set.
        f"""SELECT 'employers', {blank}, NULL, NULL, COUNT(*), NULL
              FROM (SELECT DISTINCT employer_id FROM covered WHERE employer_id IS NOT NULL) e""",  # noqa: S608
    ]
    if {"kecamatan", "kelurahan"} & set(dimensions):
        parts.append(
            f"""SELECT 'place', {blank}, kecamatan_id, kelurahan_id, COUNT(*), SUM(confirmed)
                  FROM covered GROUP BY kecamatan_id, kelurahan_id"""  # noqa: S608 - fixed names
        )
    if "program" in dimensions:
        program_sql, program_params = _other_programs_sql(on, scope, programs)
        parts.append(program_sql)
        params += program_params
    with connections[reports_database()].cursor() as cursor:
        cursor.execute(sql + " UNION ALL ".join(parts), params)
        rows = cursor.fetchall()

    total = employers = confirmed = 0
    by: dict[str, dict[Any, int]] = {key: defaultdict(int) for key in dimensions}
    confirmed_by: dict[str, dict[Any, int]] = {key: defaultdict(int) for key in dimensions}
    columns = PEOPLE_COLUMNS + PLACE_COLUMNS
    for part, *values, count, confirmed_count in rows:
        row = dict(zip(columns, values, strict=True))
        if part == "employers":
            employers = count
        elif part == "program":
            program_id = row["kecamatan_id"]  # the program id travels in the first free column
            by["program"][program_id] = count
            confirmed_by["program"][program_id] = confirmed_count
        else:
            if part == "people":
                total += count
                confirmed += confirmed_count
            for key in dimensions:
                column = DIMENSIONS[key].column
                if column in columns and (column in PLACE_COLUMNS) == (part == "place"):
                    by[key][row[column]] += count
                    confirmed_by[key][row[column]] += confirmed_count
    return _coverage(on, total, employers, confirmed, by, confirmed_by, programs)


# --- The month trend -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    day: date
    total: int
    by_group: dict[str, int]
    confirmed: int = 0  # of ``total``, those confirmed by BPJS


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def coverage_trend(days: Sequence[date], scope: Scope = CITY) -> list[TrendPoint]:
    """Covered workers (in total, by segment group, and confirmed by BPJS) on each of ``days`` (ascending): from
    the coverage ledger when it answers, counted from the memberships otherwise (as ``coverage_on``)."""
    if days and scope.employer_id is None and ledger.answers(days):
        return ledger_coverage_trend(days, scope)
    return direct_coverage_trend(days, scope)


def ledger_coverage_trend(days: Sequence[date], scope: Scope = CITY) -> list[TrendPoint]:
    """``coverage_trend`` read from the ledger's ``total`` cells."""
    groups = dict(Segment.objects.values_list("pk", "group"))
    at = ledger.levels(
        days, {"total"}, segment_id=scope.segment_id, kecamatan_id=scope.kecamatan_id
    )
    points = []
    for day in days:
        by_group = dict.fromkeys(SegmentGroup.values, 0)
        confirmed = 0
        for (_dimension, segment_id, _kecamatan_id, is_confirmed, _value), n in at[day].items():
            by_group[groups[segment_id]] += n
            confirmed += n if is_confirmed else 0
        points.append(TrendPoint(day, sum(by_group.values()), by_group, confirmed))
    return points


def direct_coverage_trend(days: Sequence[date], scope: Scope = CITY) -> list[TrendPoint]:
    """Covered workers (in total, by segment group, and confirmed by BPJS) on each of ``days`` (ascending),
    counted from the memberships in one statement.

    The statement intersects every JKK membership with the same worker's JKM memberships that overlap it and the
    span of ``days``, and returns how many intersections start and end on each date, by segment group and by
    whether BPJS confirms both memberships. A day D then counts the intersections started on or before D less
    those ended before D (a sweep in date order over a few thousand grouped rows, whatever the number of
    workers).
    """
    programs = _program_ids()
    if not days or "JKK" not in programs or "JKM" not in programs:  # no catalogue, no coverage
        return [TrendPoint(day, 0, dict.fromkeys(SegmentGroup.values, 0)) for day in days]
    first, last = days[0], days[-1]
    t = _tables()
    filters, filter_params = [], []
    if scope.employer_id is not None:
        filters += ["k.employer_id = %s", "j.employer_id = %s"]
        filter_params += [scope.employer_id, scope.employer_id]
    if scope.segment_id is not None:
        filters.append("k.segment_id = %s")
        filter_params.append(scope.segment_id)
    region_join = ""
    if scope.kecamatan_id is not None:
        region_join = (
            f"JOIN {t['worker']} w ON w.id = k.worker_id"
            f" JOIN {t['kelurahan']} kel ON kel.id = w.kelurahan_id"
        )
        filters.append("kel.kecamatan_id = %s")
        filter_params.append(scope.kecamatan_id)
    sql = f"""
        WITH spans AS (
            SELECT CASE WHEN k.start_date >= j.start_date THEN k.start_date ELSE j.start_date END AS starts,
                   CASE WHEN k.end_date IS NULL THEN j.end_date
                        WHEN j.end_date IS NULL OR k.end_date <= j.end_date THEN k.end_date
                        ELSE j.end_date END AS ends,
                   s.{t["group"]} AS segment_group,
                   CASE WHEN k.bpjs_status = %s AND j.bpjs_status = %s THEN 1 ELSE 0 END AS confirmed
              FROM {t["membership"]} k
              JOIN {t["membership"]} j
                ON j.worker_id = k.worker_id AND j.program_id = %s
               AND j.start_date <= %s AND (j.end_date IS NULL OR j.end_date >= %s)
               AND j.start_date <= COALESCE(k.end_date, %s) AND k.start_date <= COALESCE(j.end_date, %s)
              JOIN {t["segment"]} s ON s.id = k.segment_id
              {region_join}
             WHERE k.program_id = %s
               AND k.start_date <= %s AND (k.end_date IS NULL OR k.end_date >= %s)
               {"".join(f" AND {f}" for f in filters)}
        )
        SELECT 1, starts, segment_group, confirmed, COUNT(*) FROM spans
         GROUP BY starts, segment_group, confirmed
        UNION ALL
        SELECT -1, ends, segment_group, confirmed, COUNT(*) FROM spans
         WHERE ends IS NOT NULL GROUP BY ends, segment_group, confirmed
    """  # noqa: S608 - only table names and fixed fragments are interpolated; values are parameters
    params = [
        CONFIRMED,
        CONFIRMED,
        programs["JKM"],
        last,
        first,
        last,
        last,
        programs["JKK"],
        last,
        first,
        *filter_params,
    ]
    with connections[reports_database()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    # An interval counts on D when it starts on or before D and does not end before D.
    starts = sorted(
        (_as_date(day), group, confirmed, n) for sign, day, group, confirmed, n in rows if sign == 1
    )
    ends = sorted(
        (_as_date(day), group, confirmed, n)
        for sign, day, group, confirmed, n in rows
        if sign == -1
    )
    running: dict[tuple[str, int], int] = defaultdict(int)
    points, i, j = [], 0, 0
    for day in days:
        while i < len(starts) and starts[i][0] <= day:
            running[starts[i][1:3]] += starts[i][3]
            i += 1
        while j < len(ends) and ends[j][0] < day:
            running[ends[j][1:3]] -= ends[j][3]
            j += 1
        by_group = {
            group: running.get((group, 0), 0) + running.get((group, 1), 0)
            for group in SegmentGroup.values
        }
        confirmed = sum(n for (_group, is_confirmed), n in running.items() if is_confirmed)
        points.append(TrendPoint(day, sum(by_group.values()), by_group, confirmed))
    return points


# --- Flows: new enrolments and terminations ------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    new: int
    ended: int


def _scoped_memberships(scope: Scope) -> QuerySet[Membership]:
    memberships = Membership.objects.using(reports_database()).filter(
        program_id=_program_ids().get("JKK")
    )
    if scope.employer_id is not None:
        memberships = memberships.filter(employer_id=scope.employer_id)
    if scope.segment_id is not None:
        memberships = memberships.filter(segment_id=scope.segment_id)
    if scope.kecamatan_id is not None:
        memberships = memberships.filter(worker__kelurahan__kecamatan_id=scope.kecamatan_id)
    return memberships


def membership_flows(start: date, end: date, scope: Scope = CITY) -> dict[int, Flow]:
    """JKK memberships starting (new enrolments) and ending (terminations) from ``start`` to ``end``, by
    segment id: from the ledger when it answers, from the memberships otherwise (an employer's own figures)."""
    if scope.employer_id is None and ledger.answers([end]):
        return ledger_membership_flows(start, end, scope)
    return direct_membership_flows(start, end, scope)


def ledger_membership_flows(start: date, end: date, scope: Scope = CITY) -> dict[int, Flow]:
    """``membership_flows`` from the ledger's ``jkk_new`` and ``jkk_ended`` cells: their counts at ``end`` less
    those the day before ``start``."""
    before = start - timedelta(days=1)
    at = ledger.levels(
        [before, end],
        ("jkk_new", "jkk_ended"),
        segment_id=scope.segment_id,
        kecamatan_id=scope.kecamatan_id,
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for day, sign in ((end, 1), (before, -1)):
        for (dimension, segment_id, _kecamatan_id, _confirmed, _value), n in at[day].items():
            counts[segment_id][dimension == "jkk_ended"] += sign * n
    return {segment_id: Flow(*flow) for segment_id, flow in counts.items() if any(flow)}


def direct_membership_flows(start: date, end: date, scope: Scope = CITY) -> dict[int, Flow]:
    """``membership_flows`` counted from the memberships (the reference the ledger is checked against)."""
    starts = Q(start_date__range=(start, end))
    ends = Q(end_date__range=(start, end))
    rows = (
        _scoped_memberships(scope)
        .filter(starts | ends)
        .values("segment_id")
        .annotate(new=Count("pk", filter=starts), ended=Count("pk", filter=ends))
        .order_by()
    )
    return {row["segment_id"]: Flow(row["new"], row["ended"]) for row in rows}


# --- Claims --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimTotals:
    """Paid claims: count, distinct recipients and Rupiah, within the period and cumulative to its end."""

    count: int = 0
    recipients: int = 0
    amount: int = 0
    period_count: int = 0
    period_recipients: int | None = 0  # None: not counted (asked for without it)
    period_amount: int = 0


CLAIM_GROUPINGS = {
    "total": None,
    "segment_group": "segment__group",
    "segment": "segment_id",
    "benefit_type": "benefit_type_id",
}


def claims_paid(
    start: date, end: date, scope: Scope = CITY, by: str = "total"
) -> dict[Any, ClaimTotals]:
    """Paid claims cumulative to ``end`` and paid from ``start`` to ``end``, grouped as ``by`` says (a key of
    CLAIM_GROUPINGS; ``total`` gives one entry under the key None): as ``claims_paid_by``."""
    if scope.employer_id is None and ledger.answers([end]):
        return ledger_claims_paid(start, end, scope)[by]
    return direct_claims_paid(start, end, scope, by)


def claims_paid_by(
    start: date, end: date, scope: Scope = CITY, *, period_recipients: bool = True
) -> dict[str, dict[Any, ClaimTotals]]:
    """``claims_paid`` in every grouping. The cumulative figures and the period's counts and amounts from the
    ledger when it answers (one read for every grouping), the period's distinct recipients from the period's
    claims (left out, None, without ``period_recipients``); everything from the claims otherwise (an
    employer's own figures)."""
    if scope.employer_id is None and ledger.answers([end]):
        return ledger_claims_paid(start, end, scope, period_recipients=period_recipients)
    return {by: direct_claims_paid(start, end, scope, by) for by in CLAIM_GROUPINGS}


def _paid_claims(scope: Scope) -> QuerySet[Claim]:
    claims = Claim.objects.using(reports_database()).filter(status=Claim.Status.PAID)
    if scope.employer_id is not None:
        claims = claims.filter(employer_id=scope.employer_id)
    if scope.segment_id is not None:
        claims = claims.filter(segment_id=scope.segment_id)
    if scope.kecamatan_id is not None:
        claims = claims.filter(worker__kelurahan__kecamatan_id=scope.kecamatan_id)
    return claims


def _grouped(claims: QuerySet[Claim], by: str, figures: dict) -> list[dict]:
    group = CLAIM_GROUPINGS[by]
    if group is None:
        return [{"key": None, **claims.aggregate(**figures)}]
    return list(claims.values(key=F(group)).annotate(**figures).order_by())


def direct_claims_paid(
    start: date, end: date, scope: Scope = CITY, by: str = "total"
) -> dict[Any, ClaimTotals]:
    """``claims_paid`` counted from the claims (the reference the ledger is checked against)."""
    within = Q(paid_date__gte=start)
    # Aliases prefixed with "c_": an aggregate may not share a name with a field ("amount").
    figures = {
        "c_count": Count("pk"),
        "c_recipients": Count("worker_id", distinct=True),
        "c_amount": Sum("amount"),
        "c_period_count": Count("pk", filter=within),
        "c_period_recipients": Count("worker_id", distinct=True, filter=within),
        "c_period_amount": Sum("amount", filter=within),
    }
    rows = _grouped(_paid_claims(scope).filter(paid_date__lte=end), by, figures)
    return {
        row["key"]: ClaimTotals(**{name[2:]: row[name] or 0 for name in figures}) for row in rows
    }


CLAIM_DIMENSIONS = ("claims", "claim_amount", "recipients", "recipients_bt", "recipients_sg")


def ledger_claims_paid(
    start: date, end: date, scope: Scope = CITY, *, period_recipients: bool = True
) -> dict[str, dict[Any, ClaimTotals]]:
    """``claims_paid_by`` from the ledger's claim cells, every grouping from one read; the period's distinct
    recipients counted from the claims paid within it (an index range: the period's claims, not all of them)."""
    if scope.employer_id is not None:
        raise ValueError("The ledger does not count an employer's own figures.")
    before = start - timedelta(days=1)
    at = ledger.levels(
        [before, end],
        CLAIM_DIMENSIONS,
        segment_id=scope.segment_id,
        kecamatan_id=scope.kecamatan_id,
    )
    groups = dict(Segment.objects.values_list("pk", "group"))
    filtered = scope.segment_id is not None
    # The recipients' cells each grouping reads: without a segment filter, those of any segment (ANY); with
    # one, the segment's own. Recipients by segment (and by group within a filtered segment) are the
    # "recipients" cells of each segment.
    recipients_of = {
        "total": "recipients",
        "benefit_type": "recipients_bt",
        "segment_group": "recipients_sg",
    }

    def keys_of(dimension: str, segment_id: int, value: str):
        """The groupings a cell counts in, with its key in each."""
        if dimension in ("claims", "claim_amount"):
            yield "total", None
            yield "benefit_type", int(value)
            yield "segment", segment_id
            yield "segment_group", groups.get(segment_id)
            return
        if dimension == "recipients" and segment_id != ANY:
            yield "segment", segment_id
            if filtered:
                yield "segment_group", groups.get(segment_id)
        if (segment_id == ANY) != filtered:
            for by, wanted in recipients_of.items():
                if dimension == wanted and not (filtered and by == "segment_group"):
                    yield (
                        by,
                        None if by == "total" else int(value) if by == "benefit_type" else value,
                    )

    sums = {}
    for day, cells in at.items():
        sums[day] = {by: defaultdict(lambda: defaultdict(int)) for by in CLAIM_GROUPINGS}
        for (dimension, segment_id, _kecamatan_id, _confirmed, value), n in cells.items():
            figure = {"claims": "count", "claim_amount": "amount"}.get(dimension, "recipients")
            for by, key in keys_of(dimension, segment_id, value):
                sums[day][by][key][figure] += n
    in_period = {by: {} for by in CLAIM_GROUPINGS}
    if period_recipients:
        within = _paid_claims(scope).filter(paid_date__range=(start, end))
        figures = {"c_period_recipients": Count("worker_id", distinct=True)}
        in_period = {
            by: {row["key"]: row["c_period_recipients"] for row in _grouped(within, by, figures)}
            for by in CLAIM_GROUPINGS
        }
    result = {}
    for by in CLAIM_GROUPINGS:
        totals = {}
        for key, now in sums[end][by].items():
            earlier = sums[before][by].get(key, {})
            if now["count"]:
                totals[key] = ClaimTotals(
                    count=now["count"],
                    recipients=now["recipients"],
                    amount=now["amount"],
                    period_count=now["count"] - earlier.get("count", 0),
                    period_recipients=(in_period[by].get(key) or 0) if period_recipients else None,
                    period_amount=now["amount"] - earlier.get("amount", 0),
                )
        if by == "total" and None not in totals:
            totals[None] = ClaimTotals(period_recipients=0 if period_recipients else None)
        result[by] = totals
    return result


# --- How far the data reaches ------------------------------------------------------------------


def latest_data_day(today: date) -> date | None:
    """The last day up to ``today`` on which something was recorded to happen: a membership started or ended, or a
    claim was paid (planned end dates in the future do not count). None when there is no such record."""
    # Three queries, each the end of an index (one aggregate with filters would read every membership).
    started = Membership.objects.filter(start_date__lte=today).aggregate(day=Max("start_date"))
    ended = Membership.objects.filter(end_date__lte=today).aggregate(day=Max("end_date"))
    paid = Claim.objects.filter(status=Claim.Status.PAID, paid_date__lte=today).aggregate(
        day=Max("paid_date")
    )
    days = [found["day"] for found in (started, ended, paid) if found["day"] is not None]
    return max(days, default=None)


# --- Denominators and the target -----------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    workers: int
    year: int


def percent_of(part: int, whole: int | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals half up; None without a denominator."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def estimates(kind: str, year: int, *, by_kecamatan: bool = False) -> dict[int | None, Estimate]:
    """The latest estimate of ``kind`` for ``year`` or before it: city-wide under the key None, or by
    kecamatan id."""
    rows = (
        WorkforceEstimate.objects.filter(
            kind=kind, year__lte=year, kecamatan__isnull=not by_kecamatan
        )
        .order_by("kecamatan_id", "-year")
        .values_list("kecamatan_id", "year", "workers")
    )
    latest: dict[int | None, Estimate] = {}
    for kecamatan_id, estimate_year, workers in rows:
        latest.setdefault(kecamatan_id, Estimate(workers, estimate_year))
    return latest


def target_for(year: int) -> CoverageTarget | None:
    """The UCJ target of ``year``, or of the latest year before it."""
    return CoverageTarget.objects.filter(year__lte=year).order_by("-year").first()
