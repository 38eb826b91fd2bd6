"""Template filters for Rupiah, Indonesian numbers, long dates, durations and masked NIKs.

Short dates, moments and clock times are Django's own filters with the formats of `berjasa/formats/`: `{{ day|date }}`
(31/08/2025), `{{ moment|date:"DATETIME_FORMAT" }}` (31/08/2025 23.59 WITA), `{{ moment|time }}` (23.59 WITA).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django import template

from berjasa import formatting
from berjasa.roles import BUDGET_READER_ROLES, user_has_any_role

register = template.Library()


@register.filter
def reads_budget(user) -> bool:
    """Whether the navigation links the city budget's pages (BUDGET_READER_ROLES)."""
    return user_has_any_role(user, BUDGET_READER_ROLES)


@register.filter
def rupiah(amount):
    return "" if amount is None else formatting.rupiah(int(amount))


@register.filter
def rupiah_short(amount):
    return "" if amount is None else formatting.rupiah_short(int(amount))


@register.filter
def masked_nik(nik: str | None) -> str:
    return formatting.mask_nik(nik) if nik else ""


_A_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


@register.filter
def masked_niks_in(text: str | None) -> str:
    """A text with every 16-digit run masked, e.g. the names the admin's log stored as ``Andi (7371…)``."""
    return _A_NIK.sub(lambda found: formatting.mask_nik(found.group()), text or "")


@register.filter
def minutes(duration: timedelta | None) -> int:
    return int(duration.total_seconds() // 60) if duration else 0


@register.filter
def long_date(day) -> str:
    """``31 Agustus 2025``: a report's day in a heading (``formatting.long_date``); lists use ``|date``."""
    return formatting.long_date(day) if day else ""


@register.filter
def rate(value: str | None) -> str:
    """A rate as the calculator's JSON writes it (``"0.24"``) as people read it: ``0,24%``."""
    return formatting.percent(Decimal(value), places=None) if value else ""


@register.filter
def iso_date(value: str | None) -> str:
    """A date as a JSON contract writes it (``"2015-07-01"``) as people read it: ``01/07/2015``."""
    return formatting.short_date(date.fromisoformat(value)) if value else ""
