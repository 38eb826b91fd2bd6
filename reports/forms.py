"""The dashboard's filters (a GET form, so every view of the figures has its own address)."""

from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from programs.models import Kecamatan, Segment
from reports.periods import (
    Period,
    PeriodKind,
    month_period,
    previous_month,
    quarter_period,
    year_period,
)
from reports.queries import Scope
from reports.registry import ReportParams

FIRST_YEAR = 2015  # the oldest memberships in the city's data start then


class FilterForm(forms.Form):
    period_type = forms.ChoiceField(
        label=_("Period type"),
        choices=[
            (PeriodKind.MONTH.value, _("Month")),
            (PeriodKind.QUARTER.value, _("Quarter")),
            (PeriodKind.YEAR.value, _("Year")),
        ],
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=list(MONTHS.items()), required=False
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[(q, f"Q{q}") for q in range(1, 5)],
        required=False,
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All segments"),
    )
    kecamatan = forms.ModelChoiceField(
        label=_("District"),
        queryset=Kecamatan.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All districts"),
    )

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        default = previous_month(today)
        defaults = {
            "period_type": PeriodKind.MONTH.value,
            "year": str(default.start.year),
            "month": str(default.start.month),
            "quarter": str((default.start.month - 1) // 3 + 1),
        }
        # Missing fields take the defaults, so a bare /reports/ shows last month.
        super().__init__({**defaults, **(data.dict() if data else {})}, **kwargs)
        self.fields["year"].choices = [(y, y) for y in range(today.year, FIRST_YEAR - 1, -1)]

    def period(self) -> Period:
        data = self.cleaned_data
        kind = data["period_type"]
        if kind == PeriodKind.YEAR:
            return year_period(data["year"])
        if kind == PeriodKind.QUARTER:
            return quarter_period(data["year"], data["quarter"] or 1)
        return month_period(data["year"], data["month"] or 1)

    def report_params(self) -> ReportParams:
        data = self.cleaned_data
        scope = Scope(
            segment_id=data["segment"].pk if data["segment"] else None,
            kecamatan_id=data["kecamatan"].pk if data["kecamatan"] else None,
        )
        return ReportParams(self.period(), scope)

    def querystring(self) -> str:
        """The filters as a query string, for download links that show the same figures."""
        data = self.cleaned_data
        values = {
            "period_type": data["period_type"],
            "year": data["year"],
            "month": data["month"],
            "quarter": data["quarter"],
            "segment": data["segment"].code if data["segment"] else "",
            "kecamatan": data["kecamatan"].code if data["kecamatan"] else "",
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})
