"""A worker's coverage as spans: pure computation, the same for a settlement and a rebuild.

A worker is covered on a day when an active JKK and an active JKM membership overlap on it (``reports.queries``);
each overlap is a span carrying what the breakdowns count it under: its JKK membership's segment, funding scheme and
employer, the worker's district, sub-district, sex, disability and age band, and whether BPJS confirms both
memberships. A span is cut where the worker enters a new age band, so every day of a span counts in the same
cells. Within each covered span, every other program's membership that overlaps it is a span of its own
(``program_id``), confirmed when the covered span and that membership both are.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from enrollment.models import BpjsStatus

CONFIRMED = BpjsStatus.ACTIVE.value

# The ages at which a worker enters each band after the first (``reports.queries.AGE_BANDS``).
BAND_STARTS = (("U25", None), ("25-34", 25), ("35-44", 35), ("45-54", 45), ("55+", 55))

# The columns of ``CoverageSpan``, in the order of the tuples below.
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
WORKER_COLUMNS = ("id", "birth_date", "sex", "has_disability", "kelurahan_id")
CLAIM_COLUMNS = ("worker_id", "paid_date", "amount", "segment_id", "benefit_type_id")
ENTRY_COLUMNS = ("worker_id", "day", "dimension", "value", "segment_id", "kecamatan_id", "delta")


@dataclass(frozen=True)
class Catalogue:
    """What the computation looks up: the programs' ids, each sub-district's district, employers' sizes."""

    jkk: int
    jkm: int
    kecamatan_of: dict[int, int]
    employer_size: dict[int, str]
    segment_group: dict[int, str]


def turns(birth_date: date, years: int) -> date:
    """The first day on which someone born on ``birth_date`` is ``years`` old: their birthday, or 1 March for a
    29 February birth in a common year (as ``reports.queries._years_before`` counts)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def _stop(end_date: date | None) -> date | None:
    return None if end_date is None else end_date + timedelta(days=1)


def _earlier(a: date | None, b: date | None) -> date | None:
    """The earlier of two stops, None being never."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _overlap(starts: date, stops: date | None, other_starts: date, other_stops: date | None):
    start, stop = max(starts, other_starts), _earlier(stops, other_stops)
    return (start, stop) if stop is None or start < stop else None


def _by_age_band(starts: date, stops: date | None, birth_date: date):
    """The parts of [starts, stops) in each age band."""
    bounds = [turns(birth_date, age) if age else None for _band, age in BAND_STARTS]
    for index, (band, _age) in enumerate(BAND_STARTS):
        lower = bounds[index]
        upper = bounds[index + 1] if index + 1 < len(bounds) else None
        part = _overlap(starts, stops, lower or starts, upper)
        if part:
            yield band, *part


def worker_spans(worker: tuple, memberships: Iterable[tuple], catalogue: Catalogue) -> list[tuple]:
    """The spans (``SPAN_COLUMNS``) of ``worker`` (``WORKER_COLUMNS``) with ``memberships``
    (``MEMBERSHIP_COLUMNS``, all of that worker's)."""
    worker_id, birth_date, sex, has_disability, kelurahan_id = worker
    kelurahan_id = kelurahan_id or 0
    kecamatan_id = catalogue.kecamatan_of.get(kelurahan_id, 0)
    jkk, jkm, others = [], [], []
    for membership in memberships:
        program_id = membership[1]
        (
            jkk if program_id == catalogue.jkk else jkm if program_id == catalogue.jkm else others
        ).append(membership)
    spans = []
    for k in jkk:
        _w, _p, k_start, k_end, segment_id, scheme_id, employer_id, k_status = k
        employer_id = employer_id or 0
        size = catalogue.employer_size.get(employer_id, "")
        for j in jkm:
            covered = _overlap(k_start, _stop(k_end), j[2], _stop(j[3]))
            if not covered:
                continue
            confirmed = k_status == CONFIRMED and j[7] == CONFIRMED
            cells = (segment_id, scheme_id, employer_id, size, kecamatan_id, kelurahan_id, sex)
            for band, starts, stops in _by_age_band(*covered, birth_date):
                spans.append((worker_id, 0, starts, stops, confirmed, *cells, has_disability, band))
            for p in others:
                part = _overlap(*covered, p[2], _stop(p[3]))
                if part:
                    spans.append(
                        (
                            worker_id,
                            p[1],
                            *part,
                            confirmed and p[7] == CONFIRMED,
                            *cells,
                            has_disability,
                            "",
                        )
                    )
    return spans


def by_worker(workers: Iterable[tuple], rows: Iterable[tuple]) -> Iterator[tuple[tuple, list]]:
    """Each worker of ``workers`` with their ``rows`` (those whose first item is the worker's id), both ordered by
    worker id; a worker without rows is left out."""
    rows = iter(rows)
    pending = next(rows, None)
    for worker in workers:
        own = []
        while pending is not None and pending[0] < worker[0]:
            pending = next(rows, None)
        while pending is not None and pending[0] == worker[0]:
            own.append(pending)
            pending = next(rows, None)
        if own:
            yield worker, own


ANY = -1  # a presence cell's segment or district: any


def _merged(intervals: list[tuple[date, date | None]]) -> Iterator[tuple[date, date | None]]:
    """The union of half-open intervals, as disjoint ones (touching ones joined)."""
    intervals.sort(key=lambda interval: (interval[0], interval[1] or date.max))
    current_start, current_stop = intervals[0]
    for starts, stops in intervals[1:]:
        if current_stop is not None and starts > current_stop:
            yield current_start, current_stop
            current_start, current_stop = starts, stops
        elif current_stop is not None and (stops is None or stops > current_stop):
            current_stop = stops
    yield current_start, current_stop


def presence(employer_spans: Iterable[tuple]) -> set[tuple]:
    """When one employer has covered workers: ``(segment_id, kecamatan_id, starts_on, stops_on)`` for every
    segment and district, any segment (``ANY``), any district, and both, from its covered spans given as
    ``(segment_id, kecamatan_id, starts_on, stops_on)``."""
    by_cell: dict[tuple[int, int], list] = {}
    for segment_id, kecamatan_id, starts, stops in employer_spans:
        for cell in (
            (segment_id, kecamatan_id),
            (segment_id, ANY),
            (ANY, kecamatan_id),
            (ANY, ANY),
        ):
            by_cell.setdefault(cell, []).append((starts, stops))
    return {
        (*cell, starts, stops)
        for cell, intervals in by_cell.items()
        for starts, stops in _merged(intervals)
    }


def worker_entries(
    worker: tuple, memberships: Iterable[tuple], claims: Iterable[tuple], catalogue: Catalogue
) -> list[tuple]:
    """The entries (``ENTRY_COLUMNS``) of ``worker`` (``WORKER_COLUMNS``): each JKK membership's start
    (``jkk_new``) and end (``jkk_ended``, on its last day) by segment, from ``memberships``
    (``MEMBERSHIP_COLUMNS``); each paid claim's count and amount on its paid day, by benefit type and segment, and
    the worker counted once as a recipient from their first paid claim overall, in a segment, of a benefit type
    (in any segment and in its segment) and in a segment group, from ``claims`` (``CLAIM_COLUMNS``)."""
    worker_id, kelurahan_id = worker[0], worker[4] or 0
    kecamatan_id = catalogue.kecamatan_of.get(kelurahan_id, 0)
    totals: dict[tuple, int] = {}
    first: dict[tuple, date] = {}
    for membership in memberships:
        if membership[1] == catalogue.jkk:
            for day, dimension in ((membership[2], "jkk_new"), (membership[3], "jkk_ended")):
                if day is not None:
                    key = (day, dimension, "", membership[4])
                    totals[key] = totals.get(key, 0) + 1
    for _worker, paid, amount, segment_id, benefit_type_id in claims:
        benefit = str(benefit_type_id)
        for key, delta in (
            ((paid, "claims", benefit, segment_id), 1),
            ((paid, "claim_amount", benefit, segment_id), amount),
        ):
            totals[key] = totals.get(key, 0) + delta
        group = catalogue.segment_group.get(segment_id, "")
        for cell in (
            ("recipients", "", ANY),
            ("recipients", "", segment_id),
            ("recipients_bt", benefit, ANY),
            ("recipients_bt", benefit, segment_id),
            ("recipients_sg", group, ANY),
        ):
            if cell not in first or paid < first[cell]:
                first[cell] = paid
    for (dimension, value, segment_id), paid in first.items():
        totals[(paid, dimension, value, segment_id)] = 1
    return [
        (worker_id, day, dimension, value, segment_id, kecamatan_id, delta)
        for (day, dimension, value, segment_id), delta in totals.items()
    ]
