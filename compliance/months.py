"""Months as the compliance figures name them: the first day of the month (stored), ``2025-08`` (commands,
URLs, JSON), ``Agustus 2025`` (pages and mail)."""

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.periods import month_last_day, month_period, next_month, shift_month


def first_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of ``month``."""
    return month_last_day(month)


def previous_month(month: date) -> date:
    return date(*shift_month(month.year, month.month, -1), 1)


def months_back(month: date, count: int) -> list[date]:
    """``count`` months ending with ``month``, oldest first."""
    months = [first_of(month)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def parse_month(text: str) -> date:
    """``2025-08`` → 1 August 2025; ValueError with a clerk-readable message otherwise."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError) as error:
        raise ValueError(
            _("%(text)s is not a month: write it as year-month, e.g. 2025-08.") % {"text": text}
        ) from error


def month_label(month: date) -> str:
    """``Agustus 2025`` (``August 2025`` in English)."""
    return month_period(month.year, month.month).label()


def local_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) moments in the site's zone (WITA), for timestamps."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(month, time.min), zone),
        timezone.make_aware(datetime.combine(next_month(month), time.min), zone),
    )
