"""Template filters for Rupiah, Indonesian numbers, durations and masked NIKs."""

import re
from datetime import timedelta

from django import template

from berjasa import formatting

register = template.Library()


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
