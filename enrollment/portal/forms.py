"""Forms of the employer portal. Rules live in the models, ``enrollment.nik`` and the services."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from enrollment.forms import SeenVersionForm, StoredFormMixin
from enrollment.models import PERSONAL_FIELDS, Employment, Worker
from enrollment.nik import normalize_nik
from programs.models import Kelurahan, Program


class DateInput(forms.DateInput):
    """The browser's date picker; its value is ISO (2025-08-31) whatever the locale, and it shows the date in
    the browser's own format (the site's ``31/08/2025`` is for text)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonalDataForm(StoredFormMixin, SeenVersionForm):
    """A worker's personal data, as the employer keeps it (the NIK is set once, when the worker is added; the DTSEN
    decile is Disnaker's)."""

    class Meta:
        model = Worker
        fields = PERSONAL_FIELDS
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = Kelurahan.objects.select_related("kecamatan")
        self.fields["kelurahan"].required = "kelurahan" in self._meta.fields


NOT_SHOWN_HELP = _("Recorded by another employer and not shown to you. Leave it empty to keep it.")


def _offered_empty(name: str) -> forms.Field:
    """A field of data recorded by another employer: offered empty, and empty means "keep the record"."""
    model_field = Worker._meta.get_field(name)
    label = capfirst(model_field.verbose_name)
    if name == "has_disability":
        return forms.TypedChoiceField(
            label=label,
            choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
            coerce=lambda value: value == "1",
            empty_value=None,
            required=False,
            help_text=NOT_SHOWN_HELP,
        )
    if name == "kelurahan":
        return forms.ModelChoiceField(
            Kelurahan.objects.select_related("kecamatan"),
            label=label,
            required=False,
            help_text=NOT_SHOWN_HELP,
        )
    return model_field.formfield(required=False, help_text=NOT_SHOWN_HELP)


def personal_data_form(hidden: tuple[str, ...] = ()) -> type[PersonalDataForm]:
    """``PersonalDataForm`` with the ``hidden`` fields (not visible to the employer) offered empty; they are not
    model fields of the form, so nothing recorded is shown and an empty one changes nothing."""
    if not hidden:
        return PersonalDataForm
    meta = type(
        "Meta",
        (PersonalDataForm.Meta,),
        {"fields": tuple(name for name in PERSONAL_FIELDS if name not in hidden)},
    )
    declared = {name: _offered_empty(name) for name in hidden}
    return type(
        "PersonalDataForm",
        (PersonalDataForm,),
        {"Meta": meta, "field_order": list(PERSONAL_FIELDS), **declared},
    )


def given_changes(form: PersonalDataForm) -> dict:
    """The personal data a valid form gives: every model field, and the offered-empty fields that were filled."""
    return {
        name: form.cleaned_data[name]
        for name in PERSONAL_FIELDS
        if name in form._meta.fields or form.cleaned_data.get(name) not in (None, "")
    }


class AddWorkerForm(PersonalDataForm):
    """A new line on the roster: the person (found by NIK, or new) and the job. A birth date or sex that
    disagrees with the NIK is refused by ``register_worker`` (only Disnaker confirms one, decision 56)."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=32,
        help_text=_("16 digits; spaces, dots and dashes are removed."),
    )
    start_date = forms.DateField(label=_("Start of employment"), widget=DateInput())
    monthly_wage = forms.IntegerField(label=_("Monthly wage (Rp)"), min_value=0)

    field_order = ["nik", *PERSONAL_FIELDS, "start_date", "monthly_wage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A person the city already knows is added only with proof (enrollment.identity).
        self.fields["kpj"].help_text = _(
            "Already registered in Makassar, for example with another employer? Then the full name as on the "
            "KTP and the KPJ number or the phone number on record prove that you know the person."
        )
        self.fields["phone"].help_text = _(
            "Or the phone number on record, for a person already registered."
        )

    def clean_nik(self) -> str:
        return normalize_nik(self.cleaned_data["nik"])

    def validate_unique(self) -> None:
        """A worker already in the city's records is linked to the roster (by the service), not refused."""


class EmploymentForm(SeenVersionForm):
    class Meta:
        model = Employment
        fields = ("start_date", "monthly_wage")
        widgets = {"start_date": DateInput()}


class EnrolForm(forms.Form):
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"), queryset=Program.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("Membership starts on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()


class TerminateForm(forms.Form):
    end_date = forms.DateField(label=_("Last day of employment"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=Employment.TerminationReason.choices)


class RosterUploadForm(forms.Form):
    """A roster file to check; nothing is written before the preview is confirmed."""

    file = forms.FileField(
        label=_("Roster file (XLSX or CSV)"),
        help_text=_("One row per worker, with the columns of the template."),
    )
    full_sync = forms.BooleanField(
        label=_("Full-roster sync: the jobs of workers who are not in the file end"),
        required=False,
    )
    end_date = forms.DateField(
        label=_("Last day of work of those not in the file"), required=False, widget=DateInput()
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=Employment.TerminationReason.choices,
        initial=Employment.TerminationReason.CONTRACT_ENDED,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_sync") and not cleaned.get("end_date"):
            self.add_error("end_date", _("Give the last day of work of those not in the file."))
        return cleaned
