"""What the roster and the DTSEN import share: reading every row into a ``Line``, the person's columns, the
whole-file rules (one NIK once), and the set-based lookups that replace one query per row.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, IntegerField, Lookup, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enrollment.imports import cells
from enrollment.imports.plan import Entry, Kind, Plan
from enrollment.imports.reader import Column, Table
from enrollment.imports.writer import BulkWriter
from enrollment.models import PERSONAL_FIELDS, Channel, Membership, Worker
from enrollment.nik import (
    NIK_MISMATCH,
    NikContradicts,
    judge_nik_facts,
    normalize_nik,
    without_text_mark,
)
from enrollment.phones import normalize_phone
from programs.models import Kelurahan

# Rows looked up together: one query per table per chunk, few enough values that PostgreSQL uses the index.
LOOKUP_CHUNK = 2_000

# Lengths of the worker's text fields (the model's max_length).
_LENGTHS = {field: Worker._meta.get_field(field).max_length for field in ("name", "address", "occupation", "kpj")}  # fmt: skip

# The worker's attributes a file may set (``kelurahan_id``, not ``kelurahan``: also the columns' names), in the
# order the writer uses.
PERSON_FIELDS = tuple(Worker._meta.get_field(name).attname for name in PERSONAL_FIELDS)
WORKER_LOOKUP = ("id", "nik", "keeper_id", "confirmed_warnings", *PERSON_FIELDS)
PERSON_AT = 4  # where PERSON_FIELDS start in a WORKER_LOOKUP tuple
# The columns of a bulk insert of new workers (imports and the demo data), in this order.
WORKER_COLUMNS = ("nik", *PERSON_FIELDS, "dtsen_decile", "keeper_id")
NEW_WORKER_COLUMNS = (*WORKER_COLUMNS, "confirmed_warnings")  # an import's new workers
MEMBERSHIP_COLUMNS = (
    "worker_id",
    "program_id",
    "segment_id",
    "funding_scheme_id",
    "employer_id",
    "start_date",
    "end_date",
    # programs.rates.Contribution.stored(), then the wage or declared income it was computed from
    "monthly_contribution",
    "employer_share",
    "worker_share",
    "government_share",
    "wage",
)


class Line:
    """One valid row of a file: the person, and what the file says besides (job or DTSEN desil)."""

    __slots__ = (
        "row",
        "nik",
        *PERSON_FIELDS,
        "start_date",
        "monthly_wage",
        "programs",
        "decile",
        "npp",
        "confirmed_warnings",  # of the NIK's warnings (``nik_facts_accepted``)
    )


@dataclass(frozen=True)
class Field:
    """How a ``Line`` attribute is read from the column ``key``; a blank optional cell gives None."""

    attr: str
    key: str
    parse: Callable
    required: bool = False


class Importer:
    """Base of the importers: ``read_lines`` checks every row, ``plan_work`` decides, ``write`` applies."""

    columns: Sequence[Column]
    line_class: type[Line] = Line  # a subclass with more slots, for an importer's own attributes

    def __init__(
        self, plan: Plan, progress: Callable[[int], None] | None = None, acting_user=None
    ) -> None:
        self.plan = plan
        self.acting_user = acting_user  # who uploaded the file; None for the commands
        self.progress = progress or (lambda rows: None)
        self.today = timezone.localdate()
        self.kelurahan_codes = dict(Kelurahan.objects.values_list("pk", "code"))
        # Kemendagri codes without their dots to ids (a cell is looked up without its dots too).
        self.kelurahan_ids = {
            code.replace(".", ""): pk for pk, code in self.kelurahan_codes.items()
        }
        self.new_worker_text = _("New worker.")  # said of most rows: translated once

    def fields(self) -> list[Field]:
        """The person's columns; importers add their own."""
        return [
            Field("nik", "nik", partial(normalize_nik, today=self.today), required=True),
            Field("name", "name", partial(cells.text, max_length=_LENGTHS["name"]), required=True),
            Field(
                "birth_date", "birth_date", self.date_reader(cells.DateKind.BIRTH), required=True
            ),
            Field("sex", "sex", cells.parse_sex, required=True),
            Field("kpj", "kpj", self._kpj),
            Field("phone", "phone", normalize_phone),
            Field("address", "address", partial(cells.text, max_length=_LENGTHS["address"])),
            Field("kelurahan_id", "kelurahan", self._kelurahan),
            Field(
                "occupation", "occupation", partial(cells.text, max_length=_LENGTHS["occupation"])
            ),
            Field("has_disability", "has_disability", cells.parse_yes_no),
        ]

    def date_reader(self, kind: cells.DateKind) -> Callable:
        """``cells.parse_date`` for dates of ``kind`` (the century of a two-digit year depends on it)."""
        return partial(cells.parse_date, kind=kind, today=self.today)

    def check(self, line: Line) -> list[tuple[str, str, str]]:
        """Rules across a row's cells, once each has been read: (column key, code, message) of each broken."""
        if line.birth_date and line.birth_date > self.today:
            return [
                ("birth_date", "future_birth_date", _("The birth date cannot be in the future."))
            ]
        return []

    # --- reading -------------------------------------------------------------------------------------------

    def read_lines(self, table: Table) -> list[Line]:
        """Every row checked on its own; the valid ones as ``Line``.

        A row's errors are all reported at once (every cell is read), and so are every row's: a NIK on several
        rows is an error of each of them (naming the others), not a refusal of the file, so the clerk corrects
        the whole file after one check.
        """
        headers = {key: table.header[index] for key, index in table.positions.items()}
        spec = [
            (field.attr, table.positions.get(field.key), field.parse, field.required, headers.get(field.key, field.key),
             getattr(field.parse, "func", None) is cells.parse_date)  # a date column (``date_reader``)
            for field in self.fields()
        ]  # fmt: skip
        self.headers = headers
        self.unidentified_rows = 0  # rows with errors whose NIK cannot be read
        lines: list[Line] = []
        first_line_of: dict[str, Line] = {}
        repeated: dict[str, list[Line]] = {}  # NIK → its lines after the first
        empty = _("This cell is empty.")
        dates = DateOrders()
        for count, (number, row) in enumerate(table.rows, start=1):
            line = self.line_class()
            line.row = number
            errors: list[tuple[str, str, str]] = []  # column, message, code
            width = len(row)
            for attr, index, parse, required, header, is_date in spec:
                value = row[index] if index is not None and index < width else None
                if value is None or value == "":
                    if required:
                        errors.append((header, empty, "required"))
                    value = None
                else:
                    if is_date:
                        dates.note(header, number, value)
                    try:
                        value = parse(value)
                    except cells.CellError as error:
                        errors.append((header, error.message, error.code))
                        value = None
                    except ValidationError as error:
                        errors.append((header, " ".join(error.messages), error.error_list[0].code))
                        value = None
                setattr(line, attr, value)
            errors.extend(
                (headers.get(key, key), message, code) for key, code, message in self.check(line)
            )
            nik = line.nik
            if nik:
                if nik in first_line_of:
                    repeated.setdefault(nik, []).append(line)
                else:
                    first_line_of[nik] = line
            if errors:
                self.unidentified_rows += not nik
                for column, message, code in errors:
                    self.error(line, column, message, code)
            else:
                lines.append(line)
            if count % LOOKUP_CHUNK == 0:
                self.progress(count)
        self.niks_in_file = first_line_of.keys()  # every readable NIK, also of rows with errors
        if repeated:
            lines = self._without_repeated_niks(lines, first_line_of, repeated)
        return self._without_month_first_dates(lines, dates)

    def _without_repeated_niks(
        self, lines: list[Line], first_line_of: dict[str, Line], repeated: dict[str, list[Line]]
    ) -> list[Line]:
        """Each row of a NIK that is on several rows is an error naming the other rows: which one is the
        worker is for the clerk to say."""
        header = self.headers.get("nik", "nik")
        refused = set()
        for nik, later in repeated.items():
            same = [first_line_of[nik], *later]
            for line in same:
                others = [str(other.row) for other in same if other is not line]
                message = ngettext(
                    "The NIK %(nik)s is also on row %(rows)s. Keep one row per worker.",
                    "The NIK %(nik)s is also on rows %(rows)s. Keep one row per worker.",
                    len(others),
                ) % {"nik": nik, "rows": ", ".join(others)}
                self.error(line, header, message, "duplicate_nik")
                refused.add(line.row)
        return [line for line in lines if line.row not in refused]

    def _without_month_first_dates(self, lines: list[Line], dates: "DateOrders") -> list[Line]:
        """A date column that holds a date only month first can read (``03/27/20``: saved with US regional
        settings) is month first throughout: its dates that read either way (``01/05/01``) are errors, never
        read day first (a silent swap of day and month)."""
        refused = dates.refused()
        if not refused:
            return lines
        kept = []
        for line in lines:
            found = refused.get(line.row)
            if found is None:
                kept.append(line)
                continue
            for header, value, example_row, example in found:
                message = _(
                    "“%(value)s” could be day/month or month/day, and this column is written month first "
                    "(row %(row)d: “%(example)s”), as a spreadsheet with US regional settings saves dates. "
                    "Save the file with Indonesian regional settings (day/month/year) or write the dates as "
                    "2025-08-31."
                ) % {"value": value, "row": example_row, "example": example}
                self.error(line, header, message, "month_first_column")
        return kept

    def _kpj(self, value) -> str:
        kpj = without_text_mark(cells.text(value, _LENGTHS["kpj"])).replace(" ", "")
        if not kpj.isdigit():
            raise cells.CellError(_("The KPJ number may contain digits only."), code="kpj_digits")
        return kpj

    def _kelurahan(self, value) -> int:
        code = str(value).strip()
        found = self.kelurahan_ids.get(code.replace(".", ""))
        if found is None:
            raise cells.CellError(
                _(
                    "“%(code)s” is not the code of a kelurahan in Makassar, such as 73.71.01.1001 (the XLSX "
                    "template lists them all)."
                )
                % {"code": code},
                code="unknown_kelurahan",
            )
        return found

    # --- notes ---------------------------------------------------------------------------------------------

    def error(self, line: Line, column: str, message: str, code: str) -> None:
        """Note an error of the row; its first error also counts the row as an error row."""
        if line.row not in self.plan.errors:
            self.plan.rows[Kind.ERROR] += 1
        self.plan.note(
            Entry(
                Kind.ERROR,
                line.row,
                getattr(line, "nik", None) or "",
                getattr(line, "name", None) or "",
                column=column,
                text=message,
                code=code,
            )
        )

    def warn(self, line: Line, message: str, code: str) -> None:
        self.plan.note(Entry(Kind.WARNING, line.row, line.nik, line.name, text=message, code=code))

    def nik_facts_accepted(self, line: Line) -> bool:
        """A row that writes a birth date or sex, judged by the one NIK rule (``judge_nik_facts``): a warning
        in the preview when the uploader may confirm (staff, the commands: importing confirms it, and the
        worker keeps the confirmation), else the row's error (an employer's file)."""
        try:
            line.confirmed_warnings = judge_nik_facts(
                line.nik,
                line.birth_date,
                line.sex,
                acting_user=self.acting_user,
                channel=Channel.IMPORT,
                confirm=True,
                today=self.today,
            )
        except NikContradicts as refusal:
            self.error(
                line, self.headers.get("nik", "nik"), " ".join(refusal.messages), NIK_MISMATCH
            )
            return False
        for confirmation in line.confirmed_warnings or ():
            self.warn(line, confirmation["warning"], NIK_MISMATCH)
        return True

    # --- looking up ------------------------------------------------------------------------------------------

    def chunks(self, lines: list[Line]) -> Iterator[list[Line]]:
        """``chunked`` lines, the progress noted after each chunk."""
        for chunk in chunked(lines):
            yield chunk
            self.progress(chunk[-1].row)


def chunked(values: Sequence) -> Iterator[list]:
    """``values`` in lists of ``LOOKUP_CHUNK``: one lookup query each."""
    iterator = iter(values)
    while chunk := list(islice(iterator, LOOKUP_CHUNK)):
        yield chunk


class DateOrders:
    """What the text dates of each date column say of their order (``cells.day_month_order``), noted while the
    rows are read: the first cell only month first can read, and the rows whose dates read either way."""

    def __init__(self) -> None:
        self.month_first: dict[str, tuple[int, str]] = {}  # column → (row, value)
        self.either: dict[str, list[tuple[int, str]]] = {}  # column → [(row, value)]

    def note(self, column: str, row: int, value) -> None:
        order = cells.day_month_order(value)
        if order == cells.MONTH_FIRST:
            self.month_first.setdefault(column, (row, value))
        elif order == cells.EITHER:
            self.either.setdefault(column, []).append((row, value))

    def refused(self) -> dict[int, list[tuple[str, str, int, str]]]:
        """Row → (column, value, example row, example value) of each either-way date in a month-first column."""
        found: dict[int, list[tuple[str, str, int, str]]] = {}
        for column, (example_row, example) in self.month_first.items():
            for row, value in self.either.get(column, ()):
                found.setdefault(row, []).append((column, value, example_row, example))
        return found


@CharField.register_lookup
@IntegerField.register_lookup
class AnyOf(Lookup):
    """``field = ANY(array)``: a list of values as one parameter (PostgreSQL), quick to send and to plan."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def among(field: str, values: list) -> Q:
    """``field`` holds one of ``values``: one array parameter on PostgreSQL, ``IN`` on SQLite."""
    lookup = "any" if connection.vendor == "postgresql" else "in"
    return Q(**{f"{field}__{lookup}": values})


def known_workers(niks: list[str]) -> dict[str, tuple]:
    """The workers holding these NIKs, as ``WORKER_LOOKUP`` tuples by NIK (one query)."""
    workers = Worker.objects.filter(among("nik", niks)).order_by().values_list(*WORKER_LOOKUP)
    return {worker[1]: worker for worker in workers}


def kpj_holders(kpjs: list[str]) -> dict[str, str]:
    """KPJ number → the NIK of the worker who holds it (one query)."""
    return dict(Worker.objects.filter(among("kpj", kpjs)).order_by().values_list("kpj", "nik"))


def kpj_conflicts(kpjs: list[str]) -> dict[str, str]:
    """Of the KPJ numbers a file would give workers who have none, those it may not give: KPJ → the NIK of the
    worker who holds it here, or "" when the file gives it to several workers (a query per ``chunked`` list)."""
    given = Counter(kpjs)
    held = {}
    for chunk in chunked(list(given)):
        held.update(kpj_holders(chunk))
    return {kpj: held.get(kpj, "") for kpj, times in given.items() if kpj in held or times > 1}


def current_memberships(worker_ids: list[int], on: date) -> dict[int, list[tuple]]:
    """Memberships of these workers that are open or end on or after ``on``: (program_id, employer_id, end_date).

    These are the ones a new membership from ``on`` would overlap.
    """
    found: dict[int, list[tuple]] = {}
    rows = (
        Membership.objects.filter(among("worker__id", worker_ids))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("worker_id", "program_id", "employer_id", "end_date")
    )
    for worker_id, *rest in rows:
        found.setdefault(worker_id, []).append(tuple(rest))
    return found


def insert_workers(
    writer: BulkWriter, lines: list[Line], *, with_decile: bool, keeper_id: int | None = None
) -> dict[str, int]:
    """Create a worker for each line (blank optional cells take the model's defaults); return NIK → id.

    ``keeper_id``: the employer whose file entered them (their record keeper); None for Disnaker's lists."""
    writer.insert(
        Worker,
        NEW_WORKER_COLUMNS,
        (
            (
                line.nik,
                line.kpj,
                line.name,
                line.birth_date,
                line.sex,
                line.phone or "",
                line.address or "",
                line.kelurahan_id,
                line.occupation or "",
                bool(line.has_disability),
                line.decile if with_decile else None,
                keeper_id,
                line.confirmed_warnings,
            )
            for line in lines
        ),
    )
    return dict(Worker.objects.filter(import_batch_id=writer.batch_id).values_list("nik", "pk"))
