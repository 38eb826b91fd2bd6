"""Template filters for Rupiah, Indonesian numbers and durations."""

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


@register.filter
def minutes(duration: timedelta | None) -> int:
    return int(duration.total_seconds() // 60) if duration else 0
