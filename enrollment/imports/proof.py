"""Proof of identity for the rows of an employer's roster file that link a person the city already knows.

The rule is ``enrollment.identity.judge``, as in the portal form. A batch's rows are judged, throttled and
recorded when the batch is **checked**: the preview is where the employer learns whether its details matched, so
that is the attempt (and what the throttle counts). Each judged row is an ``IdentityProofAttempt`` of the batch;
a matched one gets its employment when the batch is imported, in the import's transaction. The import plans the
file again: a row refused or throttled at the check stays an error without a second check; a matched row is
judged again (the record may have changed since). A batch imported without a preview (the ``import_roster``
command with an employer's user) is judged and throttled at the import, and its refusals are recorded after the
import's transaction, whether it wrote anything or not.
"""

from berjasa.audit import Channel
from enrollment.identity import (
    REFUSED_MESSAGE,
    THROTTLED_MESSAGE,
    Details,
    failures_allowed,
    judge,
    proof_required,
)
from enrollment.imports.engine import WORKER_LOOKUP, Line
from enrollment.models import Employment, IdentityProofAttempt, ImportBatch
from enrollment.services.identity import (
    close_earlier_refusals,
    new_attempt,
    note_verdict,
    recent_failures,
    record_attempts,
)

Outcome = IdentityProofAttempt.Outcome
_DETAILS = ("name", "birth_date", "sex", "kpj", "phone")
_AT = {name: WORKER_LOOKUP.index(name) for name in ("id", "nik", *_DETAILS)}


class ProofGate:
    """Judges the rows of one batch that would link a known person; collects their attempts."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        previewed = bool(batch.review_file)
        # At the import of a previewed batch: what its check decided, by NIK.
        self.judged = (
            {
                nik: (outcome, pk)
                for nik, outcome, pk in IdentityProofAttempt.objects.filter(
                    import_batch_id=batch.pk
                ).values_list("nik", "outcome", "pk")
            }
            if previewed
            else {}
        )
        self.throttling = not previewed  # at the check, or an import without one
        self.failures = (
            recent_failures(batch.created_by, batch.employer_id) if self.throttling else 0
        )
        self.limit = failures_allowed()
        self.attempts: list[IdentityProofAttempt] = []  # new ones, saved by ``record`` or ``link``

    @classmethod
    def for_batch(cls, batch: ImportBatch) -> "ProofGate | None":
        """A gate for a roster batch uploaded by an employer's user; None for Disnaker and the commands."""
        if batch.source != ImportBatch.Source.ROSTER or not proof_required(batch.created_by):
            return None
        return cls(batch)

    def refusal(self, line: Line, worker: tuple) -> tuple[str, str] | None:
        """(message, code) if the row does not prove the person ``worker`` (a ``WORKER_LOOKUP`` tuple)."""
        before = self.judged.get(line.nik)
        if before is not None and before[0] != Outcome.MATCHED:
            return _refusal(before[0])
        attempt = new_attempt(
            acting_user=self.batch.created_by,
            employer=self.batch.employer,
            worker_id=worker[_AT["id"]],
            nik=worker[_AT["nik"]],
            channel=Channel.IMPORT,
            start_date=line.start_date,
            monthly_wage=line.monthly_wage,
            batch=self.batch,
            row_number=line.row,
        )
        if not (self.throttling and self.failures >= self.limit):
            offered = Details(*(getattr(line, name) for name in _DETAILS))
            recorded = Details(*(worker[_AT[name]] for name in _DETAILS))
            note_verdict(attempt, judge(recorded, offered), offered)
        if before is not None:  # matched at the check: judged again, recorded there already
            if attempt.outcome == Outcome.MATCHED:
                attempt.pk = before[1]
                self.attempts.append(attempt)
                return None
            return _refusal(Outcome.REFUSED)
        self.attempts.append(attempt)
        if attempt.outcome == Outcome.REFUSED:
            self.failures += 1
        return None if attempt.outcome == Outcome.MATCHED else _refusal(attempt.outcome)

    def record(self) -> None:
        """After the check: every row judged (matched ones too: the link follows at the import)."""
        record_attempts(self.attempts)

    def link(self) -> None:
        """In the import's transaction, after the employments are written: each matched row's attempt with its
        employment (an attempt of the check is completed, one of an unpreviewed import created)."""
        matched = [attempt for attempt in self.attempts if attempt.outcome == Outcome.MATCHED]
        if not matched:
            return
        employments = dict(
            Employment.objects.filter(
                import_batch_id=self.batch.pk,
                worker_id__in=[attempt.worker_id for attempt in matched],
            ).values_list("worker_id", "pk")
        )
        matched = [attempt for attempt in matched if attempt.worker_id in employments]
        for attempt in matched:  # (a row that matched may have failed on something else)
            attempt.employment_id = employments[attempt.worker_id]
        IdentityProofAttempt.objects.bulk_update(
            [attempt for attempt in matched if attempt.pk], ["employment"]
        )
        IdentityProofAttempt.objects.bulk_create([attempt for attempt in matched if not attempt.pk])
        close_earlier_refusals(list(employments), self.batch.employer_id)

    def record_failures(self) -> None:
        """After an import's transaction: the refusals it found that no check recorded."""
        record_attempts([a for a in self.attempts if a.outcome != Outcome.MATCHED and a.pk is None])


def _refusal(outcome: str) -> tuple[str, str]:
    if outcome == Outcome.THROTTLED:
        return str(THROTTLED_MESSAGE), "identity_throttled"
    return str(REFUSED_MESSAGE), "identity_not_proven"
