"""The report registry: each report is a declaration (identifier, title, who may run it, parameters, and a
function that turns a ``ReportContext`` into tables). Formats are a separate concern (``reports.exporters``), so
every format renders every report, and one more report is one more ``register(...)``.

The declared reports live in ``reports.definitions``, imported when the app is ready.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from berjasa.roles import REPORT_READER_ROLES, Role, user_has_any_role
from enrollment.models import Employer
from programs.models import Kecamatan, Segment
from reports.engine import TEXT, Headline, ReportContext
from reports.periods import Period
from reports.queries import CITY, Scope


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT  # engine.TEXT, COUNT, PERCENT or RUPIAH


@dataclass(frozen=True)
class ChartSpec:
    """How to draw a table: ``bars`` (``value`` per ``label``) or ``trend`` (the month trend table).

    ``reference`` draws a line across the bars (the UCJ target on a chart of percentages).
    """

    kind: str
    label: str = ""
    value: str = ""
    reference: Decimal | None = None
    reference_label: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    sheet: str  # the XLSX sheet's name: short and whole (Excel takes 31 characters), the title opens the sheet
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    chart: ChartSpec | None = None
    note: str = ""

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class ReportParams:
    period: Period
    scope: Scope = CITY
    by: tuple[str, ...] = ()  # breakdowns, for the reports that take them


@dataclass(frozen=True)
class ReportDefinition:
    identifier: str
    title: Promise
    build: Callable[[ReportContext, ReportParams], list[Table]]
    description: Promise | str = ""
    roles: tuple[Role, ...] = REPORT_READER_ROLES
    parameters: tuple[str, ...] = ("period", "segment", "kecamatan")
    # The breakdowns of coverage the report reads, fetched together with those of other reports.
    dimensions: Callable[[ReportParams], Iterable[str]] = lambda params: ()

    def allows(self, user) -> bool:
        return user_has_any_role(user, self.roles)


@dataclass(frozen=True)
class ReportResult:
    report: ReportDefinition
    params: ReportParams
    headline: Headline
    tables: tuple[Table, ...]
    filters: tuple[tuple[str, str], ...]
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return str(self.report.title)

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON values (counts and Rupiah as integers, percentages as numbers)."""

        def plain(value):
            return float(value) if isinstance(value, Decimal) else value

        period = self.params.period
        return {
            "report": self.report.identifier,
            "title": self.title,
            "period": {
                "key": period.key,
                "label": period.label(),
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            },
            "filters": [{"label": label, "value": value} for label, value in self.filters],
            "generated_at": timezone.localtime(self.generated_at).isoformat(),
            "headline": [
                {"key": f.key, "label": f.label, "value": plain(f.value), "kind": f.kind}
                for f in self.headline.figures
            ],
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "columns": [
                        {"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns
                    ],
                    "rows": [[plain(value) for value in row] for row in table.rows],
                }
                for table in self.tables
            ],
        }


REPORTS: dict[str, ReportDefinition] = {}


def register(definition: ReportDefinition) -> ReportDefinition:
    if definition.identifier in REPORTS:
        raise ValueError(f"A report {definition.identifier!r} is already registered.")
    REPORTS[definition.identifier] = definition
    return definition


def get_report(identifier: str) -> ReportDefinition:
    """The declared report; KeyError for an unknown identifier."""
    return REPORTS[identifier]


def describe_scope(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The filters of a scope as people read them (names, never ids)."""
    filters = []
    if scope.employer_id is not None:
        filters.append((_("Employer"), Employer.objects.get(pk=scope.employer_id).name))
    if scope.segment_id is not None:
        filters.append((_("Segment"), Segment.objects.get(pk=scope.segment_id).name))
    if scope.kecamatan_id is not None:
        filters.append((_("District"), Kecamatan.objects.get(pk=scope.kecamatan_id).name))
    return tuple(filters)


def run_reports(identifiers: Iterable[str], params: ReportParams) -> list[ReportResult]:
    """Run several reports on one shared context: the covered set is built once for all their breakdowns."""
    definitions = [get_report(identifier) for identifier in identifiers]
    dimensions = {key for d in definitions for key in d.dimensions(params)}
    context = ReportContext(params.period, params.scope, sorted(dimensions))
    filters = describe_scope(params.scope)
    return [
        ReportResult(d, params, context.headline, tuple(d.build(context, params)), filters)
        for d in definitions
    ]


def run_report(identifier: str, params: ReportParams) -> ReportResult:
    return run_reports([identifier], params)[0]
