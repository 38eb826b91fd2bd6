"""The APBD contribution bill of a month, computed from the memberships, never stored (decision 65).

A city-funded membership (``funding_scheme.is_city_budget``) is billed for month M when it is active here on
any day of M (no proration: contributions are monthly) and it was handed over to BPJS (``BILLED_STATUSES``).
Each is charged the government's share of its monthly contribution under the rates in force on the first day
of M. Set-based: the memberships are counted in groups that pay the same (segment, program, payer, risk class,
wage) and each group is priced once, so a bill of ~63,000 participants costs a handful of queries.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, DateField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils.translation import gettext as _

from budget.models import BudgetLine
from enrollment.models import BpjsStatus, Membership
from programs.models import Program
from programs.rates import Payment, RateTable, risk_class_for
from reports.periods import month_last_day, month_period, next_month

# Handed over to BPJS, so BPJS bills them: REGISTERED (not handed over) and REJECTED are not billed.
BILLED_STATUSES = (BpjsStatus.SUBMITTED, BpjsStatus.ACTIVE, BpjsStatus.LAPSED, BpjsStatus.MISSING)


def parse_month(text: str) -> date:
    """``2025-08`` → 1 August 2025; ``ValueError`` otherwise."""
    year, _dash, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError(text)
    return date(int(year), int(month), 1)


def month_label(month: date) -> str:
    """``Agustus 2025``."""
    return month_period(month.year, month.month).label()


def months_between(first: date, last: date) -> Iterator[date]:
    """The first days of the months from ``first`` to ``last``, both included."""
    month = first
    while month <= last:
        yield month
        month = next_month(month)


def city_funded_active(
    first: date, last: date, among: QuerySet[Membership] | None = None
) -> QuerySet[Membership]:
    """City-funded memberships (of ``among``, default all) active here on any day from ``first`` to ``last``."""
    among = Membership.objects.all() if among is None else among
    return among.filter(funding_scheme__is_city_budget=True, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def billed_memberships(
    first: date, last: date, among: QuerySet[Membership] | None = None
) -> QuerySet[Membership]:
    """What the city is billed for from ``first`` to ``last``: handed over to BPJS and active then."""
    return city_funded_active(first, last, among).filter(bpjs_status__in=BILLED_STATUSES)


class Pricing:
    """The government's share of one membership's monthly contribution, memoised per kind of membership."""

    def __init__(self) -> None:
        self.rates = RateTable.load()
        self._memo: dict[tuple, int] = {}

    def share(
        self,
        program: str,
        kind: str,
        payer: str,
        scheme_risk: int | None,
        employer_risk: int | None,
        wage: int | None,
        month: date,
    ) -> int:
        """What the city pays for the month (``Refused`` when no rate applies: the bill cannot be made)."""
        key = (program, kind, payer, scheme_risk, employer_risk, wage, month)
        if key not in self._memo:
            payment = Payment(kind, payer, risk_class_for(kind, employer_risk, scheme_risk))
            contribution = self.rates.contribution(program, payment, wage or 0, month)
            self._memo[key] = contribution.government
        return self._memo[key]


# The fields that decide what a membership costs, in ``Pricing.share``'s order (bar the month).
PRICE_FIELDS = (
    "program__code",
    "segment__kind",
    "funding_scheme__payer",
    "funding_scheme__risk_class",
    "employer__risk_class",
    "wage",
)

ProgramAmounts = dict[str, int]


def monthly_amounts(
    memberships: QuerySet[Membership], first: date, last: date, pricing: Pricing | None = None
) -> dict[date, dict[str, ProgramAmounts]]:
    """Per month from ``first`` to ``last`` (first days), per segment code, per program: what the city pays
    for ``memberships`` active in that month. One grouped query, whatever the number of months."""
    pricing = pricing or Pricing()
    groups = (
        memberships.filter(start_date__lte=month_last_day(last))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .annotate(
            from_month=Greatest(TruncMonth("start_date", output_field=DateField()), Value(first)),
            to_month=Least(
                Coalesce(TruncMonth("end_date", output_field=DateField()), Value(last)),
                Value(last),
            ),
        )
        .values("segment__code", *PRICE_FIELDS, "from_month", "to_month")
        .annotate(memberships=Count("pk"))
        .order_by()
    )
    amounts: dict[date, dict[str, ProgramAmounts]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for group in groups:
        price = [group[name] for name in PRICE_FIELDS]
        for month in months_between(_as_date(group["from_month"]), _as_date(group["to_month"])):
            share = pricing.share(*price, month)
            amounts[month][group["segment__code"]][group["program__code"]] += (
                share * group["memberships"]
            )
    return amounts


def _as_date(value) -> date:
    """A truncated month as the database hands it back (a timestamp on PostgreSQL, text on SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def workers_and_amount(memberships: QuerySet[Membership], month: date) -> tuple[int, int]:
    """How many workers ``memberships`` hold in ``month`` and what the city pays for them (no names read)."""
    amounts = monthly_amounts(memberships, month, month).get(month, {})
    workers = memberships.aggregate(n=Count("worker", distinct=True))["n"]
    return workers, sum(sum(programs.values()) for programs in amounts.values())


def lines_by_segment(year: int) -> dict[str, BudgetLine]:
    """The year's budget line of each segment code (one per segment and year: the admin refuses a second)."""
    found: dict[str, BudgetLine] = {}
    for line in BudgetLine.objects.filter(year=year).prefetch_related("segments").order_by("code"):
        for segment in line.segments.all():
            found.setdefault(segment.code, line)
    return found


@dataclass(frozen=True)
class BillLine:
    """One budget line's part of a month's bill; ``budget_line`` None for segments no line pays (a warning)."""

    budget_line: BudgetLine | None
    segments: tuple[str, ...]
    participants: int
    programs: ProgramAmounts = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.programs.values())

    @property
    def label(self) -> str:
        if self.budget_line is None:
            return _("No budget line")
        return f"{self.budget_line.code} {self.budget_line.name}"


@dataclass(frozen=True)
class Bill:
    month: date
    participants: int
    lines: tuple[BillLine, ...]
    programs: tuple[str, ...]  # program codes billed, in catalogue order

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def without_budget_line(self) -> tuple[BillLine, ...]:
        return tuple(line for line in self.lines if line.budget_line is None)

    def as_dict(self) -> dict:
        """The JSON contract of ``apbd_bill --format json`` (README, "Commands")."""
        return {
            "month": self.month.strftime("%Y-%m"),
            "participants": self.participants,
            "total": self.total,
            "lines": [
                {
                    "budget_line": line.label if line.budget_line else None,
                    "segments": list(line.segments),
                    "participants": line.participants,
                    "total": line.total,
                }
                for line in self.lines
            ],
        }


def monthly_bill(month: date) -> Bill:
    """The bill of ``month`` (any day of it): per budget line of its year, participants and amounts."""
    month = month.replace(day=1)
    billed = billed_memberships(month, month_last_day(month))
    per_segment = monthly_amounts(billed, month, month).get(month, {})
    line_of = lines_by_segment(month.year)
    grouped: dict[BudgetLine | None, list[str]] = defaultdict(list)
    for code in sorted(per_segment):
        grouped[line_of.get(code)].append(code)
    lines = []
    for budget_line, codes in sorted(
        grouped.items(), key=lambda item: (item[0] is None, item[0].code if item[0] else "")
    ):
        programs: ProgramAmounts = defaultdict(int)
        for code in codes:
            for program, amount in per_segment[code].items():
                programs[program] += amount
        participants = billed.filter(segment__code__in=codes).aggregate(
            n=Count("worker", distinct=True)
        )["n"]
        lines.append(BillLine(budget_line, tuple(codes), participants, dict(programs)))
    billed_programs = {program for line in lines for program in line.programs}
    return Bill(
        month=month,
        participants=billed.aggregate(n=Count("worker", distinct=True))["n"],
        lines=tuple(lines),
        programs=tuple(
            Program.objects.filter(code__in=billed_programs)
            .order_by("sort_order")
            .values_list("code", flat=True)
        ),
    )


@dataclass(frozen=True)
class Participant:
    """One worker's row of a bill's participant list."""

    nik: str
    name: str
    segment: str
    budget_line: BudgetLine | None
    programs: ProgramAmounts
    bpjs_status: str

    @property
    def total(self) -> int:
        return sum(self.programs.values())

    @property
    def bpjs_status_label(self) -> str:
        return str(BpjsStatus(self.bpjs_status).label)


def participants(memberships: QuerySet[Membership], month: date) -> list[Participant]:
    """The workers of ``memberships`` (already narrowed to the month and to what the reader may see), each
    with what the city pays for them in ``month``, in budget-line then name order."""
    pricing = Pricing()
    line_of = lines_by_segment(month.year)
    rows = memberships.order_by("worker__name", "worker_id", "program__sort_order").values_list(
        "worker_id",
        "worker__nik",
        "worker__name",
        "segment__code",
        "bpjs_status",
        *PRICE_FIELDS,
    )
    people: dict[int, Participant] = {}
    for worker_id, nik, name, segment, status, *price in rows.iterator(chunk_size=5000):
        person = people.get(worker_id)
        if person is None:
            person = people[worker_id] = Participant(
                nik, name, segment, line_of.get(segment), {}, status
            )
        person.programs[price[0]] = person.programs.get(price[0], 0) + pricing.share(*price, month)
    return sorted(
        people.values(),
        key=lambda p: (p.budget_line is None, p.budget_line.code if p.budget_line else ""),
    )


def not_active_at_bpjs(memberships: QuerySet[Membership], month: date) -> QuerySet[Membership]:
    """Of the billed ``memberships``, those BPJS does not show active and paid in ``month``: not in its
    statement, lapsed with the last paid month before M, submitted and not yet active, or active from a
    date after M. They explain why BPJS's invoice can be lower than our bill (decision 65)."""
    return memberships.filter(
        Q(bpjs_status=BpjsStatus.MISSING)
        | Q(bpjs_status=BpjsStatus.SUBMITTED)
        | Q(bpjs_status=BpjsStatus.LAPSED, bpjs_paid_through__lt=month)
        | Q(bpjs_status=BpjsStatus.LAPSED, bpjs_paid_through__isnull=True)
        | Q(bpjs_status=BpjsStatus.ACTIVE, bpjs_effective_date__gt=month_last_day(month))
    )
