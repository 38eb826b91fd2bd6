"""Stored rows whose dates contradict each other, by the rules new rows must follow (``enrollment.date_rules``).

Rows written before the rules (or by hand in the database) stay as they are: nothing refuses to show or change
them. ``find_date_contradictions`` lists them for Disnaker to correct; a warning confirmed when the row was
written is not listed. Every table is read once, in worker order, so the full city's data streams through in
constant memory per worker.
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

from django.utils.translation import gettext as _

from enrollment import date_rules
from enrollment.models import Claim, Employer, Employment, Membership
from programs.models import BenefitType, Program

# Found only in stored claims: a segment other than that of the membership the claim arises from.
SEGMENT_NOT_FROM_MEMBERSHIP = "segment_not_from_membership"
CHUNK = 20_000


@dataclass(frozen=True)
class Finding:
    model: str  # "membership" or "claim"
    pk: int
    code: str
    message: str


def _stream(tag: str, rows) -> Iterator[tuple]:
    for row in rows.iterator(chunk_size=CHUNK):
        yield row[0], tag, row


def stored_contradictions(today: date) -> Iterator[Finding]:
    employer_names = dict(Employer.objects.values_list("pk", "name"))
    program_codes = dict(Program.objects.values_list("pk", "code"))
    benefit_codes = dict(BenefitType.objects.values_list("pk", "code"))
    employments = Employment.objects.order_by("worker_id").values_list(
        "worker_id", "employer_id", "start_date", "end_date"
    )
    memberships = Membership.objects.order_by("worker_id").values_list(
        "worker_id",
        "pk",
        "program_id",
        "segment_id",
        "employer_id",
        "start_date",
        "end_date",
        "confirmed_warnings",
    )
    claims = Claim.objects.order_by("worker_id").values_list(
        "worker_id",
        "pk",
        "benefit_type_id",
        "segment_id",
        "incident_date",
        "submitted_date",
        "paid_date",
        "confirmed_warnings",
    )
    rows = heapq.merge(
        _stream("employment", employments),
        _stream("membership", memberships),
        _stream("claim", claims),
        key=itemgetter(0),
    )
    for _worker_id, group in groupby(rows, key=itemgetter(0)):
        by_tag: dict[str, list[tuple]] = {"employment": [], "membership": [], "claim": []}
        for _id, tag, row in group:
            by_tag[tag].append(row)
        yield from _worker_findings(by_tag, employer_names, program_codes, benefit_codes, today)


def _worker_findings(by_tag, employer_names, program_codes, benefit_codes, today):
    jobs: dict[int, list[date_rules.Span]] = {}
    for _worker, employer_id, start, end in by_tag["employment"]:
        jobs.setdefault(employer_id, []).append(date_rules.Span(start, end))
    spans: dict[str, list[date_rules.Span]] = {}
    for _worker, pk, program_id, segment_id, employer_id, start, end, confirmed in sorted(
        by_tag["membership"], key=itemgetter(5)
    ):
        spans.setdefault(program_codes[program_id], []).append(
            date_rules.Span(start, end, segment_id)
        )
        if employer_id is not None:
            found = date_rules.membership_contradictions(
                start, employer_names[employer_id], jobs.get(employer_id, ())
            )
            yield from _unconfirmed("membership", pk, found, confirmed)
    for _worker, pk, benefit_id, segment_id, incident, submitted, paid, confirmed in by_tag[
        "claim"
    ]:
        found = date_rules.claim_date_order(incident, submitted, paid, today)
        coverage, span = date_rules.claim_coverage(benefit_codes[benefit_id], incident, spans)
        found += coverage
        if span is not None and span.source != segment_id:
            found.append(
                date_rules.Contradiction(
                    SEGMENT_NOT_FROM_MEMBERSHIP,
                    _("The claim's segment is not that of the membership it arises from."),
                )
            )
        yield from _unconfirmed("claim", pk, found, confirmed)


def _unconfirmed(model: str, pk: int, found, confirmed) -> Iterator[Finding]:
    codes = {entry["code"] for entry in confirmed or ()}
    for contradiction in found:
        if contradiction.code not in codes:
            yield Finding(model, pk, contradiction.code, contradiction.message)
