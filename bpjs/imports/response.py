"""BPJS's response to a registration file, imported through the import engine (decision 62).

Each row names a person by NIK and says whether BPJS accepted their registration (the KPJ number it assigned,
from its effective date) or rejected it (its reason). The row answers the person's memberships in the chosen
registration file, or, when none was chosen, in the latest file that listed them. Accepted: the memberships
become ACTIVE from the effective date and an empty KPJ of the worker is filled; rejected: REJECTED with the
reason. A row that says what is already recorded is unchanged, so the same response imported again changes
nothing. The columns are the administrator's mapping (``bpjs.columns``), read at each upload.
"""

from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import gettext as _

from berjasa.formatting import short_date
from bpjs.columns import columns
from bpjs.models import FileKind, RegistrationFile
from enrollment.imports import cells
from enrollment.imports.engine import Field, Importer, Line, among, kpj_holders
from enrollment.imports.plan import Entry, Kind, Plan
from enrollment.imports.writer import BulkWriter
from enrollment.models import BpjsStatus, Membership, Worker
from enrollment.nik import normalize_nik

ACCEPTED = "accepted"
REJECTED = "rejected"
# What BPJS writes in the result column, in any case.
RESULT_WORDS = {
    "accepted": ACCEPTED,
    "diterima": ACCEPTED,
    "aktif": ACCEPTED,
    "rejected": REJECTED,
    "ditolak": REJECTED,
    "gagal": REJECTED,
}
NAME_LENGTH = Worker._meta.get_field("name").max_length
REASON_LENGTH = Membership._meta.get_field("bpjs_reason").max_length


def parse_result(value) -> str:
    word = " ".join(str(value).split()).lower()
    if word not in RESULT_WORDS:
        raise cells.CellError(
            _(
                "“%(value)s” is not a result: write accepted (diterima, aktif) or rejected (ditolak, gagal)."
            )
            % {"value": value},
            code="unknown_result",
        )
    return RESULT_WORDS[word]


class ResponseLine(Line):
    __slots__ = ("result", "effective_date", "reason")


@dataclass
class ResponseWork:
    memberships: list[tuple] = field(default_factory=list)  # (id, status, effective date, reason)
    kpjs: list[tuple[int, str]] = field(default_factory=list)  # (worker id, KPJ number)


class ResponseImport(Importer):
    line_class = ResponseLine

    def __init__(
        self,
        plan: Plan,
        registration_file_id: int | None = None,
        progress=None,
        acting_user=None,
    ) -> None:
        super().__init__(plan, progress, acting_user)
        self.columns = columns(FileKind.RESPONSE)  # the mapping as it is at this upload
        self.registration_file = (
            RegistrationFile.objects.get(pk=registration_file_id) if registration_file_id else None
        )

    def fields(self) -> list[Field]:
        return [
            Field("nik", "nik", partial(normalize_nik, today=self.today), required=True),
            Field("name", "name", partial(cells.text, max_length=NAME_LENGTH)),
            Field("kpj", "kpj", self._kpj),
            Field("result", "result", parse_result, required=True),
            Field("start_date", "effective_date", self.date_reader(cells.DateKind.EVENT)),
            Field("reason", "reason", partial(cells.text, max_length=REASON_LENGTH)),
        ]

    def check(self, line: ResponseLine) -> list[tuple[str, str, str]]:
        """No rule across cells while reading (a person's birth date is not in this file): what a result needs
        is judged in ``plan_work``, on rows whose cells all read, so a cell that did not read is one error."""
        return []

    def _incomplete(self, line: ResponseLine) -> bool:
        """An accepted row without its KPJ number or effective date, a rejected one without its reason."""
        if line.result == ACCEPTED:
            missing = [
                key
                for key, value in (("kpj", line.kpj), ("effective_date", line.start_date))
                if not value
            ]
        else:
            missing = [] if line.reason else ["reason"]
        for key in missing:
            why = {
                "kpj": _("An accepted registration carries its KPJ number."),
                "effective_date": _("An accepted registration carries BPJS's effective date."),
                "reason": _("A rejection carries BPJS's reason."),
            }[key]
            self.error(
                line, self.headers.get(key, key), f"{_('This cell is empty.')} {why}", "required"
            )
        return bool(missing)

    def plan_work(self, lines: list[ResponseLine]) -> ResponseWork:
        work = ResponseWork()
        kpj_rows: dict[str, ResponseLine] = {}  # a KPJ number → the first row that assigns it
        for chunk in self.chunks(lines):
            workers = {
                nik: (pk, kpj, name)
                for nik, pk, kpj, name in Worker.objects.filter(
                    among("nik", [line.nik for line in chunk])
                )
                .order_by()
                .values_list("nik", "pk", "kpj", "name")
            }
            answered = self._handed_over([worker[0] for worker in workers.values()])
            holders = kpj_holders([line.kpj for line in chunk if line.kpj])
            for line in chunk:
                if self._incomplete(line):
                    continue
                worker_id, recorded_kpj, name = workers.get(line.nik, (None, None, ""))
                line.name = line.name or name  # the preview names the person as we know them
                memberships = answered.get(worker_id, [])
                if not memberships:
                    self._not_handed_over(line)
                    continue
                if line.result == ACCEPTED and not self._kpj_is_free(line, holders, kpj_rows):
                    continue
                self._answer(line, worker_id, recorded_kpj, memberships, work)
        return work

    def _handed_over(self, worker_ids: list[int]) -> dict[int, list[tuple]]:
        """Worker id → the memberships the row answers: (id, status, effective date, reason, program code),
        those of the chosen file, else those of the latest file that listed the worker.

        Selected by worker alone: a condition on the file would lead PostgreSQL to walk the file's index (all of
        its memberships) for every chunk, 20 times slower at the DTSEN list's 91,000 memberships."""
        rows = Membership.objects.filter(among("worker__id", worker_ids)).order_by()
        chosen = self.registration_file.pk if self.registration_file else None
        found: dict[int, dict[int, list[tuple]]] = {}
        for worker_id, submission_id, *membership in rows.values_list(
            "worker_id", "bpjs_submission_id", "pk", "bpjs_status", "bpjs_effective_date",
            "bpjs_reason", "program__code",
        ):  # fmt: skip
            if submission_id is None or chosen not in (None, submission_id):
                continue
            found.setdefault(worker_id, {}).setdefault(submission_id, []).append(tuple(membership))
        return {worker_id: files[max(files)] for worker_id, files in found.items()}

    def _not_handed_over(self, line: ResponseLine) -> None:
        if self.registration_file:
            message = _("This NIK is not in registration file %(reference)s.") % {
                "reference": self.registration_file.reference
            }
        else:
            message = _("No membership of this NIK was handed over to BPJS.")
        self.error(line, self.headers.get("nik", "nik"), message, "not_handed_over")

    def _kpj_is_free(self, line: ResponseLine, holders: dict, kpj_rows: dict) -> bool:
        """The KPJ number is no other worker's, on record or on an earlier row of the file."""
        header = self.headers.get("kpj", "kpj")
        holder = holders.get(line.kpj)
        if holder and holder != line.nik:
            self.error(
                line,
                header,
                _("The KPJ number %(kpj)s is already another worker's.") % {"kpj": line.kpj},
                "kpj_taken",
            )
            return False
        first = kpj_rows.setdefault(line.kpj, line)
        if first is not line and first.nik != line.nik:
            self.error(
                line,
                header,
                _("The KPJ number %(kpj)s is also given to row %(row)d.")
                % {"kpj": line.kpj, "row": first.row},
                "kpj_repeated",
            )
            return False
        return True

    def _answer(
        self,
        line: ResponseLine,
        worker_id: int,
        recorded_kpj: str | None,
        memberships: list[tuple],
        work: ResponseWork,
    ) -> None:
        if line.result == ACCEPTED:
            wanted = (BpjsStatus.ACTIVE, line.start_date, "")
        else:
            wanted = (BpjsStatus.REJECTED, None, line.reason)
        changes = []
        for pk, status, effective, reason, _code in memberships:
            if (status, effective, reason) == wanted:
                continue
            if status != BpjsStatus.SUBMITTED:
                self.error(
                    line,
                    self.headers.get("result", "result"),
                    _("BPJS's answer is already recorded: %(status)s.")
                    % {"status": BpjsStatus(status).label},
                    "already_answered",
                )
                return
            changes.append((pk, *wanted))
        kpj_to_fill = line.result == ACCEPTED and recorded_kpj != line.kpj
        if kpj_to_fill and recorded_kpj:
            self.error(
                line,
                self.headers.get("kpj", "kpj"),
                _(
                    "This worker's KPJ number on record is %(recorded)s, not %(kpj)s; it is not overwritten."
                )
                % {"recorded": recorded_kpj, "kpj": line.kpj},
                "kpj_differs",
            )
            return
        if not changes and not kpj_to_fill:
            self.plan.count(Kind.UNCHANGED)
            return
        work.memberships.extend(changes)
        if kpj_to_fill:
            work.kpjs.append((worker_id, line.kpj))
        self.plan.outcomes[line.result] += 1
        programs = ", ".join(code for *_values, code in memberships)
        if line.result == ACCEPTED:
            text = _("Accepted: KPJ %(kpj)s, active at BPJS from %(date)s.") % {
                "kpj": line.kpj,
                "date": short_date(line.start_date),
            }
        else:
            text = _("Rejected: %(reason)s") % {"reason": line.reason}
        self.plan.count(
            Kind.UPDATED, Entry(Kind.UPDATED, line.row, line.nik, line.name, text=text, programs=programs)
        )  # fmt: skip

    def write(self, work: ResponseWork, writer: BulkWriter) -> None:
        writer.update(
            Membership, ["bpjs_status", "bpjs_effective_date", "bpjs_reason"], work.memberships
        )
        writer.history(Membership, "~", [row[0] for row in work.memberships])
        writer.update(Worker, ["kpj"], work.kpjs)
        writer.history(Worker, "~", [row[0] for row in work.kpjs])
