"""The roster import: an employer's file of workers becomes its roster.

For each row, by NIK:
- a NIK unknown to the city: a new worker, a job with this employer and employer-funded memberships of the
  programs in the row's Program cell, else the employer's programs for new workers
  (``Employer.programs_of_new_workers``: chosen in the admin, else what the law requires of its size);
- a known worker not on this roster: linked (never duplicated), with a job and memberships of those programs;
- a worker on this roster: the job's start date and wage, and the personal data, updated where the file differs;
  a new wage gives the worker's open memberships with this employer its contribution from the day of the import
  (the rule of ``enrollment.services.update_employment``);
  nothing is written when nothing differs, so importing the same file twice changes nothing the second time.

Personal data of a worker shared with others (on another employer's roster, or covered through another employer
or the city) is not overwritten: the file's differences become a change request (``PersonalDataChangeRequest``,
written in the import's transaction, listed and counted in the preview) that Disnaker or another employer of the
person confirms. A blank optional cell never erases a recorded value. Recorded contact data the employer does not
keep (``Worker.keeper``) is never shown in the preview: only the file's new value.

Memberships start on the later of the first day of the job and the day of the import (coverage is not
back-dated), after any membership of the same program that is still running; a program the worker already holds
is not opened twice (the row says so).

With a full-roster sync, the open jobs of workers absent from the file end on the chosen date for the chosen
reason, and the memberships through this employer end the same day (one starting later is removed): the rule of
``enrollment.services.terminate_employment``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from berjasa.formatting import short_date
from enrollment import date_rules
from enrollment.identity import normalise_kpj
from enrollment.imports import cells
from enrollment.imports.engine import (
    MEMBERSHIP_COLUMNS,
    PERSON_AT,
    PERSON_FIELDS,
    WORKER_LOOKUP,
    Field,
    Importer,
    Line,
    among,
    chunked,
    current_memberships,
    insert_workers,
    known_workers,
    kpj_holders,
)
from enrollment.imports.plan import Entry, Kind, Plan
from enrollment.imports.proof import ProofGate
from enrollment.imports.writer import BulkWriter
from enrollment.models import (
    CONTACT_FIELDS,
    Employer,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
    jkp_refusal,
)
from enrollment.roster_file import EXAMPLE_NIK, ROSTER_COLUMNS
from enrollment.services.contributions import SHARE_FIELDS, contribution_from
from enrollment.services.personal import request_change, stored
from enrollment.visibility import NOT_SHOWN
from programs.models import FundingScheme, Program, Segment, SegmentGroup, SegmentKind
from programs.rates import NoRateError, Payment, RateTable, Refused

# What separates the codes of a Program cell ("JKK, JKM; JHT/JP").
PROGRAM_SEPARATORS = re.compile(r"[,;/\s]+")
HEADERS = {column.key: column.header for column in ROSTER_COLUMNS}
HEADERS["kelurahan_id"] = HEADERS["kelurahan"]
# The model's field of each attribute of a line (``kelurahan_id`` is the field ``kelurahan``).
FIELD_OF = {attr: attr.removesuffix("_id") for attr in PERSON_FIELDS}
CONTACT_ATTRS = {attr for attr in PERSON_FIELDS if FIELD_OF[attr] in CONTACT_FIELDS}
EMPTY = (None, "")
KEEPER_AT = WORKER_LOOKUP.index("keeper_id")
CONFIRMED_AT = WORKER_LOOKUP.index("confirmed_warnings")


@dataclass(frozen=True)
class SyncOptions:
    """A full-roster sync: open jobs absent from the file end on ``end_date`` for ``reason``."""

    end_date: date
    reason: str = Employment.TerminationReason.CONTRACT_ENDED


@dataclass
class RosterWork:
    """What the import will write."""

    new_workers: list[Line] = field(default_factory=list)
    hires: list[tuple[Line, int | None, list[tuple[int, date, int]]]] = field(default_factory=list)
    worker_updates: list[tuple] = field(
        default_factory=list
    )  # (id, *PERSON_FIELDS, keeper, confirmed)
    job_updates: list[tuple[int, date, int]] = field(default_factory=list)
    new_wages: dict[int, int] = field(default_factory=dict)  # worker id → the file's new wage
    terminations: list[tuple[int, date, str]] = field(
        default_factory=list
    )  # employment id, end, reason
    ended_memberships: list[tuple[int, date]] = field(default_factory=list)
    removed_memberships: list[int] = field(default_factory=list)
    change_requests: list[tuple[int, dict]] = field(
        default_factory=list
    )  # worker id, field → [old, new]


class RosterImport(Importer):
    columns = ROSTER_COLUMNS

    def __init__(
        self,
        employer: Employer,
        plan: Plan,
        sync: SyncOptions | None = None,
        progress=None,
        proof: ProofGate | None = None,
        acting_user=None,
    ) -> None:
        super().__init__(plan, progress, acting_user)
        self.employer = employer
        self.sync = sync
        # None: the batch links known persons without proof (Disnaker, the commands).
        self.proof = proof
        self.rates = RateTable.load()
        self.programs = dict(Program.objects.values_list("code", "pk"))  # in the programs' order
        self.default_programs = employer.programs_of_new_workers()
        self.segment = (
            Segment.objects.filter(group=SegmentGroup.FORMAL, kind=SegmentKind.WAGE_EARNER)
            .order_by("-is_active", "sort_order")
            .first()
        )
        funding = FundingScheme.objects.get(code="EMPLOYER")
        self.funding_id = funding.pk
        self.payment = Payment.of(self.segment, funding, employer)

    def fields(self) -> list[Field]:
        return [
            *super().fields(),
            Field(
                "start_date", "start_date", self.date_reader(cells.DateKind.EVENT), required=True
            ),
            Field("monthly_wage", "monthly_wage", cells.parse_rupiah, required=True),
            Field("programs", "programs", self._programs),
            Field("npp", "npp", str),
        ]

    def _programs(self, value) -> tuple[str, ...] | None:
        """The program codes of a Program cell, in the programs' order; None (the employer's) when it names none."""
        codes = {code.upper() for code in PROGRAM_SEPARATORS.split(str(value)) if code}
        unknown = sorted(codes - self.programs.keys())
        if unknown:
            raise cells.CellError(
                _("%(codes)s: not a program code. The codes are %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(self.programs)},
                code="unknown_program",
            )
        return tuple(code for code in self.programs if code in codes) or None

    def check(self, line: Line) -> list[tuple[str, str, str]]:
        broken = super().check(line)
        if line.nik == EXAMPLE_NIK:
            broken.append(
                ("nik", "example_row", _("This is the template's example row: delete it."))
            )
        if line.npp is not None and line.npp != self.employer.npp:
            broken.append(
                (
                    "npp",
                    "other_employer",
                    _(
                        "This row is for the employer with NPP %(row_npp)s; this file is being imported "
                        "into the roster of NPP %(npp)s."
                    )
                    % {"row_npp": line.npp, "npp": self.employer.npp},
                )
            )
        return broken

    # --- planning ------------------------------------------------------------------------------------------

    def plan_work(self, lines: list[Line]) -> RosterWork:
        work = RosterWork()
        if self.sync is not None and self.unidentified_rows:
            self.plan.blocked = _(
                "A full-roster sync needs every row's NIK: %(count)d rows have a NIK that cannot be read, "
                "and their workers would be taken off the roster. Correct them first."
            ) % {"count": self.unidentified_rows}
        roster = {
            worker_id: (pk, start, wage, nik)
            for pk, worker_id, start, wage, nik in Employment.objects.filter(
                employer=self.employer, end_date__isnull=True
            )
            .order_by()
            .values_list("pk", "worker_id", "start_date", "monthly_wage", "worker__nik")
        }
        kpj_rows: dict[str, int] = {}
        for chunk in self.chunks(lines):
            known = known_workers([line.nik for line in chunk])
            _keep_recorded_kpjs(chunk, known)
            # Only a KPJ new to its worker can clash with another worker's.
            kpjs = [
                line.kpj
                for line in chunk
                if line.kpj and line.kpj != known.get(line.nik, _NOBODY)[PERSON_AT]
            ]
            holders = kpj_holders(kpjs) if kpjs else {}
            # Memberships and other jobs matter for a hire, and for a worker whose data the file changes.
            ids = [
                worker[0]
                for line in chunk
                if (worker := known.get(line.nik))
                and (worker[0] not in roster or _differs(line, worker))
            ]
            memberships = current_memberships(ids, self.today) if ids else {}
            elsewhere = set(
                Employment.objects.filter(among("worker__id", ids), end_date__isnull=True)
                .exclude(employer=self.employer)
                .values_list("worker_id", flat=True)
                if ids
                else ()
            )
            self.pending = set(
                PersonalDataChangeRequest.objects.filter(
                    among("worker__id", ids),
                    employer=self.employer,
                    status=PersonalDataChangeRequest.Status.PENDING,
                ).values_list("worker_id", flat=True)
                if ids
                else ()
            )
            starts = self._membership_starts(chunk, known, roster)
            for line in chunk:
                worker = known.get(line.nik)
                if not self._kpj_is_free(line, holders, kpj_rows):
                    continue
                if worker is None:
                    self._plan_new_worker(line, work)
                    continue
                shared = worker[0] in elsewhere or any(
                    employer_id != self.employer.pk
                    for _program, employer_id, _end in memberships.get(worker[0], ())
                )
                job = roster.get(worker[0])
                if job is None:
                    if self._identity_proven(line, worker):
                        self._plan_hire(line, worker, shared, memberships.get(worker[0], ()), work)
                elif not self._start_contradicted(line, job, starts.get(worker[0], ())):
                    self._plan_update(line, worker, shared, job, work)
        if self.sync is not None:
            self._plan_terminations(roster, work)
        return work

    def _membership_starts(self, chunk, known, roster) -> dict[int, list[date]]:
        """Start dates of the memberships through this employer of the workers whose job the file starts later."""
        later = [
            worker[0]
            for line in chunk
            if (worker := known.get(line.nik))
            and worker[0] in roster
            and line.start_date > roster[worker[0]][1]
        ]
        starts: dict[int, list[date]] = {}
        if later:
            for worker_id, start in Membership.objects.filter(
                among("worker__id", later), employer=self.employer
            ).values_list("worker_id", "start_date"):
                starts.setdefault(worker_id, []).append(start)
        return starts

    def _start_contradicted(self, line: Line, job: tuple, starts: list[date]) -> bool:
        """A job started later than memberships of it (``date_rules``): the row is refused, since a file
        carries no confirmation; Disnaker corrects such an employment in the admin."""
        _pk, recorded_start, _wage, _nik = job
        moved = [date_rules.Span(line.start_date, None)]
        for start in sorted(s for s in starts if recorded_start <= s < line.start_date):
            for contradiction in date_rules.membership_contradictions(
                start, self.employer.name, moved
            ):
                self.error(line, HEADERS["start_date"], contradiction.message, contradiction.code)
                return True
        return False

    def _identity_proven(self, line: Line, worker: tuple) -> bool:
        """A known person new to this roster: the row proves who they are, or it is an error that names nothing."""
        refusal = self.proof.refusal(line, worker) if self.proof else None
        if refusal:
            self.error(line, HEADERS["nik"], *refusal)
        return refusal is None

    def _kpj_is_free(self, line: Line, holders: dict[str, str], kpj_rows: dict[str, int]) -> bool:
        if not line.kpj:
            return True
        holder = holders.get(line.kpj)
        first = kpj_rows.setdefault(line.kpj, line.row)
        if holder not in (None, line.nik):
            code, message = (
                "kpj_taken",
                _("This KPJ number is already registered to another worker."),
            )
        elif first != line.row:
            code = "kpj_repeated"
            message = _("The KPJ number %(kpj)s is also on row %(row)d.") % {
                "kpj": line.kpj,
                "row": first,
            }
        else:
            return True
        self.error(line, HEADERS["kpj"], message, code)
        return False

    def _plan_new_worker(self, line: Line, work: RosterWork) -> None:
        opened = self._memberships_to_open(line, ())
        if not self.nik_facts_accepted(line) or opened is None:
            return
        work.new_workers.append(line)
        work.hires.append((line, None, opened))
        self._count_new(line, self.new_worker_text, opened)

    def _plan_hire(self, line, worker, shared, memberships, work: RosterWork) -> None:
        opened = self._memberships_to_open(line, memberships)
        if opened is None:
            return
        changes = self._personal_changes(line, worker, shared, work)
        if changes is None:
            return
        if changes:
            work.worker_updates.append(_updated(worker, changes, self.employer.pk, line))
        work.hires.append((line, worker[0], opened))
        self._count_new(line, _("Already registered in Makassar: added to your roster."), opened)

    def _count_new(self, line: Line, text: str, opened: list[tuple[int, date, tuple]]) -> None:
        """A row that joins the roster, with the programs it opens, in the preview."""
        entry = Entry(
            Kind.NEW, line.row, line.nik, line.name, text=text, programs=self._codes(opened)
        )
        self.plan.count(Kind.NEW, entry)

    def _plan_update(self, line, worker, shared, job, work: RosterWork) -> None:
        changes = self._personal_changes(line, worker, shared, work)
        if changes is None:
            return
        employment_id, start, wage, _nik = job
        details = [
            self._change(name, worker[PERSON_AT + PERSON_FIELDS.index(name)], value, worker)
            for name, value in changes.items()
        ]
        if (start, wage) != (line.start_date, line.monthly_wage):
            work.job_updates.append((employment_id, line.start_date, line.monthly_wage))
            if start != line.start_date:
                details.append(self._change("start_date", start, line.start_date, worker))
            if wage != line.monthly_wage:
                work.new_wages[worker[0]] = line.monthly_wage
                details.append(self._change("monthly_wage", wage, line.monthly_wage, worker))
        if changes:
            work.worker_updates.append(_updated(worker, changes, self.employer.pk, line))
        if details:
            entry = Entry(Kind.UPDATED, line.row, line.nik, line.name, text="; ".join(details))
            self.plan.count(Kind.UPDATED, entry)
        else:
            self.plan.count(Kind.UNCHANGED)

    def _personal_changes(
        self, line: Line, worker: tuple, shared: bool, work: RosterWork
    ) -> dict | None:
        """The fields the file changes; for a shared worker none: its differences become a change request.
        None: a new birth date or sex that disagrees with the NIK was refused (the row's error)."""
        changes = {}
        for name, recorded in zip(PERSON_FIELDS, worker[PERSON_AT:], strict=True):
            value = getattr(line, name)
            if value not in EMPTY and value != recorded:
                changes[name] = value
        if {"birth_date", "sex"} & set(changes) and not self.nik_facts_accepted(line):
            return None
        if shared and changes:
            self._request(line, worker, changes, work)
            return {}
        if not {"birth_date", "sex"} & set(changes):
            line.confirmed_warnings = worker[CONFIRMED_AT]
        return changes

    def _request(self, line: Line, worker: tuple, changes: dict, work: RosterWork) -> None:
        """The file's differences for a shared person: a change request (one pending per person and employer)."""
        if worker[0] in self.pending:
            self.warn(
                line,
                _(
                    "This worker is also registered elsewhere and a change you asked for is still awaiting "
                    "confirmation: the file's differences were not requested again."
                ),
                "change_pending",
            )
            return
        self.pending.add(worker[0])
        recorded = dict(zip(PERSON_FIELDS, worker[PERSON_AT:], strict=True))
        work.change_requests.append(
            (
                worker[0],
                {
                    FIELD_OF[name]: [
                        stored(FIELD_OF[name], recorded[name]),
                        stored(FIELD_OF[name], value),
                    ]
                    for name, value in changes.items()
                },
            )
        )
        text = _(
            "Also registered elsewhere: the change awaits confirmation by Disnaker or another employer. %(changes)s"
        ) % {
            "changes": "; ".join(
                self._change(name, recorded[name], value, worker) for name, value in changes.items()
            )
        }
        self.plan.note(Entry(Kind.REQUESTED, line.row, line.nik, line.name, text=text))

    def _change(self, name: str, before, after, worker: tuple) -> str:
        """Column: before → after; the recorded value of contact data this employer does not keep is not shown."""
        if name == "kelurahan_id":
            before, after = self.kelurahan_codes.get(before), self.kelurahan_codes.get(after)
        if name in CONTACT_ATTRS and worker[KEEPER_AT] != self.employer.pk:
            return f"{HEADERS[name]}: {NOT_SHOWN} → {_shown(after)}"
        return f"{HEADERS[name]}: {_shown(before)} → {_shown(after)}"

    def _memberships_to_open(self, line: Line, current) -> list[tuple[int, date, tuple]] | None:
        """(program id, start, contribution values) of the memberships to open: of the row's programs, else the
        employer's for new workers; None if the row fails. The values are ``Contribution.stored()`` and the
        wage, as ``MEMBERSHIP_COLUMNS`` end."""
        start = max(line.start_date, self.today)
        refusal = jkp_refusal(line.programs or (), self.employer.size)
        if refusal:
            self.error(line, HEADERS["programs"], refusal, "jkp_without_prerequisites")
            return None
        opened = []
        for code in line.programs or self.default_programs:
            program_id = self.programs[code]
            ends = [end for program, _employer, end in current if program == program_id]
            if None in ends:
                self.warn(
                    line,
                    _("%(program)s was not opened: the worker already holds an active membership.")
                    % {"program": code},
                    "program_held",
                )
                continue
            begins = max([start, *(end + timedelta(days=1) for end in ends)])
            try:
                contribution = self.rates.contribution(
                    code, self.payment, line.monthly_wage, begins
                )
            except NoRateError as refusal:
                self.error(line, HEADERS["start_date"], str(refusal), "no_rate")
                return None
            except Refused as refusal:
                self.error(line, HEADERS["programs"], str(refusal), "program_refused")
                return None
            opened.append((program_id, begins, (*contribution.stored(), line.monthly_wage)))
        return opened

    def _codes(self, opened: list[tuple[int, date, tuple]]) -> str:
        """The program codes of the memberships to open, as the preview shows them."""
        ids = {program_id for program_id, _start, _values in opened}
        return ", ".join(code for code, pk in self.programs.items() if pk in ids)

    def _plan_terminations(self, roster: dict, work: RosterWork) -> None:
        """Every open job whose worker's NIK is nowhere in the file (not even on a row with errors) ends."""
        absent = {
            worker_id: job for worker_id, job in roster.items() if job[3] not in self.niks_in_file
        }
        if not absent:
            return
        end, reason = self.sync.end_date, self.sync.reason
        ending: set[int] = set()
        for worker_id, (employment_id, start, _wage, nik) in absent.items():
            if start > end:
                self.plan.note(
                    Entry(
                        Kind.WARNING,
                        None,
                        nik,
                        text=_("Not in the file, but the job starts after %(date)s: it stays open.")
                        % {"date": short_date(end)},
                        code="starts_after_end",
                    )
                )
                continue
            work.terminations.append((employment_id, end, reason))
            ending.add(worker_id)
            self.plan.rows[Kind.TERMINATED] += 1
            self.plan.note(
                Entry(
                    Kind.TERMINATED,
                    None,
                    nik,
                    text=_("Not in the file: the job ends on %(date)s (%(reason)s).")
                    % {
                        "date": short_date(end),
                        "reason": Employment.TerminationReason(reason).label,
                    },
                )
            )
        memberships = Membership.objects.filter(
            employer=self.employer, end_date__isnull=True
        ).values_list("pk", "worker_id", "start_date")
        for pk, worker_id, start in memberships:
            if worker_id in ending:
                if start > end:
                    work.removed_memberships.append(pk)
                else:
                    work.ended_memberships.append((pk, end))

    # --- writing -------------------------------------------------------------------------------------------

    def write(self, work: RosterWork, writer: BulkWriter) -> None:
        new_ids = insert_workers(
            writer, work.new_workers, with_decile=False, keeper_id=self.employer.pk
        )
        if work.worker_updates:  # the employer's change applied: it keeps the record now
            writer.update(
                Worker, [*PERSON_FIELDS, "keeper_id", "confirmed_warnings"], work.worker_updates
            )
            writer.history(Worker, "~", [row[0] for row in work.worker_updates])
        if work.change_requests:
            self._write_requests(work.change_requests, writer)
        employer_id = self.employer.pk
        writer.insert(
            Employment,
            ["worker_id", "employer_id", "start_date", "end_date", "termination_reason", "monthly_wage"],
            (
                (worker_id or new_ids[line.nik], employer_id, line.start_date, None, "", line.monthly_wage)
                for line, worker_id, _opened in work.hires
            ),
        )  # fmt: skip
        writer.insert(
            Membership,
            MEMBERSHIP_COLUMNS,
            (
                (worker_id or new_ids[line.nik], program_id, self.segment.pk, self.funding_id, employer_id, start, None, *values)
                for line, worker_id, opened in work.hires
                for program_id, start, values in opened
            ),
        )  # fmt: skip
        if work.job_updates:
            writer.update(Employment, ["start_date", "monthly_wage"], work.job_updates)
            writer.history(Employment, "~", [row[0] for row in work.job_updates])
        if work.new_wages:
            self._follow_new_wages(work.new_wages, writer)
        if work.terminations:
            writer.update(Employment, ["end_date", "termination_reason"], work.terminations)
            writer.history(Employment, "~", [row[0] for row in work.terminations])
        if work.ended_memberships:
            writer.update(Membership, ["end_date"], work.ended_memberships)
            writer.history(Membership, "~", [row[0] for row in work.ended_memberships])
        if work.removed_memberships:
            writer.history(Membership, "-", work.removed_memberships)
            writer.delete(Membership, work.removed_memberships)
        for model in (Worker, Employment, Membership):
            writer.history_of_new_rows(model)
        if self.proof:
            self.proof.link()

    def _follow_new_wages(self, wages: dict[int, int], writer: BulkWriter) -> None:
        """The open memberships with this employer of workers whose wage the file changed take the new wage's
        contribution from today (``contribution_from``, as ``update_employment``); one read of plain values per
        chunk of workers. A membership whose program has no rate that day is left as it is, as
        ``recompute_contributions`` does."""
        segments, schemes = Segment.objects.in_bulk(), FundingScheme.objects.in_bulk()
        payments: dict[tuple[int, int], Payment] = {}  # (segment id, funding scheme id) → Payment
        updates = []
        for chunk in chunked(list(wages)):
            memberships = Membership.objects.filter(
                among("worker__id", chunk),
                employer=self.employer,
                end_date__isnull=True,
            ).values_list(
                "pk", "worker_id", "program__code", "segment_id", "funding_scheme_id", "start_date",
                *SHARE_FIELDS,
            )  # fmt: skip
            for pk, worker_id, code, segment_id, scheme_id, start, *current in memberships:
                if (segment_id, scheme_id) not in payments:
                    payments[segment_id, scheme_id] = Payment.of(
                        segments[segment_id], schemes[scheme_id], self.employer
                    )
                wage = wages[worker_id]
                try:
                    contribution = contribution_from(
                        self.rates, code, payments[segment_id, scheme_id], start, wage, self.today
                    )
                except Refused:
                    continue
                values = (*contribution.stored(), wage)
                if values != tuple(current):
                    updates.append((pk, *values))
        if updates:
            writer.update(Membership, SHARE_FIELDS, updates)
            writer.history(Membership, "~", [update[0] for update in updates])

    def _write_requests(self, requests: list[tuple[int, dict]], writer: BulkWriter) -> None:
        """Through the service, one per person (audited, with the batch): few rows of a file are shared persons."""
        batch = ImportBatch.objects.select_related("created_by").get(pk=writer.batch_id)
        workers = Worker.objects.in_bulk([worker_id for worker_id, _changes in requests])
        for worker_id, changes in requests:
            request_change(
                workers[worker_id],
                changes,
                acting_user=batch.created_by,
                channel=writer.channel,
                employer=self.employer,
                batch=batch,
            )


_NOBODY = (None,) * len(WORKER_LOOKUP)


def _keep_recorded_kpjs(lines: list[Line], known: dict[str, tuple]) -> None:
    """A KPJ that is the recorded one but for the leading zeros a spreadsheet's number cell drops
    (``1234567890`` for ``01234567890``) is the recorded one: no change."""
    for line in lines:
        recorded = known.get(line.nik, _NOBODY)[PERSON_AT]
        if line.kpj and recorded and normalise_kpj(line.kpj) == normalise_kpj(recorded):
            line.kpj = recorded


def _differs(line: Line, worker: tuple) -> bool:
    """Whether the file gives a personal value that differs from the record."""
    return any(
        getattr(line, name) not in EMPTY and getattr(line, name) != recorded
        for name, recorded in zip(PERSON_FIELDS, worker[PERSON_AT:], strict=True)
    )


def _updated(worker: tuple, changes: dict, keeper_id: int, line: Line) -> tuple:
    """(id, *PERSON_FIELDS, keeper, confirmed NIK warnings) with the changes applied to the recorded values."""
    return (worker[0], *(changes.get(name, recorded) for name, recorded in zip(PERSON_FIELDS, worker[PERSON_AT:], strict=True)), keeper_id, line.confirmed_warnings)  # fmt: skip


def _shown(value) -> str:
    if value in EMPTY:
        return "—"
    if isinstance(value, date):
        return short_date(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
