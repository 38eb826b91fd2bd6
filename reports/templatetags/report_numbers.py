"""Template filters for figures in the Indonesian format: ``{{ n|count }}`` → 263.903, ``{{ p|percent }}`` →
63,47 %, ``{{ amount|rupiah_short }}`` → Rp387,4 miliar."""

from django import template

from reports.engine import COUNT, PERCENT, RUPIAH
from reports.formatting import cell

register = template.Library()


@register.filter
def count(value) -> str:
    return cell(value, COUNT)


@register.filter
def percent(value) -> str:
    return cell(value, PERCENT)


@register.filter
def rupiah_short(value) -> str:
    return cell(value, RUPIAH, short_money=True)
