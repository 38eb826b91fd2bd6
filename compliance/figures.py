"""The reporting rate of the monthly roster confirmation, per month, kecamatan, sector and size.

For a month M ending on day E:

- the **denominator** is the employers with at least one worker on the roster at E: an employment with
  ``start_date ≤ E`` and ``end_date`` empty or ``≥ E`` (6,190 in August 2025 at ``seed_demo --scale 1``);
- **confirmed** are those of them with a standing (not reopened) confirmation of M;
- the **rate** is confirmed ÷ denominator × 100, two decimals half up.

One statement answers a month and the 11 before it: it flags, per employer, the month ends at which it had a
worker (one pass over the employments that overlap the 12 months, grouped by employer) and the months it
confirmed (one pass over the standing confirmations of those months), then sums the flags by kecamatan, sector
and size. Every breakdown and the total are sums of those groups, so they add up; the trend is the same sums per
month. The list of employers that did not confirm is an ORM queryset of the same rule. Portable SQL: PostgreSQL
and SQLite alike; values are parameters.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)

from compliance.models import RosterConfirmation
from compliance.months import first_of, month_end, months_back
from compliance.services import not_confirmed, on_roster_at
from enrollment.models import Employer, EmployerUser, Employment, Membership
from programs.models import Kecamatan, Kelurahan
from reports.queries import percent_of

TREND_MONTHS = 12
UNKNOWN = ""  # the kecamatan of an employer without a kelurahan


@dataclass(frozen=True)
class Filters:
    """A part of the city's employers: one kecamatan (its id), sector and size, each optional."""

    kecamatan: int | None = None
    sector: str = ""
    size: str = ""

    def sql(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.kecamatan:
            clauses.append("l.kecamatan_id = %s")
            params.append(self.kecamatan)
        if self.sector:
            clauses.append("emp.sector = %s")
            params.append(self.sector)
        if self.size:
            clauses.append("emp.size = %s")
            params.append(self.size)
        return (" AND ".join(clauses) or "1 = 1"), params

    def apply(self, employers: QuerySet[Employer]) -> QuerySet[Employer]:
        if self.kecamatan:
            employers = employers.filter(kelurahan__kecamatan_id=self.kecamatan)
        if self.sector:
            employers = employers.filter(sector=self.sector)
        if self.size:
            employers = employers.filter(size=self.size)
        return employers


EVERYONE = Filters()


@dataclass(frozen=True)
class Tally:
    employers: int = 0
    confirmed: int = 0

    @property
    def not_confirmed(self) -> int:
        return self.employers - self.confirmed

    @property
    def rate(self) -> Decimal | None:
        """Confirmed as a percentage of the employers, two decimals; None without employers."""
        return percent_of(self.confirmed, self.employers)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.employers + other.employers, self.confirmed + other.confirmed)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    tally: Tally


@dataclass(frozen=True)
class ComplianceFigures:
    month: date
    filters: Filters
    total: Tally
    by_kecamatan: list[Line] = field(default_factory=list)
    by_sector: list[Line] = field(default_factory=list)
    by_size: list[Line] = field(default_factory=list)
    trend: list[tuple[date, Tally]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The command's JSON: ``month``, ``employers``, ``confirmed``, ``rate`` and ``by_kecamatan`` are a
        contract (decision text in the report); ``by_sector``, ``by_size`` and ``trend`` are added."""

        def rate(tally: Tally) -> float:
            return float(tally.rate) if tally.rate is not None else 0.0

        def lines(name: str, found: list[Line]) -> list[dict]:
            return [
                {
                    name: line.key or None,
                    "employers": line.tally.employers,
                    "confirmed": line.tally.confirmed,
                    "rate": rate(line.tally),
                }
                for line in found
            ]

        return {
            "month": f"{self.month:%Y-%m}",
            "employers": self.total.employers,
            "confirmed": self.total.confirmed,
            "rate": rate(self.total),
            "by_kecamatan": lines("kecamatan", self.by_kecamatan),
            "by_sector": lines("sector", self.by_sector),
            "by_size": lines("size", self.by_size),
            "trend": [
                {
                    "month": f"{month:%Y-%m}",
                    "employers": tally.employers,
                    "confirmed": tally.confirmed,
                    "rate": rate(tally),
                }
                for month, tally in self.trend
            ],
        }


def _statement(months: list[date], filters: Filters) -> tuple[str, list]:
    quote = connection.ops.quote_name
    employment = quote(Employment._meta.db_table)
    employer = quote(Employer._meta.db_table)
    kelurahan = quote(Kelurahan._meta.db_table)
    kecamatan = quote(Kecamatan._meta.db_table)
    confirmation = quote(RosterConfirmation._meta.db_table)
    ends = [month_end(month) for month in months]
    params: list = []
    roster_flags = []
    for index, end in enumerate(ends):
        roster_flags.append(
            "MAX(CASE WHEN e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s) "
            f"THEN 1 ELSE 0 END) AS r{index}"
        )
        params += [end, end]
    params += [ends[-1], ends[0]]
    confirmed_flags = []
    for index, month in enumerate(months):
        confirmed_flags.append(f"MAX(CASE WHEN c.month = %s THEN 1 ELSE 0 END) AS c{index}")
        params.append(month)
    params += [months[0], months[-1]]
    sums = []
    for index in range(len(months)):
        sums.append(f"SUM(r.r{index})")
        sums.append(f"SUM(CASE WHEN r.r{index} = 1 AND c.c{index} = 1 THEN 1 ELSE 0 END)")
    where, filter_params = filters.sql()
    params += filter_params
    sql = f"""
        WITH roster AS (
            SELECT e.employer_id AS employer_id, {", ".join(roster_flags)}
            FROM {employment} e
            WHERE e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)
            GROUP BY e.employer_id
        ), confirmed AS (
            SELECT c.employer_id AS employer_id, {", ".join(confirmed_flags)}
            FROM {confirmation} c
            WHERE c.reopened_at IS NULL AND c.month >= %s AND c.month <= %s
            GROUP BY c.employer_id
        )
        SELECT k.code, emp.sector, emp.size, {", ".join(sums)}
        FROM roster r
        JOIN {employer} emp ON emp.id = r.employer_id
        LEFT JOIN {kelurahan} l ON l.id = emp.kelurahan_id
        LEFT JOIN {kecamatan} k ON k.id = l.kecamatan_id
        LEFT JOIN confirmed c ON c.employer_id = r.employer_id
        WHERE {where}
        GROUP BY k.code, emp.sector, emp.size
    """  # noqa: S608 - only table names and fixed fragments are put in; values are parameters
    return sql, params


def compliance_figures(
    month: date, filters: Filters = EVERYONE, *, trend_months: int = TREND_MONTHS
) -> ComplianceFigures:
    """The month's reporting rate, its breakdowns and the trend of ``trend_months`` months ending with it."""
    month = first_of(month)
    months = months_back(month, trend_months)
    sql, params = _statement(months, filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    last = len(months) - 1
    by_kecamatan: dict[str, Tally] = {}
    by_sector: dict[str, Tally] = {}
    by_size: dict[str, Tally] = {}
    trend = [Tally() for _ in months]
    for code, sector, size, *sums in groups:
        for index in range(len(months)):
            trend[index] += Tally(int(sums[2 * index] or 0), int(sums[2 * index + 1] or 0))
        tally = Tally(int(sums[2 * last] or 0), int(sums[2 * last + 1] or 0))
        if not tally.employers:
            continue
        key = code or UNKNOWN
        by_kecamatan[key] = by_kecamatan.get(key, Tally()) + tally
        by_sector[sector] = by_sector.get(sector, Tally()) + tally
        by_size[size] = by_size.get(size, Tally()) + tally
    names = dict(Kecamatan.objects.values_list("code", "name"))
    sectors = dict(Employer.Sector.choices)
    sizes = dict(Employer.Size.choices)
    return ComplianceFigures(
        month=month,
        filters=filters,
        total=trend[last],
        by_kecamatan=[
            Line(code, names.get(code, code) if code else "—", by_kecamatan[code])
            for code in sorted(by_kecamatan)
        ],
        by_sector=[
            Line(code, str(sectors.get(code, code)), by_sector[code])
            for code in sectors
            if code in by_sector
        ],
        by_size=[
            Line(code, str(sizes.get(code, code)), by_size[code])
            for code in sizes
            if code in by_size
        ],
        trend=list(zip(months, trend, strict=True)),
    )


def employers_on_roster(month: date) -> QuerySet[Employer]:
    """The denominator of ``month`` as a queryset: employers with a worker on the roster at its end."""
    end = month_end(first_of(month))
    return Employer.objects.filter(
        Exists(Employment.objects.filter(employer=OuterRef("pk")).filter(on_roster_at(end)))
    )


def non_confirmed_employers(month: date, filters: Filters = EVERYONE) -> QuerySet[Employer]:
    """The employers of the denominator without a standing confirmation of ``month``, by name, with their
    kecamatan, contact (the employer's e-mail and its main contact's login), last roster update (the latest
    ``updated_at`` of its employments and of its memberships) and last confirmation (of any month)."""
    month = first_of(month)
    main_contact = EmployerUser.objects.filter(employer=OuterRef("pk"), is_main_contact=True)
    standing = RosterConfirmation.objects.filter(employer=OuterRef("pk"), reopened_at=None)
    latest_employment = (
        Employment.objects.filter(employer=OuterRef("pk"))
        .order_by()
        .values("employer")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    latest_membership = (
        Membership.objects.filter(employer=OuterRef("pk"))
        .order_by()
        .values("employer")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    return (
        filters.apply(employers_on_roster(month))
        .filter(not_confirmed(month))
        .annotate(
            kecamatan_code=F("kelurahan__kecamatan__code"),
            kecamatan_name=F("kelurahan__kecamatan__name"),
            contact_name=Subquery(main_contact.values("user__username")[:1]),
            contact_email=Subquery(main_contact.values("user__email")[:1]),
            employment_update=Subquery(latest_employment[:1]),
            membership_update=Subquery(latest_membership[:1]),
            last_month=Subquery(standing.order_by("-month").values("month")[:1]),
            last_confirmed_at=Subquery(standing.order_by("-month").values("confirmed_at")[:1]),
        )
        .order_by("name", "pk")
    )


def last_roster_update(employer: Employer):
    """The later of the employer's two latest updates (either may be missing)."""
    found = [
        moment
        for moment in (employer.employment_update, employer.membership_update)
        if moment is not None
    ]
    return max(found, default=None)
