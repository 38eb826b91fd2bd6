"""Reading one cell: dates, amounts, yes/no, sex, text. Each parser returns the value or raises ``CellError``
with a sentence a clerk understands; NIK rules stay in ``enrollment.nik``, phone rules in ``enrollment.phones``.
"""

import re
from datetime import date, datetime
from enum import Enum

from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.formatting import short_date
from enrollment.free_text import free_text


class CellError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_DECIMALS = re.compile(r"^(\d+)[.,]0{1,2}$")
_YES = frozenset({"ya", "y", "yes", "true", "benar", "1", "v", "x", "✓"})
_NO = frozenset({"tidak", "t", "tdk", "no", "n", "false", "salah", "0", "-"})
_MALE = frozenset({"l", "laki-laki", "laki laki", "lk", "pria", "m", "male"})
_FEMALE = frozenset({"p", "perempuan", "pr", "wanita", "w", "f", "female"})


def is_blank(value) -> bool:
    return value is None or value == ""


def text(value, max_length: int) -> str:
    """A text cell, as ``enrollment.free_text`` reads it (control characters refused, line breaks a space); a
    number Excel made of it (a KPJ) is written back as its digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        result = free_text(value)
    elif isinstance(value, float) and value.is_integer():
        result = str(int(value))
    elif isinstance(value, datetime | date):
        result = short_date(value)
    else:
        result = " ".join(str(value).split())
    if len(result) > max_length:
        raise CellError(
            _("This is %(length)d characters long; at most %(max)d fit.")
            % {"length": len(result), "max": max_length},
            code="too_long",
        )
    return result


class DateKind(Enum):
    """What a date is, which decides the century of a two-digit year (decision 36): the window, in years before
    and after today, where such a date can lie. Each is shorter than 100 years, so at most one century fits."""

    # Born from this day 99 years ago to this day 10 years ago.
    BIRTH = (99, -10)
    # A job, a membership, a claim: from this day 60 years ago to this day in 10 years.
    EVENT = (60, 10)

    def fits(self, candidate: date, today: date) -> bool:
        back, ahead = self.value
        return _years_after(today, -back) <= candidate <= _years_after(today, ahead)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def parse_date(value, kind: DateKind = DateKind.EVENT, today: date | None = None) -> date:
    """A date cell: a spreadsheet date, ``2025-08-31``, or day, month and year as ``31/08/2025``,
    ``31-08-2025`` or ``31.08.2025``. A two-digit year (``31/08/25``, as a spreadsheet re-saves a CSV in the
    Indonesian locale) takes the one century that puts the date in ``kind``'s window; none fitting, it is refused.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    try:
        if len(raw) == 10 and raw[4] == "-":
            return date.fromisoformat(raw)
        if match := _DMY.match(raw):
            day, _separator, month, year = match.groups()
            if len(year) == 2:
                return _two_digit_year(raw, int(day), int(month), int(year), kind, today)
            return date(int(year), int(month), int(day))
        if len(raw) > 10 and raw[4] == "-" and raw[10] in " T":  # 2025-08-31 00:00:00
            return date.fromisoformat(raw[:10])
    except CellError:
        raise
    except ValueError:
        if day_month_order(raw) == MONTH_FIRST:
            raise CellError(
                _(
                    "“%(value)s” is not a date day first; it is written month first, as a spreadsheet with "
                    "US regional settings saves dates. Save the file with Indonesian regional settings "
                    "(day/month/year) or write the date as 2025-08-31."
                )
                % {"value": raw},
                code="month_first_date",
            ) from None
        raise CellError(
            _("“%(value)s” is not a real date.") % {"value": raw}, code="impossible_date"
        ) from None
    raise CellError(
        _("“%(value)s” is not a date; write it as 31/08/2025 or 2025-08-31.") % {"value": raw},
        code="not_a_date",
    )


def day_month_order(value) -> str | None:
    """How a text date's first two numbers fix their order: ``MONTH_FIRST`` when only month-first reads it
    (``03/27/20``), ``EITHER`` when both orders give a date (``01/05/01``), None otherwise (a spreadsheet date,
    ISO, a day above 12, the same day and month)."""
    if not isinstance(value, str) or not (match := _DMY.match(value.strip())):
        return None
    first, second = int(match.group(1)), int(match.group(3))
    if first <= 12 < second <= 31:
        return MONTH_FIRST
    if first <= 12 and second <= 12 and first != second:
        return EITHER
    return None


MONTH_FIRST, EITHER = "month_first", "either"


def _two_digit_year(
    raw: str, day: int, month: int, year: int, kind: DateKind, today: date | None
) -> date:
    today = today or timezone.localdate()
    candidates = []
    for century in (1900, 2000):
        try:
            candidates.append(date(century + year, month, day))
        except ValueError:  # 29/02/00 is a date in 2000 only
            continue
    if not candidates:
        raise ValueError(raw)
    fitting = [candidate for candidate in candidates if kind.fits(candidate, today)]
    if len(fitting) == 1:
        return fitting[0]
    shown = _(" or ").join(short_date(candidate) for candidate in candidates)
    raise CellError(
        (
            _(
                "“%(value)s” has a two-digit year, and no century makes it a likely birth date (%(dates)s; "
                "a birth date lies from 99 to 10 years ago). Write the year in four digits."
            )
            if kind is DateKind.BIRTH
            else _(
                "“%(value)s” has a two-digit year, and no century makes it a likely date here (%(dates)s; "
                "such a date lies from 60 years ago to 10 years ahead). Write the year in four digits."
            )
        )
        % {"value": raw, "dates": shown},
        code="unclear_century",
    )


def parse_rupiah(value) -> int:
    """A whole number of Rupiah: ``3900000``, ``3.900.000``, ``3,900,000``, ``Rp 3.900.000`` or an Excel number."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool):
        raise CellError(_("Write an amount in Rupiah."), code="not_an_amount")
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float) and value.is_integer():
        amount = int(value)
    else:
        raw = str(value).strip()
        raw = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
        if raw.isdigit():
            amount = int(raw)
        elif _GROUPED.match(raw):
            amount = int(re.sub(r"[.,]", "", raw))
        elif match := _DECIMALS.match(raw):
            amount = int(match.group(1))
        else:
            raise CellError(
                _("“%(value)s” is not an amount in whole Rupiah, such as 3900000 or 3.900.000.")
                % {"value": value},
                code="not_an_amount",
            )
    if amount < 0:
        raise CellError(_("An amount cannot be negative."), code="negative_amount")
    return amount


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = str(int(value))
    key = str(value).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(
        _("Write “ya” or “tidak” (not “%(value)s”).") % {"value": value}, code="not_yes_no"
    )


def parse_sex(value) -> str:
    key = str(value).strip().lower()
    if key in _MALE:
        return "L"
    if key in _FEMALE:
        return "P"
    raise CellError(
        _("Write L (male) or P (female), not “%(value)s”.") % {"value": value}, code="not_a_sex"
    )


def parse_decile(value) -> int:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = 0
    decile = int(number)
    if decile != number or not 1 <= decile <= 10:
        raise CellError(
            _("The desil is a number from 1 to 10, not “%(value)s”.") % {"value": value},
            code="not_a_decile",
        )
    return decile
