"""Periodic snapshots: a report for one period, stored once with its figures and rendered files.

A stored snapshot is never rewritten. Running again for the same period returns the stored one; a new version is
made only when asked for, and the old one is kept.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.exporters import EXPORTERS, filename
from reports.models import ReportSnapshot
from reports.periods import Period
from reports.registry import ReportParams, run_report

SNAPSHOT_REPORT = "coverage"
# Model field → exporter.
SNAPSHOT_FILES = {"pdf_file": "pdf", "xlsx_file": "xlsx", "csv_file": "csv"}


@dataclass(frozen=True)
class SnapshotOutcome:
    snapshot: ReportSnapshot
    created: bool


class SnapshotRefused(ValueError):
    """A period whose report is not stored: the message says why, in the user's language."""


def refusal(period: Period, today: date) -> str | None:
    """Why the report of ``period`` is not stored: not a month, a quarter or a year, or not ended by ``today``.
    None when it may be: a stored report is final, so a period still being entered is never stored."""
    if period.is_range or period.is_day:
        return _("A report is stored for a month, a quarter or a year.")
    if period.end >= today:
        return _("%(period)s has not ended yet; its report is stored once it has.") % {
            "period": period.label()
        }
    return None


def generate_snapshot(
    period: Period, *, new_version: bool = False, user=None, report: str = SNAPSHOT_REPORT
) -> SnapshotOutcome:
    """The snapshot of ``report`` for ``period``: the latest stored one, or a new one (version 1, or the next
    version when ``new_version``). ``SnapshotRefused`` for a period that is no snapshot period (``refusal``)."""
    reason = refusal(period, timezone.localdate())
    if reason:
        raise SnapshotRefused(reason)
    stored = ReportSnapshot.objects.filter(report=report, period=period.key)
    latest = stored.order_by("-version").first()
    if latest is not None and not new_version:
        return SnapshotOutcome(latest, created=False)

    # Render before opening the transaction: the slow part holds no lock.
    result = run_report(report, ReportParams(period))
    files = {
        field: (filename(result, EXPORTERS[fmt]), EXPORTERS[fmt].render(result))
        for field, fmt in SNAPSHOT_FILES.items()
    }
    with transaction.atomic():
        version = (stored.aggregate(last=Max("version"))["last"] or 0) + 1
        # The unique (report, period, version) constraint stops a concurrent run from taking the same number.
        snapshot = ReportSnapshot.objects.create(
            report=report,
            period=period.key,
            version=version,
            parameters={"period": period.key, "scope": "city"},
            figures=result.as_dict(),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        for field, (name, content) in files.items():
            stem, _dot, extension = name.rpartition(".")
            getattr(snapshot, field).save(
                f"{stem}-v{version}.{extension}", ContentFile(content), save=False
            )
        snapshot.save(update_fields=list(SNAPSHOT_FILES))
    return SnapshotOutcome(snapshot, created=True)
