"""The contribution calculator page: for employers before they hire, and for Disnaker's staff."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from berjasa.access import role_required
from berjasa.roles import Role, user_has_role
from enrollment.portal.context import current_employer
from enrollment.portal.forms import DateInput
from programs.calculator import as_json, quote
from programs.models import Program, Segment


class CalculatorForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.filter(is_active=True, default_funding_scheme__isnull=False)
        .select_related("default_funding_scheme")
        .order_by("sort_order"),
        to_field_name="code",
    )
    wage = forms.IntegerField(
        label=_("Monthly wage or declared income (Rp)"), min_value=0, max_value=10**12
    )
    on = forms.DateField(
        label=_("Date"), help_text=_("The rates in force on this day apply."), widget=DateInput()
    )
    risk_class = forms.TypedChoiceField(
        label=_("Risk class (JKK)"),
        choices=[("", _("The employer's, or the funding scheme's"))]
        + [(n, n) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"),
        queryset=Program.objects.order_by("sort_order"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("All of them if none is ticked."),
    )


@role_required(Role.EMPLOYER, Role.ADMINISTRATOR, Role.OPERATOR)
@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    """The same rule that enrols (``programs.calculator``); an employer's own risk class is the default."""
    employer = current_employer(request) if user_has_role(request.user, Role.EMPLOYER) else None
    data = request.GET if "wage" in request.GET else None
    form = CalculatorForm(
        data,
        initial={
            "on": timezone.localdate(),
            "risk_class": employer.risk_class if employer else None,
            "segment": "FORMAL",
        },
    )
    result = None
    if form.is_valid():
        codes = [program.code for program in form.cleaned_data["programs"]] or list(
            Program.objects.order_by("sort_order").values_list("code", flat=True)
        )
        result = as_json(
            quote(
                codes,
                form.cleaned_data["segment"],
                form.cleaned_data["wage"],
                form.cleaned_data["on"],
                risk_class=form.cleaned_data["risk_class"],
            )
        )
    return render(
        request,
        "programs/contribution.html",
        {"form": form, "result": result, "in_portal": employer is not None},
    )
