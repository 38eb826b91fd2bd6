"""Dates that contradict each other: one rule for every door (decision 37).

Pure functions over plain date spans, so the services (one worker, from the database), the demo data (its own
plan) and ``find_date_contradictions`` (every row, streamed) decide alike:

- ``membership_contradictions``: a membership through an employer must start within an employment with it.
  Before the employment starts: a warning staff may confirm (the employment's start on record is often the
  contract's, later than the first day worked); after it ended, or with no employment at all: refused.
- ``claim_date_order``: incident ≤ submission ≤ payment ≤ today, each refused.
- ``claim_coverage``: the membership a claim arises from, by benefit type (``BENEFIT_PROGRAMS``), and a warning
  when the incident is outside the worker's coverage; the claim's segment and employer are that membership's.

A warning is recorded only when a staff user confirms it (``judge``): employers' users and the portal get it as a
refusal.
"""

from calendar import monthrange
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import Channel
from berjasa.formatting import short_date
from berjasa.roles import STAFF_ROLES, user_has_any_role

# Codes of the contradictions (stored with a confirmation, named in files' confirmation column).
MEMBERSHIP_BEFORE_EMPLOYMENT = "membership_before_employment"
MEMBERSHIP_AFTER_EMPLOYMENT = "membership_after_employment"
MEMBERSHIP_WITHOUT_EMPLOYMENT = "membership_without_employment"
INCIDENT_IN_FUTURE = "incident_in_future"
SUBMITTED_IN_FUTURE = "submitted_in_future"
SUBMITTED_BEFORE_INCIDENT = "submitted_before_incident"
PAID_IN_FUTURE = "paid_in_future"
PAID_BEFORE_SUBMITTED = "paid_before_submitted"
INCIDENT_OUTSIDE_COVERAGE = "incident_outside_coverage"
JKP_CONTRIBUTION_MONTHS = "jkp_contribution_months"
NO_MEMBERSHIP_IN_PROGRAM = "no_membership_in_program"

# The contradictions a staff user may confirm; the others are refused.
CONFIRMABLE = frozenset(
    {MEMBERSHIP_BEFORE_EMPLOYMENT, INCIDENT_OUTSIDE_COVERAGE, JKP_CONTRIBUTION_MONTHS}
)

# The programs whose membership a benefit arises from, in the order they are looked for. A scholarship is a
# JKM benefit (death) and a JKK one (death or total disability from a work accident): PP 44/2015 Pasal 25
# ayat 2 huruf b angka 8, as amended by PP 82/2019.
BENEFIT_PROGRAMS = {
    "JKK": ("JKK",),
    "JKM": ("JKM",),
    "BEASISWA": ("JKM", "JKK"),
    "JHT": ("JHT",),
    "JP": ("JP",),
    "JKP": ("JKP",),
}
# Paid from a balance built while covered, also after the membership ended (leaving work, age 56, death,
# disability: PP 46/2015 Pasal 22 and Pasal 26 as amended by PP 60/2015; PP 45/2015 for JP): the incident may
# be after the last covered day, never before the first. The others insure an event, which must happen on a
# covered day: the accident (PP 44/2015 Pasal 25), the death (Pasal 34), the dismissal (PP 37/2021 Pasal 19).
BALANCE_BENEFITS = frozenset({"JHT", "JP"})
# JKP is paid after 12 months of contributions in the 24 months before the dismissal (PP 37/2021 Pasal 20); the
# portal holds memberships, not payments, so months of JKP membership stand for months of contributions.
JKP_WINDOW_MONTHS, JKP_MONTHS_NEEDED = 24, 12


@dataclass(frozen=True)
class Contradiction:
    code: str
    message: str

    @property
    def confirmable(self) -> bool:
        """A warning staff may confirm; otherwise refused."""
        return self.code in CONFIRMABLE


@dataclass(frozen=True)
class Span:
    """The dates of an employment or a membership; ``source`` is what the caller needs back from it."""

    start: date
    end: date | None
    source: Any = None

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _day(value: date) -> str:
    return short_date(value)


def membership_contradictions(
    start: date, employer_name: str, employments: Sequence[Span]
) -> list[Contradiction]:
    """A membership through an employer starting on ``start``; ``employments`` are the worker's with it."""
    if any(job.holds(start) for job in employments):
        return []
    later = sorted(job.start for job in employments if job.start > start)
    if later:
        message = _(
            "The membership starts on %(start)s, before the employment with %(employer)s starts "
            "(%(employment_start)s)."
        ) % {"start": _day(start), "employer": employer_name, "employment_start": _day(later[0])}
        return [Contradiction(MEMBERSHIP_BEFORE_EMPLOYMENT, message)]
    ended = sorted(job.end for job in employments if job.end is not None)
    if ended:
        message = _(
            "The membership starts on %(start)s, after the employment with %(employer)s ended "
            "(%(end)s): an employer insures only those it employs."
        ) % {"start": _day(start), "employer": employer_name, "end": _day(ended[-1])}
        return [Contradiction(MEMBERSHIP_AFTER_EMPLOYMENT, message)]
    message = _(
        "The worker has no employment with %(employer)s on record: record the employment first."
    ) % {"employer": employer_name}
    return [Contradiction(MEMBERSHIP_WITHOUT_EMPLOYMENT, message)]


def claim_date_order(
    incident: date, submitted: date, paid: date | None, today: date
) -> list[Contradiction]:
    """Incident, submission and payment in that order, none after today: each contradiction is refused."""
    found = []
    if incident > today:
        found.append(
            Contradiction(INCIDENT_IN_FUTURE, _("The incident date cannot be in the future."))
        )
    if submitted > today:
        found.append(
            Contradiction(SUBMITTED_IN_FUTURE, _("The submission date cannot be in the future."))
        )
    if submitted < incident:
        found.append(
            Contradiction(
                SUBMITTED_BEFORE_INCIDENT, _("A claim cannot be submitted before the incident.")
            )
        )
    if paid is not None and paid > today:
        found.append(Contradiction(PAID_IN_FUTURE, _("The paid date cannot be in the future.")))
    if paid is not None and paid < submitted:
        found.append(
            Contradiction(
                PAID_BEFORE_SUBMITTED, _("A claim cannot be paid before it was submitted.")
            )
        )
    return found


def claim_coverage(
    benefit: str, incident: date, memberships: Mapping[str, Sequence[Span]]
) -> tuple[list[Contradiction], Span | None]:
    """The membership a claim arises from, and whether the incident is outside the worker's coverage.

    ``memberships`` maps program codes to the worker's memberships. The membership covering the incident day
    (for JHT and JP, else the latest begun by then); when none does, a warning and the membership nearest the
    incident (the last one before it, else the first after). No membership of the program at all: refused,
    since the claim would have no segment.
    """
    programs = BENEFIT_PROGRAMS.get(benefit, (benefit,))
    for program in programs:
        covering = [span for span in memberships.get(program, ()) if span.holds(incident)]
        if covering:
            short = _jkp_months(incident, memberships.get("JKP", ())) if benefit == "JKP" else []
            return short, covering[0]
    if benefit in BALANCE_BENEFITS:
        begun = [span for span in memberships.get(programs[0], ()) if span.start <= incident]
        if begun:
            return [], max(begun, key=lambda span: span.start)
    spans = [span for program in programs for span in memberships.get(program, ())]
    names = "/".join(programs)
    if not spans:
        message = _(
            "The worker has no %(program)s membership on record, so the claim has no segment: record the "
            "membership first."
        ) % {"program": names}
        return [Contradiction(NO_MEMBERSHIP_IN_PROGRAM, message)], None
    nearest = min(spans, key=lambda span: (_distance(span, incident), span.start > incident))
    message = _(
        "The incident date %(incident)s is outside the worker's %(program)s coverage; the nearest membership "
        "runs %(start)s–%(end)s."
    ) % {
        "incident": _day(incident),
        "program": names,
        "start": _day(nearest.start),
        "end": _day(nearest.end) if nearest.end else _("open"),
    }
    return [Contradiction(INCIDENT_OUTSIDE_COVERAGE, message)], nearest


def _jkp_months(dismissal: date, spans: Sequence[Span]) -> list[Contradiction]:
    """PP 37/2021 Pasal 20: 12 months of JKP membership in the 24 months up to the dismissal, in days."""
    first_day = _months_before(dismissal, JKP_WINDOW_MONTHS) + timedelta(days=1)
    needed = (dismissal - _months_before(dismissal, JKP_MONTHS_NEEDED)).days
    covered = sum(
        max(0, (min(span.end or dismissal, dismissal) - max(span.start, first_day)).days + 1)
        for span in spans
    )
    if covered >= needed:
        return []
    message = _(
        "JKP is paid after 12 months of membership in the 24 months before the dismissal (PP 37/2021 "
        "Pasal 20); the worker has %(days)s of the %(needed)s days needed."
    ) % {"days": covered, "needed": needed}
    return [Contradiction(JKP_CONTRIBUTION_MONTHS, message)]


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier; from a month's last day, that month's last day (so the 12
    months up to 28-2-2025 begin after 29-2-2024, as the 12 months up to 30-6-2025 begin after 30-6-2024)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = monthrange(year, month + 1)[1]
    month_end = day.day == monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if month_end else min(day.day, last))


def _distance(span: Span, day: date) -> int:
    return (span.start - day).days if day < span.start else (day - span.end).days


def may_confirm(acting_user, channel: str) -> bool:
    """Staff confirm warnings (and the commands they run); employers and the portal never do."""
    if channel == Channel.PORTAL:
        return False
    return acting_user is None or user_has_any_role(acting_user, STAFF_ROLES)


class DatesContradict(ValidationError):
    """The dates contradict each other: refused, or warnings not (or not allowed to be) confirmed."""

    def __init__(self, contradictions: Sequence[Contradiction], confirmable: bool) -> None:
        self.contradictions = list(contradictions)
        self.confirmable = confirmable
        messages = [contradiction.message for contradiction in contradictions]
        if confirmable:
            messages.append(
                _("If the documents confirm these dates, confirm the warning and save again.")
            )
        super().__init__(messages, code="dates_contradict")


def judge(
    contradictions: Sequence[Contradiction],
    *,
    acting_user,
    channel: str,
    confirm: Collection[str] = (),
) -> list[dict] | None:
    """Raise ``DatesContradict`` unless every contradiction is a warning this user confirmed (by code).

    Returns what a confirmed record stores (``confirmed_warnings``): each warning's code and words, who
    confirmed it and when; None when there was nothing to confirm.
    """
    if not contradictions:
        return None
    allowed = may_confirm(acting_user, channel)
    blocking = [
        contradiction
        for contradiction in contradictions
        if not (allowed and contradiction.confirmable and contradiction.code in confirm)
    ]
    if blocking:
        raise DatesContradict(
            blocking, allowed and all(contradiction.confirmable for contradiction in blocking)
        )
    return confirmations(contradictions, acting_user)


def confirmations(contradictions: Sequence[Contradiction], acting_user) -> list[dict]:
    """What a record stores of warnings confirmed (``confirmed_warnings``): each one's code and words, who
    confirmed it and when."""
    when = timezone.now().isoformat(timespec="seconds")
    who = getattr(acting_user, "username", "") if acting_user is not None else ""
    return [
        {"code": c.code, "warning": c.message, "confirmed_by": who, "confirmed_at": when}
        for c in contradictions
    ]
