"""Report periods: a month (``2025-08``), a quarter (``2025-Q3``), a year (``2025``), a range of months
(``2023-01..2025-10``, the month trend) or a day (``2025-08-14``, coverage as of that date: its month up to it).

Stock figures are taken on a period's last day (``end``); flows are counted from ``start`` to ``end``.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from berjasa.formatting import long_date

# A trend longer than this is a mistake rather than a question (20 years of months).
MAX_RANGE_MONTHS = 240

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"
    DAY = "day"


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is expected."""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_last_day(month: date) -> date:
    """The last day of ``month``'s month."""
    return month_end(month.year, month.month)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return date(*shift_month(month.year, month.month, 1), 1)


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """The (year, month) ``months`` after (or before, when negative) the given one."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date
    key: str

    @property
    def year(self) -> int:
        """The year whose estimates and target apply: the year of the period's last day."""
        return self.end.year

    @property
    def is_range(self) -> bool:
        return self.kind == PeriodKind.RANGE

    @property
    def is_day(self) -> bool:
        return self.kind == PeriodKind.DAY

    def month_ends(self) -> list[date]:
        """The last day of every month in the period, in order; a period ending within a month ends the list
        with its own last day."""
        ends = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            ends.append(min(month_end(year, month), self.end))
            year, month = shift_month(year, month, 1)
        return ends

    def trailing_months(self, count: int) -> "Period":
        """The range of ``count`` months ending with this period's last month (on its last day)."""
        year, month = shift_month(self.end.year, self.end.month, -(count - 1))
        return Period(
            PeriodKind.RANGE,
            date(year, month, 1),
            self.end,
            f"{year:04d}-{month:02d}..{self.end:%Y-%m}",
        )

    def label(self) -> str:
        """For people: ``Agustus 2025``, ``Triwulan III 2025``, ``2025``, ``Januari 2023 – Oktober 2025``,
        ``14 Agustus 2025``."""
        if self.kind == PeriodKind.MONTH:
            return f"{MONTHS[self.start.month]} {self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            quarter = ("I", "II", "III", "IV")[(self.start.month - 1) // 3]
            return _("Quarter %(quarter)s %(year)s") % {"quarter": quarter, "year": self.start.year}
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.DAY:
            return long_date(self.end)
        return f"{MONTHS[self.start.month]} {self.start.year} – {MONTHS[self.end.month]} {self.end.year}"

    def __str__(self) -> str:
        return self.key


def month_period(year: int, month: int) -> Period:
    return Period(
        PeriodKind.MONTH, date(year, month, 1), month_end(year, month), f"{year:04d}-{month:02d}"
    )


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(
        PeriodKind.QUARTER,
        date(year, first, 1),
        month_end(year, first + 2),
        f"{year:04d}-Q{quarter}",
    )


def year_period(year: int) -> Period:
    return Period(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def day_period(day: date) -> Period:
    """Coverage as of ``day``; its flows and claims are those of its month up to it."""
    return Period(PeriodKind.DAY, day.replace(day=1), day, day.isoformat())


def _month(text: str, whole: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError(_("“%(period)s” is not a month such as 2025-08.") % {"period": whole})
    return int(match[1]), int(match[2])


def parse_period(text: str) -> Period:
    """Read ``2025-08``, ``2025-Q3``, ``2025`` or ``2023-01..2025-10``; raise PeriodError otherwise."""
    text = text.strip()
    try:
        return _parse(text)
    except PeriodError:
        raise
    except ValueError as error:  # year 0000 and the like
        raise PeriodError(_("“%(period)s” is not a period.") % {"period": text}) from error


def _parse(text: str) -> Period:
    if ".." in text:
        first, _sep, last = text.partition("..")
        start, end = _month(first, text), _month(last, text)
        if end < start:
            raise PeriodError(_("A range of months must end after it starts."))
        if (end[0] - start[0]) * 12 + end[1] - start[1] >= MAX_RANGE_MONTHS:
            raise PeriodError(
                _("A range may span at most %(count)d months.") % {"count": MAX_RANGE_MONTHS}
            )
        return Period(
            PeriodKind.RANGE, date(*start, 1), month_end(*end), f"{first.strip()}..{last.strip()}"
        )
    if match := _QUARTER.match(text):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _YEAR.match(text):
        return year_period(int(match[1]))
    if _MONTH.match(text):
        return month_period(*_month(text, text))
    if _DAY.match(text):
        return day_period(date.fromisoformat(text))
    raise PeriodError(
        _(
            "“%(period)s” is not a period: write 2025-08, 2025-Q3, 2025, 2023-01..2025-10 or a day, "
            "2025-08-14."
        )
        % {"period": text}
    )


def previous_month(today: date) -> Period:
    """The last complete month before ``today`` (what a monthly scheduler reports on)."""
    return month_period(*shift_month(today.year, today.month, -1))
