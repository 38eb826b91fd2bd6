"""Numbers, money, dates and times as people in Makassar read them, in the Indonesian forms whatever the
interface language (decision 39).

``rupiah(16_800)`` is ``Rp16.800`` (a dot between thousands, no decimals: Rupiah amounts are whole);
``rupiah_short(387_400_000_000)`` is ``Rp387,4 miliar`` (a decimal comma and the scale word, as in the
city's and BPJS's own reports); ``percent`` is ``63,47%`` (EYD: no space before the sign). Dates and times
follow the formats in ``berjasa/formats/`` (``31/08/2025``, ``23.59 WITA``); code that shows one calls these
helpers (or the template filters ``date``, ``date:"DATETIME_FORMAT"``, ``time``, ``long_date``) rather than writing its own
pattern. Files for machines (JSON, URLs, file names, ``<input type=date>`` values) stay ISO.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext

# Largest first. Below a million the full amount reads well enough.
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def number(value: int) -> str:
    """``263903`` → ``263.903``."""
    return f"{value:,}".replace(",", ".")


def percent(value: Decimal | float, places: int | None = 2) -> str:
    """``Decimal("63.47")`` → ``63,47%`` (``places`` decimals, half up); ``places=None`` writes the value as
    precise as it is, trailing zeros dropped (a rate: ``Decimal("0.500")`` → ``0,5%``, ``3`` → ``3%``)."""
    exact = Decimal(str(value))
    if places is None:
        rounded = exact.normalize() if exact != exact.to_integral_value() else exact.quantize(1)
    else:
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _sep, fraction = f"{abs(rounded):f}".partition(".")
    return f"{sign}{number(int(whole))}{',' if fraction else ''}{fraction}%"


LONG_DATE_FORMAT = "j F Y"  # 31 Agustus 2025: report titles and headings only


# Django date-format characters that have a strftime twin: exports write a date per cell, and strftime is ten
# times faster than ``date_format`` (and a cache of the days already written faster still).
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


def _numeric_format(name: str) -> str:
    """A numeric date or time format (``DATE_FORMAT``, ``DATETIME_FORMAT``, ``TIME_FORMAT``): the site
    language's, the same in every language and also where no language is active (commands, streamed files)."""
    return get_format(name, settings.LANGUAGE_CODE)


@lru_cache
def _date_pattern() -> str | None:
    """``DATE_FORMAT`` for strftime (``d/m/Y`` → ``%d/%m/%Y``); ``None`` when a character has no twin."""
    django_format = _numeric_format("DATE_FORMAT")
    if "\\" in django_format or any(c.isalpha() and c not in _STRFTIME for c in django_format):
        return None
    return "".join(_STRFTIME.get(c, c.replace("%", "%%")) for c in django_format)


@lru_cache(maxsize=16_384)
def short_date(day: date) -> str:
    """``31/08/2025``: every date a clerk reads or writes (``DATE_FORMAT``)."""
    pattern = _date_pattern()
    return day.strftime(pattern) if pattern else date_format(day, _numeric_format("DATE_FORMAT"))


def date_range(start: date, end: date | None) -> str:
    """``01/07/2025–31/08/2025``; an open range ``01/07/2025–``."""
    return f"{short_date(start)}–{short_date(end) if end else ''}"


def long_date(day: date) -> str:
    """``31 Agustus 2025`` (``31 August 2025`` in English): a report's day in its title or heading."""
    return date_format(day, LONG_DATE_FORMAT)


def clock(moment: datetime) -> str:
    """``23.59 WITA``: the time of day of a moment, in the site's zone (``TIME_FORMAT``)."""
    return date_format(timezone.localtime(moment), _numeric_format("TIME_FORMAT"))


def date_time(moment: datetime) -> str:
    """``31/08/2025 23.59 WITA``: a moment in the site's zone (``DATETIME_FORMAT``)."""
    return date_format(timezone.localtime(moment), _numeric_format("DATETIME_FORMAT"))


def mask_nik(nik: str) -> str:
    """A NIK as lists show it: ``7371051203900001`` → ``737105••••••0001``.

    The province, regency and district (6 digits) and the last 4 stay; the birth date is hidden. The full NIK
    is on the person's own page only (whose every view is recorded, ``privacy``) and in downloads.
    """
    if len(nik) <= 10:
        return "•" * len(nik)
    return f"{nik[:6]}{'•' * (len(nik) - 10)}{nik[-4:]}"


def rupiah(amount: int) -> str:
    """``16800`` → ``Rp16.800``; ``-5000`` → ``-Rp5.000``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{number(abs(amount))}"


def rupiah_short(amount: int) -> str:
    """A large amount rounded to its scale: ``Rp387,4 miliar``, ``Rp5,97 miliar``, ``Rp1,5 juta``.

    Two decimals below 10 of a unit, one decimal above, trailing zeros dropped; amounts under a million
    (after rounding) are written in full, as ``rupiah`` does.
    """
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    for unit, word in _SCALES:
        value = Decimal(size) / unit
        step = Decimal("0.01") if value < 10 else Decimal("0.1")
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
        if rounded >= 1:
            number = f"{rounded:f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{sign}Rp{number} {word}"
    return rupiah(amount)


_DIGITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_GROUPS = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"), (100, "ratus"))


def _in_words(n: int) -> str:
    for size, word in _GROUPS:
        if n >= size:
            head, rest = divmod(n, size)
            # seratus, seribu; but "satu juta", "satu miliar"
            lead = "se" + word if head == 1 and size in (100, 1000) else f"{_in_words(head)} {word}"
            return f"{lead} {_in_words(rest)}".strip()
    if n >= 20:
        tens, ones = divmod(n, 10)
        return f"{_DIGITS[tens]} puluh {_DIGITS[ones]}".strip()
    if n >= 12:
        return f"{_DIGITS[n - 10]} belas"
    return ("sepuluh", "sebelas")[n - 10] if n >= 10 else _DIGITS[n]


def rupiah_in_words(amount: int) -> str:
    """The amount as a signed document writes it out (*terbilang*), always in Indonesian:
    ``82_800`` → ``delapan puluh dua ribu delapan ratus rupiah``."""
    return f"{_in_words(amount) if amount else 'nol'} rupiah"


NOTHING = "—"


def is_money_field(field: models.Field) -> bool:
    """Integer Rupiah amounts are the ``PositiveBigIntegerField``s (a key or an audit id is a big integer too)."""
    return isinstance(field, models.PositiveBigIntegerField)


def field_value(field: models.Field, value) -> str:
    """A stored value of a model field as a change list shows it: the choice's label, ``ya``/``tidak``,
    ``31/08/2025``, ``31/08/2025 23.59 WITA``, ``Rp3.650.000`` (the integer Rupiah fields are the
    ``PositiveBigIntegerField``s), ``39.851``; nothing is ``—``. A reference is shown as it comes (the caller
    names it)."""
    if value is None or value == "":
        return NOTHING
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return date_time(value)
    if isinstance(value, date):
        return short_date(value)
    if is_money_field(field):
        return rupiah(value)
    if isinstance(value, int) and not field.is_relation:
        return number(value)
    return str(value)
