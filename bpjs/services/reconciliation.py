"""BPJS's monthly participant statement: read through the import engine, reconciled with our memberships, applied;
and the discrepancy list that remains (decisions 63, 64).

Reconciling is set-based: one grouped query gives every participant active here in the month (in the statement's
scope) with the programs, employers and BPJS states of their memberships; the statement's rows are matched to
them in memory by NIK, then KPJ. Applying stores the statement and its lines (COPY on PostgreSQL) and moves the
memberships' BPJS state with a few ``UPDATE … FROM`` the stored lines, each changed row with its history row.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import NamedTuple

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from bpjs.columns import columns
from bpjs.models import Category, DiscrepancyStatus, FileKind, Statement, StatementLine
from bpjs.services.registering import Registering
from enrollment.imports import cells
from enrollment.imports.engine import Field, Importer, Line, among, chunked, kpj_conflicts
from enrollment.imports.plan import Entry, Kind, Plan
from enrollment.imports.writer import BulkWriter, analyze
from enrollment.models import BpjsStatus, Employer, ImportBatch, Membership, Worker
from enrollment.nik import normalize_nik
from programs.models import FundingScheme, Program
from reports.periods import month_last_day, next_month

# BPJS's own words, stored as written (not translated).
LAPSED_REASON = "Iuran tidak dibayar (rekap BPJS)"
KPJ_FILL = "kpj"  # the preview's list of KPJ numbers to fill (beside the categories)


class Scope:
    """Whose memberships a statement covers: the city's statement names the participants the city pays for."""

    CITY = "city"
    ALL = "all"


@dataclass(frozen=True)
class Choices:
    """What the administrator chose on confirming (the upload's defaults: fill KPJs, end the lapsed, register
    nobody)."""

    fill_kpj: bool = True
    end_lapsed: bool = True
    # A city statement: register those unknown here in this segment (its code); "" registers nobody.
    register_segment: str = ""

    @classmethod
    def of(cls, options: dict) -> "Choices":
        return cls(**options.get("choices", {}))


# --- reading the statement's cells --------------------------------------------------------------------------

_ACTIVE = frozenset({"aktif", "active", "a", "1", "ya"})
_INACTIVE = frozenset(
    {"nonaktif", "non aktif", "non-aktif", "tidak aktif", "inactive", "na", "0", "tidak"}
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[/.\-]?(\d{2})$")
_NAMED_MONTH = re.compile(r"^([a-z]+)[\s\-/]+(\d{4})$")


@lru_cache(maxsize=256)
def parse_status(value) -> bool:
    """``aktif``/``active`` → True; ``nonaktif``/``tidak aktif``/``inactive`` → False."""
    word = " ".join(str(value).strip().lower().split())
    if word in _ACTIVE:
        return True
    if word in _INACTIVE:
        return False
    raise cells.CellError(
        _("“%(value)s” is not a status; write aktif or nonaktif.") % {"value": value},
        code="bpjs_status",
    )


@lru_cache(maxsize=1024)
def parse_month(value) -> date:
    """The first day of a month: ``08/2025``, ``2025-08``, ``Agustus 2025``, or any date (a spreadsheet's)."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    raw = " ".join(str(value).strip().lower().split())
    month = year = None
    if match := _MONTH_YEAR.match(raw):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR_MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
    elif (match := _NAMED_MONTH.match(raw)) and match[1] in _MONTHS:
        month, year = _MONTHS[match[1]], int(match[2])
    else:
        try:
            day = cells.parse_date(raw)
        except cells.CellError:
            day = None
        if day:
            month, year = day.month, day.year
    if month is None or not 1 <= month <= 12 or not 1900 < year < 2200:
        raise cells.CellError(
            _("“%(value)s” is not a month; write it as 08/2025, 2025-08 or Agustus 2025.")
            % {"value": value},
            code="not_a_month",
        )
    return date(year, month, 1)


@lru_cache(maxsize=1024)
def parse_programs(value, known: frozenset[str]) -> frozenset[str]:
    """``JKK,JKM`` or ``JKK+JKM+JHT`` (any of , + / ; or spaces between) → the program codes."""
    codes = frozenset(code for code in re.split(r"[\s,+/;&]+", str(value).upper()) if code)
    unknown = sorted(codes - known)
    if unknown:
        raise cells.CellError(
            _("“%(codes)s” is not a program; the programs are %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(sorted(known))},
            code="unknown_program",
        )
    return codes


def month_label(month: date) -> str:
    return f"{month:%m/%Y}"


# --- our side: the participants active in the month ------------------------------------------------------


class Participant(NamedTuple):
    """A worker with memberships active here in the month (in scope), as one grouped row of ``participants``."""

    worker_id: int
    nik: str
    kpj: str
    name: str  # empty: read only for those the statement does not name (``with_names``)
    programs: int  # the programs' bits (``program_bits``), summed
    employer_low: int | None  # the lowest and highest employer's id (none: the city pays)
    employer_high: int | None
    status_low: str  # the lowest and highest bpjs_status of the memberships
    status_high: str
    # The lowest and highest last month paid, and whether every membership has one.
    paid_low: date | None
    paid_high: date | None
    all_paid: bool

    @property
    def employer_ids(self) -> tuple[int, ...]:
        if self.employer_low is None:
            return ()
        return (
            (self.employer_low,)
            if self.employer_low == self.employer_high
            else (self.employer_low, self.employer_high)
        )

    def all_in(self, status: str, paid: date | None = None) -> bool:
        """Whether every membership is in ``status`` with ``paid`` as its last month paid."""
        return (
            self.status_low == self.status_high == status
            and self.paid_low == self.paid_high == paid
            and bool(self.all_paid) == (paid is not None)
        )


def program_bits() -> dict[str, int]:
    """Each program's bit in a participant's ``programs``, by code (in code order: ids are not small)."""
    codes = sorted(Program.objects.values_list("code", flat=True))
    return {code: 1 << index for index, code in enumerate(codes)}


def city_scheme_ids() -> list[int]:
    return list(FundingScheme.objects.filter(is_city_budget=True).values_list("pk", flat=True))


def _in_month(scope: str, alias: str = "m") -> str:
    """The SQL condition of memberships in scope active in a month (``month_bounds`` its parameters): started
    by its last day, not ended before its first."""
    condition = f"{alias}.start_date <= %s AND ({alias}.end_date IS NULL OR {alias}.end_date >= %s)"
    if scope == Scope.CITY:
        schemes = city_scheme_ids()  # none in the catalogue: nobody in scope, not an SQL error
        condition += (
            f" AND {alias}.funding_scheme_id IN ({', '.join(map(str, schemes))})"
            if schemes
            else " AND 1 = 0"
        )
    return condition


def month_bounds(month: date) -> list[date]:
    """The parameters of ``_in_month``: the month's last day, then its first."""
    return [month_last_day(month), month]


def active_in_month(month: date, scope: str) -> Q:
    """``_in_month`` for the ORM."""
    last, first = month_bounds(month)
    condition = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    if scope == Scope.CITY:
        condition &= Q(funding_scheme__is_city_budget=True)
    return condition


def participants(month: date, scope: str) -> list[Participant]:
    """Every worker with a membership in scope active in ``month`` (one query, grouped by worker). A worker
    covered through more than two employers at once is seen with the lowest and highest of them."""
    postgres = connection.vendor == "postgresql"
    bits = program_bits()
    cases = [(pk, bits[code]) for pk, code in Program.objects.values_list("pk", "code")]
    bit = f"CASE m.program_id {' '.join('WHEN %s THEN %s' for _case in cases)} ELSE 0 END"
    summed = f"BIT_OR({bit})" if postgres else f"SUM(DISTINCT {bit})"
    sql = (
        f"SELECT w.id, w.nik, COALESCE(w.kpj, ''), '', {summed}, MIN(m.employer_id), MAX(m.employer_id), "
        "MIN(m.bpjs_status), MAX(m.bpjs_status), MIN(m.bpjs_paid_through), MAX(m.bpjs_paid_through), "
        "COUNT(m.bpjs_paid_through) = COUNT(*) "
        f"FROM {Membership._meta.db_table} m JOIN {Worker._meta.db_table} w ON w.id = m.worker_id "
        f"WHERE {_in_month(scope)} GROUP BY w.id, w.nik, w.kpj"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(value for case in cases for value in case), *month_bounds(month)])
        found = list(map(Participant._make, cursor.fetchall()))
    if postgres:
        return found
    # SQLite's MIN and MAX of a date column are its text
    return [
        participant._replace(
            paid_low=_sqlite_date(participant.paid_low),
            paid_high=_sqlite_date(participant.paid_high),
        )
        for participant in found
    ]


def with_names(found: list[Participant]) -> list[Participant]:
    """``found`` with their names (a query per ``chunked`` list)."""
    names = {}
    for chunk in chunked([participant.worker_id for participant in found]):
        names.update(Worker.objects.filter(among("id", chunk)).values_list("pk", "name"))
    return [participant._replace(name=names[participant.worker_id]) for participant in found]


def _sqlite_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


# --- the importer ---------------------------------------------------------------------------------------


class StatementRow(Line):
    """A statement's row: the participant (NIK, KPJ, NPP, name, programs) and BPJS's status and payment."""

    __slots__ = ("active", "paid_through")


@dataclass(slots=True)
class Finding:
    """How one participant compares: a line of the statement to store, and what applying it changes."""

    category: str
    row: StatementRow | None
    participant: Participant | None
    detail: str = ""
    kpj_fill: str = ""  # BPJS's KPJ number for a worker who has none here
    worker_id: int | None = None
    employer_id: int | None = None
    registered: bool = False  # unknown here, registered on applying (``bpjs.services.registering``)


@dataclass
class Reconciliation:
    month: date
    scope: str
    choices: Choices
    findings: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    registering: Registering | None = None


class StatementImport(Importer):
    """The engine's importer of BPJS's monthly statement (source ``BPJS_STMT``)."""

    line_class = StatementRow

    def __init__(
        self,
        plan: Plan,
        *,
        month: date,
        scope: str,
        choices: Choices,
        sha256: str = "",
        progress=None,
        acting_user=None,
    ) -> None:
        super().__init__(plan, progress, acting_user)
        self.columns = columns(FileKind.STATEMENT)
        self.month = month
        self.scope = scope
        self.choices = choices
        self.program_bits = program_bits()
        self.bits: dict[frozenset[str], int] = {}  # a statement's program sets, few and repeated
        earlier = Statement.objects.filter(
            month=month,
            import_batch__sha256=sha256,
            import_batch__status=ImportBatch.Status.IMPORTED,
        ).first()
        if sha256 and earlier:
            plan.blocked = _(
                "This statement of %(month)s was already applied (import batch #%(batch)d); applying it "
                "again would change nothing, so it is refused."
            ) % {"month": month_label(month), "batch": earlier.import_batch_id}

    @classmethod
    def for_batch(cls, batch: ImportBatch, plan: Plan, progress=None) -> "StatementImport":
        options = batch.options
        return cls(
            plan,
            month=date.fromisoformat(options["month"]),
            scope=options.get("scope", Scope.CITY),
            choices=Choices.of(options),
            sha256=batch.sha256,
            progress=progress,
            acting_user=batch.created_by,
        )

    def fields(self) -> list[Field]:
        return [
            Field("nik", "nik", partial(normalize_nik, today=self.today), required=True),
            Field("kpj", "kpj", self._kpj),
            Field("npp", "npp", partial(cells.text, max_length=20)),
            Field("name", "name", partial(cells.text, max_length=150)),
            Field(
                "programs",
                "programs",
                partial(parse_programs, known=frozenset(self.program_bits)),
            ),
            Field("active", "status", parse_status, required=True),
            Field("paid_through", "paid_through", parse_month),
        ]

    def check(self, line: Line) -> list[tuple[str, str, str]]:
        return []

    # --- reconciling ---------------------------------------------------------------------------------------

    def plan_work(self, lines: list[StatementRow]) -> Reconciliation:
        work = Reconciliation(self.month, self.scope, self.choices)
        ours = participants(self.month, self.scope)
        by_nik = {participant.nik: participant for participant in ours}
        by_kpj = {participant.kpj: participant for participant in ours if participant.kpj}
        employers = {
            npp: (pk, name) for pk, npp, name in Employer.objects.values_list("pk", "npp", "name")
        }
        self.employer_names = dict(employers.values())
        named: set[int] = set()
        unknown: list[Finding] = []
        for line in lines:
            participant = by_nik.get(line.nik) or (by_kpj.get(line.kpj) if line.kpj else None)
            employer_id = employers.get(line.npp, (None,))[0] if line.npp else None
            if participant is None or participant.worker_id in named:
                finding = Finding(Category.UNKNOWN_HERE, line, None, employer_id=employer_id)
                unknown.append(finding)
            else:
                named.add(participant.worker_id)
                finding = self._compare(line, participant, employer_id)
            work.findings.append(finding)
        self._describe_unknown(unknown)
        if self.choices.register_segment and self.scope == Scope.CITY:
            work.registering = Registering.of(self.choices.register_segment, self.month)
            work.registering.plan(unknown, self.today)
        self._check_kpj_fills(
            work.findings, work.registering.new_workers if work.registering else []
        )
        unnamed = [  # a NIK on a row with errors is named, though not compared
            participant
            for participant in ours
            if participant.worker_id not in named and participant.nik not in self.niks_in_file
        ]
        work.findings += [
            Finding(Category.UNKNOWN_AT_BPJS, None, participant, _("Not in BPJS's statement."))
            for participant in with_names(unnamed)
        ]
        for finding in work.findings:
            work.counts[finding.category] += 1
            self._note(finding)
        self.plan.facts = {
            "categories": dict(work.counts),
            "kpj_fill": self.plan.listed[KPJ_FILL],
            "registered": len(work.registering.enrolments) if work.registering else 0,
        }
        return work

    def _compare(
        self, line: StatementRow, participant: Participant, employer_id: int | None
    ) -> Finding:
        """The category of a participant active both here and in the statement."""
        finding = Finding(
            Category.CONFIRMED,
            line,
            participant,
            worker_id=participant.worker_id,
            employer_id=employer_id,
        )
        differences = []
        if line.nik != participant.nik:
            differences.append(_("matched by KPJ; NIK here %(nik)s") % {"nik": participant.nik})
        if line.kpj and participant.kpj and line.kpj != participant.kpj:
            differences.append(
                _("KPJ here %(ours)s, at BPJS %(theirs)s")
                % {"ours": participant.kpj, "theirs": line.kpj}
            )
        elif line.kpj and not participant.kpj:
            finding.kpj_fill = line.kpj
        if (
            line.npp
            and employer_id not in participant.employer_ids
            and (participant.employer_ids or employer_id)
        ):
            differences.append(self._employer_difference(line.npp, employer_id, participant))
        if line.programs and self._bits(line.programs) != participant.programs:
            here = [code for code, bit in self.program_bits.items() if participant.programs & bit]
            differences.append(
                _("programs at BPJS %(theirs)s, here %(ours)s")
                % {"theirs": ", ".join(sorted(line.programs)), "ours": ", ".join(here)}
            )
        if not line.active or (line.paid_through and line.paid_through < self.month):
            finding.category = Category.LAPSED
            if line.paid_through and line.paid_through < self.month:
                finding.detail = _("Unpaid since %(month)s.") % {
                    "month": month_label(next_month(line.paid_through))
                }
            else:
                finding.detail = _("Inactive at BPJS.")
        elif differences:
            finding.category = Category.DIFFERENT
            text = "; ".join(differences)
            finding.detail = f"{text[:1].upper()}{text[1:]}."
        return finding

    def _bits(self, codes: frozenset[str]) -> int:
        bits = self.bits.get(codes)
        if bits is None:
            bits = self.bits[codes] = sum(self.program_bits[code] for code in codes)
        return bits

    def _employer_difference(
        self, npp: str, employer_id: int | None, participant: Participant
    ) -> str:
        theirs = f"{npp} ({self.employer_names[employer_id]})" if employer_id else npp
        ours = ", ".join(sorted(self.employer_names[pk] for pk in participant.employer_ids))
        return _("employer at BPJS %(theirs)s, here %(ours)s") % {
            "theirs": theirs,
            "ours": ours or _("the city budget"),
        }

    def _describe_unknown(self, unknown: list[Finding]) -> None:
        """The worker of a NIK known here (without a membership in scope this month), and BPJS's employer."""
        known = {}
        for chunk in chunked([finding.row.nik for finding in unknown]):
            known.update(
                Worker.objects.filter(among("nik", chunk)).order_by().values_list("nik", "pk")
            )
        for finding in unknown:
            finding.worker_id = known.get(finding.row.nik)
            finding.detail = (
                _("Known here, without a membership this month.")
                if finding.worker_id
                else _("Not registered here.")
            )
            if finding.row.npp:
                name = self.employer_names.get(finding.employer_id)
                employer = f"{finding.row.npp} → {name}" if name else finding.row.npp
                finding.detail += " " + _("Employer at BPJS: %(employer)s.") % {
                    "employer": employer
                }

    def _check_kpj_fills(self, findings: list[Finding], new_workers: list[StatementRow]) -> None:
        """A KPJ number another worker holds here, or that the statement gives several workers (filled in or
        given to a worker registered from it), is never given: a difference to settle instead of a fill, a new
        worker without it."""
        fills = [finding for finding in findings if finding.kpj_fill]
        conflicts = kpj_conflicts(
            [finding.kpj_fill for finding in fills] + [row.kpj for row in new_workers if row.kpj]
        )
        for row in new_workers:
            if row.kpj in conflicts:
                row.kpj = None
        for finding in fills:
            if finding.kpj_fill in conflicts:
                holder = conflicts[finding.kpj_fill]
                text = (
                    _("KPJ %(kpj)s is another worker's here (NIK %(nik)s)")
                    % {"kpj": finding.kpj_fill, "nik": holder}
                    if holder
                    else _("KPJ %(kpj)s is given to several participants")
                    % {"kpj": finding.kpj_fill}
                )
                finding.kpj_fill = ""
                if finding.category == Category.CONFIRMED:
                    finding.category = Category.DIFFERENT
                    finding.detail = text + "."
                else:
                    finding.detail = f"{finding.detail} {text}."

    def _note(self, finding: Finding) -> None:
        """Count the row (updated when applying changes a membership or a KPJ) and list it in the preview."""
        row, participant = finding.row, finding.participant
        listed = finding.category != Category.CONFIRMED  # most rows: counted, not listed
        fill = finding.kpj_fill and self.choices.fill_kpj
        if listed or fill:
            nik = row.nik if row else participant.nik
            name = (row.name if row else "") or (participant.name if participant else "")
        if listed:
            self.plan.note(
                Entry(
                    finding.category,
                    row.row if row else None,
                    nik,
                    name,
                    text=finding.detail,
                    programs=", ".join(sorted(row.programs)) if row and row.programs else "",
                )
            )
        if fill:
            self.plan.note(Entry(KPJ_FILL, row.row, nik, name, text=finding.kpj_fill))
        if row is None:
            return
        if finding.registered:
            self.plan.count(Kind.NEW)
        elif finding.category == Category.UNKNOWN_HERE:
            self.plan.count(Kind.FLAGGED)
        elif (finding.kpj_fill and self.choices.fill_kpj) or self._changes(finding):
            self.plan.count(Kind.UPDATED)
        else:
            self.plan.count(Kind.UNCHANGED)

    def _changes(self, finding: Finding) -> bool:
        """Whether applying moves a membership's BPJS state (``_TARGET``)."""
        target = _TARGET.get(finding.category)
        if target is None:
            return False
        participant = finding.participant
        if finding.category == Category.UNKNOWN_AT_BPJS:
            return not participant.status_low == participant.status_high == target
        return not participant.all_in(target, finding.row.paid_through) or (
            finding.category == Category.LAPSED and self.choices.end_lapsed
        )

    # --- applying --------------------------------------------------------------------------------------------

    def write(self, work: Reconciliation, writer: BulkWriter) -> None:
        statement = Statement.objects.create(
            import_batch_id=writer.batch_id,
            month=work.month,
            counts={**work.counts, "scope": work.scope},
        )
        lapsed_ended = self.choices.end_lapsed
        if work.registering:  # first: the lines name the workers it creates
            work.registering.write(writer)
        writer.append(StatementLine, LINE_COLUMNS, (_line_values(statement.pk, finding, lapsed_ended) for finding in work.findings))  # fmt: skip
        # The updates below join the new lines: a planner that believed them few would loop over them.
        analyze(StatementLine)
        changed = _set_state(statement.pk, work, Category.CONFIRMED, BpjsStatus.ACTIVE, writer)
        changed += _set_state(
            statement.pk, work, Category.UNKNOWN_AT_BPJS, BpjsStatus.MISSING, writer
        )
        changed += _lapse(work, writer)
        writer.history(Membership, "~", changed)
        transaction.on_commit(partial(advance_paid_through_later.enqueue, statement.pk))
        if self.choices.fill_kpj:
            fills = [
                (finding.worker_id, finding.kpj_fill)
                for finding in work.findings
                if finding.kpj_fill
            ]
            writer.update(Worker, ["kpj"], fills)
            writer.history(Worker, "~", [worker_id for worker_id, _kpj in fills])


LINE_COLUMNS = (
    "statement_id", "row", "category", "nik", "kpj", "npp", "name", "programs", "active_at_bpjs", "paid_through",
    "worker_id", "employer_id", "detail", "status", "owner_id", "note", "settled_by_id", "settled_at",
)  # fmt: skip


# The BPJS state applying gives the memberships of a participant in a category.
_TARGET = {
    Category.CONFIRMED: BpjsStatus.ACTIVE,
    Category.LAPSED: BpjsStatus.LAPSED,
    Category.UNKNOWN_AT_BPJS: BpjsStatus.MISSING,
}


def _line_values(statement_id: int, finding: Finding, lapsed_ended: bool) -> tuple:
    """A ``StatementLine`` row: applied when applying settles it (a confirmation; a lapse ended; a participant
    registered), else open."""
    row, participant = finding.row, finding.participant
    applied = (
        finding.category == Category.CONFIRMED
        or (finding.category == Category.LAPSED and lapsed_ended)
        or finding.registered
    )
    return (
        statement_id,
        row.row if row else None,
        finding.category,
        row.nik if row else participant.nik,
        (row.kpj if row else participant.kpj) or "",
        (row.npp or "") if row else "",
        ((row.name or "") if row else participant.name)[:150],
        ",".join(sorted(row.programs)) if row and row.programs else "",
        row.active if row else None,
        row.paid_through if row else None,
        finding.worker_id or (participant.worker_id if participant else None),
        finding.employer_id,
        finding.detail[:255],
        DiscrepancyStatus.APPLIED if applied else DiscrepancyStatus.OPEN,
        None,
        "",
        None,
        None,
    )


def _set_state(
    statement_id: int, work: Reconciliation, category: str, status: str, writer: BulkWriter
) -> list[int]:
    """Give the memberships (in scope, active in the month) of the statement's lines of ``category`` that are in
    another state BPJS's state and last month paid (kept when the line has none): one ``UPDATE … FROM`` the
    stored lines. Returns the ids it changed (they get a history row)."""
    returning = f"RETURNING {'m.id' if connection.vendor == 'postgresql' else 'id'}"
    condition, extra = f"m.bpjs_status <> %s {returning}", ()
    if category == Category.UNKNOWN_AT_BPJS:
        # Missing only what BPJS had confirmed: one never handed over, or rejected, is not BPJS's to name.
        condition, extra = (
            f"m.bpjs_status <> %s AND m.bpjs_status = %s {returning}",
            (BpjsStatus.ACTIVE,),
        )
    with connection.cursor() as cursor:
        cursor.execute(
            *_update_from_lines(
                statement_id, work.month, work.scope, category, status, writer.now, condition, extra
            )
        )
        return [row[0] for row in cursor.fetchall()]


def _update_from_lines(
    statement_id: int,
    month: date,
    scope: str,
    category: str,
    status: str,
    now,
    condition: str,
    extra=(),
) -> tuple[str, list]:
    """``UPDATE … FROM`` the statement's lines of ``category``: their workers' memberships in scope active in the
    month get ``status`` and the line's last month paid, where ``condition`` (its first parameter: ``status``)."""
    membership, line = Membership._meta.db_table, StatementLine._meta.db_table
    sql = (
        f"UPDATE {membership} AS m SET bpjs_status = %s, "
        "bpjs_paid_through = COALESCE(l.paid_through, m.bpjs_paid_through), updated_at = %s, "
        f"version = m.version + 1 FROM {line} AS l WHERE l.statement_id = %s AND l.category = %s "
        f"AND m.worker_id = l.worker_id AND {_in_month(scope)} AND {condition}"
    )
    return sql, [status, now, statement_id, category, *month_bounds(month), status, *extra]


ADVANCE_CHUNK = 20_000  # workers per transaction


def advance_paid_through(statement_id: int) -> int:
    """After a statement is applied: the memberships of its confirmed participants that stay ``ACTIVE`` take
    BPJS's last month paid, ``ADVANCE_CHUNK`` workers per transaction. Every confirmed membership moves on every
    month (a million rows at full scale): in one transaction it would hold their row locks for a minute and
    outlast the apply's budget; in chunks after the commit each is short, and running it again changes nothing.
    Their record is the statement's line: no history row (decision 64). Returns how many it moved on."""
    statement = Statement.objects.get(pk=statement_id)
    scope = statement.counts.get("scope", Scope.CITY)
    workers = list(
        statement.lines.filter(category=Category.CONFIRMED, worker__isnull=False)
        .order_by("worker_id")
        .values_list("worker_id", flat=True)
    )
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    moved = 0
    for start in range(0, len(workers), ADVANCE_CHUNK):
        chunk = workers[start : start + ADVANCE_CHUNK]
        condition = f"m.bpjs_status = %s AND m.bpjs_paid_through {differs} l.paid_through AND l.worker_id BETWEEN %s AND %s"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                *_update_from_lines(
                    statement_id,
                    statement.month,
                    scope,
                    Category.CONFIRMED,
                    BpjsStatus.ACTIVE,
                    timezone.now(),
                    condition,
                    (chunk[0], chunk[-1]),
                )
            )
            moved += cursor.rowcount
    return moved


@task()
def advance_paid_through_later(statement_id: int) -> None:
    """``advance_paid_through`` as a background job, queued when the statement's transaction commits."""
    advance_paid_through(statement_id)


def _lapse(work: Reconciliation, writer: BulkWriter) -> list[int]:
    """Lapsed participants' memberships: LAPSED with BPJS's last month paid and the reason; ended, when chosen,
    on the last day of that month (or of the month before the statement's, without one), not before their
    start."""
    lapsed = {f.worker_id: f.row for f in work.findings if f.category == Category.LAPSED}
    memberships = Membership.objects.filter(
        among("worker__id", list(lapsed)), active_in_month(work.month, work.scope)
    )
    rows = []
    for pk, worker_id, start, end in memberships.values_list(
        "pk", "worker_id", "start_date", "end_date"
    ):
        row = lapsed[worker_id]
        if work.choices.end_lapsed:
            last_paid = row.paid_through or work.month - timedelta(days=1)
            last_day = month_last_day(last_paid)
            end = max(start, last_day if end is None else min(end, last_day))
        rows.append((pk, BpjsStatus.LAPSED, row.paid_through, LAPSED_REASON, end))
    writer.update(Membership, ["bpjs_status", "bpjs_paid_through", "bpjs_reason", "end_date"], rows)
    return [row[0] for row in rows]


# --- the discrepancy list ---------------------------------------------------------------------------------


def _log(lines: list[StatementLine], *, acting_user, message: str) -> None:
    content_type = ContentType.objects.get_for_model(StatementLine)
    LogEntry.objects.bulk_create(
        LogEntry(
            user=acting_user,
            content_type=content_type,
            object_id=str(line.pk),
            object_repr=str(line)[:200],
            action_flag=CHANGE,
            change_message=message,
        )
        for line in lines
    )


def _open_lines_locked(lines: QuerySet[StatementLine]) -> list[StatementLine]:
    """The open ones of ``lines``, locked until the transaction ends (a second submit waits, then finds them
    settled). Read again by id: the admin's queryset joins the nullable owner, which PostgreSQL cannot lock."""
    return list(
        StatementLine.objects.select_for_update()
        .filter(pk__in=lines.values("pk"), status=DiscrepancyStatus.OPEN)
        .order_by("pk")
    )


@transaction.atomic
def assign_lines(lines: QuerySet[StatementLine], owner, *, acting_user) -> int:
    """Give the open lines an owner (who settles them); each change in the admin log. Returns how many."""
    chosen = _open_lines_locked(lines)
    StatementLine.objects.filter(pk__in=[line.pk for line in chosen]).update(owner=owner)
    _log(
        chosen,
        acting_user=acting_user,
        message=_("Assigned to %(user)s.") % {"user": owner.get_username()},
    )
    return len(chosen)


@transaction.atomic
def settle_lines(lines: QuerySet[StatementLine], status: str, note: str, *, acting_user) -> int:
    """Mark the open lines resolved or dismissed with a note (required), by whom and when. Returns how many;
    lines already settled are left as they are (a second submit changes nothing)."""
    note = note.strip()
    if status not in (DiscrepancyStatus.RESOLVED, DiscrepancyStatus.DISMISSED):
        raise ValueError(status)
    if not note:
        raise ValueError("a note is required")
    chosen = _open_lines_locked(lines)
    StatementLine.objects.filter(pk__in=[line.pk for line in chosen]).update(
        status=status, note=note, settled_by=acting_user, settled_at=timezone.now()
    )
    _log(
        chosen,
        acting_user=acting_user,
        message=_("%(status)s: %(note)s")
        % {"status": DiscrepancyStatus(status).label, "note": note},
    )
    return len(chosen)
