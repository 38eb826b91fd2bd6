"""The DTSEN batch: the city registers vulnerable workers from the DTSEN list, and pays their JKK + JKM (APBD).

For each row, by NIK, from the chosen start date:
- desil above the cut-off (``settings.DTSEN_MAX_DECILE``): skipped;
- a NIK unknown to the city: a new worker and city-funded JKK + JKM memberships (segment: informal/vulnerable);
- a known worker already holding JKK and JKM: skipped (already covered), nothing written;
- a known worker enrolled through an employer: flagged, nothing written (the employer pays; a worker holds one
  membership per program);
- a known worker without one or both: the missing memberships are opened. The worker's record is not changed.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from enrollment.imports import cells
from enrollment.imports.engine import (
    MEMBERSHIP_COLUMNS,
    Field,
    Importer,
    Line,
    current_memberships,
    insert_workers,
    known_workers,
)
from enrollment.imports.plan import Entry, Kind, Plan
from enrollment.imports.reader import Column
from enrollment.imports.writer import BulkWriter
from enrollment.models import PERSONAL_FIELDS, Membership, Worker
from enrollment.roster_file import ROSTER_COLUMNS
from programs.models import FundingScheme, Program, Segment, SegmentGroup, SegmentKind
from programs.rates import Payment, RateTable, Refused

DTSEN_PROGRAMS = ("JKK", "JKM")
# The person's columns are the roster's (``tanggal_lahir`` matches ``Tanggal Lahir``), plus the desil.
DTSEN_COLUMNS = (
    *(column for column in ROSTER_COLUMNS if column.key in {"nik", *PERSONAL_FIELDS}),
    Column("decile", "Desil", required=True, aliases=("decile", "desil dtsen")),
)


def city_funding() -> FundingScheme:
    """The funding scheme of the city budget (APBD)."""
    return FundingScheme.objects.filter(is_city_budget=True).order_by("sort_order").first()


def city_funded_programs(
    segment: Segment, funding: FundingScheme, start_date: date
) -> list[tuple[int, tuple]]:
    """The JKK and JKM memberships the city opens for a non-wage earner of ``segment`` from ``start_date``:
    (program id, the membership's monthly_contribution, shares and declared income), at the declared income of
    ``settings.DTSEN_DECLARED_INCOME``. ``Refused`` when no rate applies that day."""
    rates = RateTable.load()
    payment = Payment.of(segment, funding)
    income = settings.DTSEN_DECLARED_INCOME
    codes = Program.objects.filter(code__in=DTSEN_PROGRAMS).values_list("pk", "code")
    return [
        (program_id, (*rates.contribution(code, payment, income, start_date).stored(), income))
        for program_id, code in codes
    ]


@dataclass
class DtsenWork:
    new_workers: list[Line] = field(default_factory=list)
    enrolments: list[tuple[Line, int | None, list[tuple[int, tuple]]]] = field(default_factory=list)


class DtsenImport(Importer):
    columns = DTSEN_COLUMNS

    def __init__(self, plan: Plan, start_date: date, progress=None, acting_user=None) -> None:
        super().__init__(plan, progress, acting_user)
        self.start_date = start_date
        self.max_decile = settings.DTSEN_MAX_DECILE
        self.segment = (
            Segment.objects.filter(group=SegmentGroup.INFORMAL, kind=SegmentKind.NON_WAGE_EARNER)
            .order_by("-is_active", "sort_order")
            .first()
        )
        funding = city_funding()
        self.funding_id = funding.pk
        self.codes = dict(Program.objects.filter(code__in=DTSEN_PROGRAMS).values_list("pk", "code"))
        try:
            self.programs = city_funded_programs(self.segment, funding, start_date)
        except Refused as refusal:
            self.plan.blocked = str(refusal)
            self.programs = []
        self.new_worker_programs = self._codes(self.programs)

    def fields(self) -> list[Field]:
        return [*super().fields(), Field("decile", "decile", cells.parse_decile, required=True)]

    def plan_work(self, lines: list[Line]) -> DtsenWork:
        work = DtsenWork()
        for chunk in self.chunks(lines):
            known = known_workers([line.nik for line in chunk if line.decile <= self.max_decile])
            memberships = current_memberships(
                [worker[0] for worker in known.values()], self.start_date
            )
            for line in chunk:
                if line.decile > self.max_decile:
                    self._skip(
                        line,
                        "above_cutoff",
                        _("Desil %(decile)d is above the cut-off (%(max)d).")
                        % {"decile": line.decile, "max": self.max_decile},
                    )
                    continue
                worker = known.get(line.nik)
                if worker is None:
                    if not self.nik_facts_accepted(line):
                        continue
                    work.new_workers.append(line)
                    work.enrolments.append((line, None, self.programs))
                    self.plan.count(
                        Kind.NEW,
                        Entry(
                            Kind.NEW,
                            line.row,
                            line.nik,
                            line.name,
                            text=self.new_worker_text,
                            programs=self.new_worker_programs,
                        ),
                    )
                    continue
                current = memberships.get(worker[0], ())
                if any(employer_id for _program, employer_id, _end in current):
                    self.plan.count(
                        Kind.FLAGGED,
                        Entry(
                            Kind.FLAGGED,
                            line.row,
                            line.nik,
                            line.name,
                            text=_("Already enrolled through an employer: not registered."),
                            code="employer",
                        ),
                    )
                    continue
                held = {program for program, _employer, _end in current}
                missing = [(pk, amount) for pk, amount in self.programs if pk not in held]
                if not missing:
                    self._skip(line, "covered", _("Already covered: nothing to do."))
                    continue
                work.enrolments.append((line, worker[0], missing))
                self.plan.count(
                    Kind.UPDATED,
                    Entry(
                        Kind.UPDATED,
                        line.row,
                        line.nik,
                        line.name,
                        text=_("Already registered in Makassar: memberships opened."),
                        programs=self._codes(missing),
                    ),
                )
        return work

    def _codes(self, programs: list[tuple[int, tuple]]) -> str:
        """The program codes of the memberships to open, as the preview shows them."""
        return ", ".join(self.codes[program_id] for program_id, _values in programs)

    def _skip(self, line: Line, reason: str, text: str) -> None:
        self.plan.skipped_reasons[reason] += 1
        self.plan.count(
            Kind.SKIPPED, Entry(Kind.SKIPPED, line.row, line.nik, line.name, text=text, code=reason)
        )

    def write(self, work: DtsenWork, writer: BulkWriter) -> None:
        new_ids = insert_workers(writer, work.new_workers, with_decile=True)
        writer.insert(
            Membership,
            MEMBERSHIP_COLUMNS,
            (
                (worker_id or new_ids[line.nik], program_id, self.segment.pk, self.funding_id, None, self.start_date, None, *values)
                for line, worker_id, programs in work.enrolments
                for program_id, values in programs
            ),
        )  # fmt: skip
        for model in (Worker, Membership):
            writer.history_of_new_rows(model)
