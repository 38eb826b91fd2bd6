"""Registering the participants of a city statement who are unknown here (decision 70): BPJS pays them from the
city budget, and the administrator chose the segment they belong to on confirming.

A participant active at BPJS in the statement's month, with no city-funded membership here that month, and not
named by BPJS as the worker of an employer registered here, is registered as the DTSEN list's participants are:
a new worker when the NIK is unknown (the name and KPJ from the statement, the birth date and sex from the NIK),
and the JKK and JKM memberships they miss, city-funded in the chosen segment from the statement's month, already
ACTIVE at BPJS with its last month paid. A worker enrolled through an employer is left on the discrepancy list.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from enrollment.imports.dtsen import city_funded_programs
from enrollment.imports.engine import (
    MEMBERSHIP_COLUMNS,
    chunked,
    current_memberships,
    insert_workers,
)
from enrollment.imports.writer import BulkWriter
from enrollment.models import BpjsStatus, Membership, Worker
from enrollment.nik import nik_facts
from programs.models import Segment, SegmentKind


def segments_to_register_in():
    """The segments a city statement's unknown participants may be registered in: the city's non-wage earners
    (their contribution is the declared income's, not a wage the statement does not give)."""
    return Segment.objects.filter(
        is_active=True,
        kind=SegmentKind.NON_WAGE_EARNER,
        default_funding_scheme__is_city_budget=True,
    ).order_by("sort_order")


@dataclass
class Registering:
    """What registering the unknown ones writes: new workers (statement rows), and memberships per worker."""

    segment: Segment
    month: date
    programs: list[tuple[int, tuple]]  # ``city_funded_programs``
    # The statement's rows of the new workers, with the person's attributes set.
    new_workers: list = field(default_factory=list)
    enrolments: list[tuple] = field(default_factory=list)  # (finding, the programs to open)

    @classmethod
    def of(cls, segment_code: str, month: date) -> "Registering":
        segment = segments_to_register_in().get(code=segment_code)
        funding = segment.default_funding_scheme
        return cls(segment, month, city_funded_programs(segment, funding, month))

    def plan(self, findings: list, today: date) -> None:
        """Choose the findings (unknown here) to register; each chosen one is marked ``registered``."""
        chosen = [
            finding
            for finding in findings
            if finding.row.active
            and not (finding.row.paid_through and finding.row.paid_through < self.month)
            and finding.employer_id is None
        ]
        current = {}
        for chunk in chunked([finding.worker_id for finding in chosen if finding.worker_id]):
            current.update(current_memberships(chunk, self.month))
        for finding in chosen:
            held = current.get(finding.worker_id, ())
            if any(employer_id for _program, employer_id, _end in held):
                finding.detail += " " + _("Enrolled through an employer here: not registered.")
                continue
            missing = [
                (program_id, values)
                for program_id, values in self.programs
                if program_id not in {program for program, _employer, _end in held}
            ]
            if not missing:  # their city-funded memberships here start after the month
                finding.detail += " " + _("Its memberships here start later: not registered.")
                continue
            if finding.worker_id is None:
                row = finding.row
                facts = nik_facts(row.nik, today=today)
                row.birth_date, row.sex = facts.birth_date, facts.sex
                row.kpj = row.kpj or None  # checked with the KPJs to fill (``_check_kpj_fills``)
                row.phone = row.address = row.kelurahan_id = row.occupation = None
                row.has_disability = False
                row.confirmed_warnings = None
                self.new_workers.append(row)
            finding.registered = True
            finding.detail = _(
                "Registered here from BPJS's statement: %(segment)s, from %(month)s."
            ) % {
                "segment": self.segment.code,
                "month": f"{self.month:%m/%Y}",
            }
            self.enrolments.append((finding, missing))

    def write(self, writer: BulkWriter) -> None:
        """Insert the new workers and the memberships (ACTIVE at BPJS), each with its "created" history row; the
        findings of new workers get their worker's id."""
        new_ids = (
            insert_workers(writer, self.new_workers, with_decile=False) if self.new_workers else {}
        )
        for finding, _missing in self.enrolments:
            finding.worker_id = finding.worker_id or new_ids[finding.row.nik]
        writer.insert(
            Membership,
            (*MEMBERSHIP_COLUMNS, "bpjs_status", "bpjs_paid_through"),
            (
                (finding.worker_id, program_id, self.segment.pk, self.segment.default_funding_scheme_id, None, self.month, None, *values, BpjsStatus.ACTIVE, finding.row.paid_through)
                for finding, missing in self.enrolments
                for program_id, values in missing
            ),
        )  # fmt: skip
        for model in (Worker, Membership):
            writer.history_of_new_rows(model)
