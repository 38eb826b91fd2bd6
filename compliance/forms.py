"""The compliance page's filters: a GET form, so that every view of the figures has its own address."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from compliance.figures import Filters
from compliance.models import RosterConfirmation
from compliance.months import first_of, month_label, months_back, parse_month, previous_month
from enrollment.models import Employer
from programs.models import Kecamatan

MONTHS_OFFERED = 36


def default_month(today: date) -> date:
    """The month the page opens on: the latest month with a standing confirmation, up to the last complete
    month (a demo database whose confirmations stop in August opens on August); else the last complete month."""
    last_complete = previous_month(first_of(today))
    latest = RosterConfirmation.objects.filter(
        reopened_at=None, month__lte=last_complete
    ).aggregate(latest=Max("month"))["latest"]
    return latest or last_complete


class ComplianceForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("District (kecamatan)"),
        queryset=Kecamatan.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All districts"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("All sectors")), *Employer.Sector.choices],
        required=False,
    )
    size = forms.ChoiceField(
        label=_("Size"), choices=[("", _("All sizes")), *Employer.Size.choices], required=False
    )

    def __init__(self, data, *, today: date):
        super().__init__(data)
        self.today = today
        months = months_back(first_of(today), MONTHS_OFFERED)[::-1]
        self.fields["month"].choices = [(f"{m:%Y-%m}", month_label(m)) for m in months]
        self.default = default_month(today)
        if not self.data.get("month"):
            self.data = self.data.copy()
            self.data["month"] = f"{self.default:%Y-%m}"

    def chosen_month(self) -> date:
        if self.is_valid() and self.cleaned_data["month"]:
            return parse_month(self.cleaned_data["month"])
        return self.default

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        kecamatan = self.cleaned_data["kecamatan"]
        return Filters(
            kecamatan=kecamatan.pk if kecamatan else None,
            sector=self.cleaned_data["sector"],
            size=self.cleaned_data["size"],
        )

    def querystring(self, **changes) -> str:
        values = {}
        if self.is_valid():
            values = {
                "month": self.cleaned_data["month"],
                "kecamatan": self.cleaned_data["kecamatan"].code
                if self.cleaned_data["kecamatan"]
                else "",
                "sector": self.cleaned_data["sector"],
                "size": self.cleaned_data["size"],
            }
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})
