"""The dashboard's filters (a GET form, so every view of the figures has its own address), and the staff's form
that stores a period's report."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from enrollment.portal.forms import DateInput
from programs.models import Kecamatan, Segment
from reports.periods import (
    Period,
    PeriodError,
    PeriodKind,
    day_period,
    month_period,
    parse_period,
    previous_month,
    quarter_period,
    year_period,
)
from reports.queries import Scope, latest_data_day
from reports.registry import ReportParams
from reports.snapshots import refusal

FIRST_YEAR = 2015  # the oldest memberships in the city's data start then


class FilterForm(forms.Form):
    period_type = forms.ChoiceField(
        label=_("Period type"),
        choices=[
            (PeriodKind.MONTH.value, _("Month")),
            (PeriodKind.QUARTER.value, _("Quarter")),
            (PeriodKind.YEAR.value, _("Year")),
            (PeriodKind.DAY.value, _("As of a date")),
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
    day = forms.DateField(label=_("Date"), required=False, widget=DateInput())
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
        self.latest_data = latest_data_day(today)
        default = default_month(today, self.latest_data)
        defaults = {
            "period_type": PeriodKind.MONTH.value,
            "year": str(default.start.year),
            "month": str(default.start.month),
            "quarter": str((default.start.month - 1) // 3 + 1),
            "day": (self.latest_data or default.end).isoformat(),
        }
        # Missing fields take the defaults, so a bare /reports/ shows the latest month with data.
        super().__init__({**defaults, **(data.dict() if data else {})}, **kwargs)
        self.fields["year"].choices = [(y, y) for y in range(today.year, FIRST_YEAR - 1, -1)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period_type") == PeriodKind.DAY:
            day = cleaned.get("day")
            if not day:
                self.add_error("day", _("Choose the date of the coverage."))
            elif day > timezone.localdate():
                self.add_error(
                    "day", _("Choose a day up to today: coverage is counted on days past.")
                )
        return cleaned

    def period(self) -> Period:
        data = self.cleaned_data
        kind = data["period_type"]
        if kind == PeriodKind.DAY:
            return day_period(data["day"])
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
        places = {
            "segment": data["segment"].code if data["segment"] else "",
            "kecamatan": data["kecamatan"].code if data["kecamatan"] else "",
        }
        query = urlencode({k: v for k, v in places.items() if v})
        return "&".join(filter(None, [period_query(self.period()), query]))


def period_query(period: Period) -> str:
    """The dashboard's query string of a period (a month, a quarter, a year or a day)."""
    values = {"period_type": period.kind.value, "year": period.start.year}
    if period.is_day:
        values["day"] = period.end.isoformat()
    elif period.kind == PeriodKind.QUARTER:
        values["quarter"] = (period.start.month - 1) // 3 + 1
    elif period.kind == PeriodKind.MONTH:
        values["month"] = period.start.month
    return urlencode(values)


def default_month(today: date, latest_data: date | None) -> Period:
    """The month the dashboard opens on: the last complete month, or the month the data ends in when that is
    earlier (a database whose figures stop in August opens on August, not on an empty month)."""
    last_complete = previous_month(today)
    if latest_data is None or latest_data >= last_complete.start:
        return last_complete
    return month_period(latest_data.year, latest_data.month)


class SnapshotForm(forms.Form):
    """The period whose city-wide report staff store (a month, a quarter or a year that has ended)."""

    period = forms.CharField()

    def clean_period(self) -> Period:
        try:
            period = parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        reason = refusal(period, timezone.localdate())
        if reason:
            raise forms.ValidationError(reason)
        return period
