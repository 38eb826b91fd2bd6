from django import template

from berjasa import formatting

register = template.Library()


@register.filter
def percent(value) -> str:
    """A reporting rate as people read it, two decimals: ``63,47%``; ``—`` without employers."""
    return "—" if value is None else formatting.percent(value)
