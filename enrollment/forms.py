"""Forms of the admin, and the personal data cleaning the portal's forms share. The NIK rules themselves live in
``enrollment.nik``."""

from contextlib import suppress
from itertools import islice

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from berjasa.formatting import number
from enrollment.date_rules import CONFIRMABLE
from enrollment.imports.reader import RefusedFile, read_rows, sniff
from enrollment.models import (
    PERSONAL_FIELDS,
    Channel,
    Claim,
    Employer,
    Membership,
    Worker,
    jkp_refusal,
    stored_values,
)
from enrollment.nik import normalize_nik
from enrollment.services.claims import RECORDED_FIELDS
from programs.models import Program

# KPJ numbers are 11 digits in practice, but no specification says so: another length is only a warning.
KPJ_USUAL_LENGTH = 11


class SeenVersionForm(forms.ModelForm):
    """An edit form that carries, hidden, the version of the record it showed (``enrollment.models.Versioned``).

    The service that saves it gets ``cleaned_data["seen_version"]`` and refuses the save when the record has
    changed since (``enrollment.services.versions``). A new record has no version to carry.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["seen_version"].required = True
            self.fields["seen_version"].initial = self.instance.version


class AdminChannelForm(forms.ModelForm):
    """Records created in the admin say so: ``entered_via`` is set, not chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.entered_via = Channel.ADMIN


class StoredFormMixin:
    """A worker form whose cleaned data is in the stored form (``enrollment.models.stored_values``), so that what
    the services compare (a change request's differences) is what would be stored: "+62 812…" is no change of
    "0812…"."""

    def clean(self):
        cleaned_data = super().clean()
        try:
            cleaned_data.update(stored_values(cleaned_data))
        except ValidationError as error:
            self.add_error(None, error)  # each message on its field
        return cleaned_data


def program_choices() -> list[tuple[str, str]]:
    return [(program.code, str(program)) for program in Program.objects.all()]


class EmployerAdminForm(AdminChannelForm):
    """An employer, with the programs of its new workers chosen by ticking them (stored as their codes)."""

    default_programs = forms.MultipleChoiceField(
        label=Employer._meta.get_field("default_programs").verbose_name,
        help_text=Employer._meta.get_field("default_programs").help_text,
        choices=program_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Employer
        fields = ("npp", "name", "sector", "size", "risk_class", "status", "address", "kelurahan")
        fields += ("email", "default_programs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["default_programs"] = self.instance.default_programs.split()

    def clean_default_programs(self) -> str:
        chosen = set(self.cleaned_data["default_programs"])
        refusal = jkp_refusal(chosen, self.cleaned_data.get("size", ""))
        if refusal:
            raise forms.ValidationError(refusal)
        return " ".join(code for code, _label in program_choices() if code in chosen)


class WorkerAdminForm(StoredFormMixin, SeenVersionForm, AdminChannelForm):
    """A worker as an operator types it in.

    The NIK may come with spaces, dots or dashes and is stored as its 16 digits (``Worker.clean`` applies
    ``normalize_nik``, whose messages the form shows). When the NIK, birth date or sex is entered or changed,
    ``correct_worker`` refuses a birth date or sex that disagrees with the NIK until the operator ticks
    ``keep_as_entered`` (``enrollment.nik.judge_nik_facts``).
    After ``is_valid()``, ``warnings`` lists what the admin should point out without refusing the record (a
    KPJ number of an unusual length, when it is entered or changed).
    """

    # Longer than the 16 stored digits, to accept "7371 0512 0390 0001". Not required here: the NIK rules
    # report an empty NIK themselves, in their own words.
    nik = forms.CharField(
        label=Worker._meta.get_field("nik").verbose_name,
        max_length=32,
        required=False,
        help_text=_("16 digits; spaces, dots and dashes are removed."),
    )
    keep_as_entered = forms.BooleanField(
        label=_("I have checked the documents; keep the record as entered"),
        required=False,
        help_text=_(
            "Tick this only when the birth date or sex differs from what the NIK encodes and the "
            "worker's documents confirm the record."
        ),
    )

    class Meta:
        model = Worker
        fields = ("nik", *PERSONAL_FIELDS, "dtsen_decile")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []

    def clean(self):
        cleaned_data = super().clean()
        kpj = cleaned_data.get("kpj")
        if "kpj" in self.changed_data and kpj and kpj.isdigit() and len(kpj) != KPJ_USUAL_LENGTH:
            self.warnings.append(
                _(
                    "The KPJ number %(kpj)s has %(count)d digits; KPJ numbers usually have "
                    "%(usual)d. Please check it against the card."
                )
                % {"kpj": kpj, "count": len(kpj), "usual": KPJ_USUAL_LENGTH}
            )
        with suppress(ValidationError):  # Worker.clean puts the message on the NIK field
            cleaned_data["nik"] = normalize_nik(cleaned_data.get("nik"))
        return cleaned_data


class DateWarningsForm(forms.ModelForm):
    """A form whose service may answer with date warnings (``enrollment.date_rules``): a staff user who has
    seen them ticks ``confirm_date_warnings`` and saves again; the service records who confirmed what."""

    confirm_date_warnings = forms.BooleanField(
        label=_("I have checked the dates against the documents; record them despite the warnings"),
        required=False,
        help_text=_("Tick this only after the form has shown a date warning."),
    )

    def confirmed_warnings(self) -> frozenset[str]:
        """The warning codes confirmed: every warning a staff user may confirm, once ticked."""
        return CONFIRMABLE if self.cleaned_data.get("confirm_date_warnings") else frozenset()


class ClaimAdminForm(DateWarningsForm, AdminChannelForm):
    """A new claim: its segment and employer come from the worker's membership (``record_claim``)."""

    class Meta:
        model = Claim
        fields = ("worker", *RECORDED_FIELDS)


class EmploymentAdminForm(SeenVersionForm, DateWarningsForm, AdminChannelForm):
    """An employment in the admin: its start date and wage are corrected at the version the page showed; a
    later start may leave its memberships starting before it (a date warning staff confirm)."""


class EnrolmentAdminForm(DateWarningsForm, AdminChannelForm):
    """An enrolment as the admin's add page asks for it: one membership per program chosen.

    The contribution is not typed: ``services.enrol_worker`` computes it from the rates in force on the start
    date and the wage (or a non-wage earner's declared income).
    """

    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"), queryset=Program.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    wage = forms.IntegerField(
        label=_("Monthly wage or declared income (Rp)"),
        min_value=0,
        help_text=_("The contribution is computed from it with the rates in force."),
    )

    class Meta:
        model = Membership
        fields = ("worker", "segment", "funding_scheme", "employer", "start_date")


class RecordImportForm(ImportForm):
    """django-import-export's upload form, refusing a file longer than the per-model import is made for, or
    one that breaks the limits every import file is held to (read by our reader before django-import-export's).

    Those imports save row by row through the services (a few hundred rows a second), inside the request:
    a longer file would run past any request timeout. Rosters and the DTSEN list have their own upload.
    """

    def clean_import_file(self):
        file = self.cleaned_data["import_file"]
        if file.size > settings.IMPORT_MAX_FILE_MB * 1024 * 1024:
            raise ValidationError(
                _("The file is %(size).1f MB; files of at most %(limit)d MB can be imported.")
                % {"size": file.size / 1024 / 1024, "limit": settings.IMPORT_MAX_FILE_MB},
                code="too_big",
            )
        limit = settings.ADMIN_IMPORT_MAX_ROWS
        try:
            rows = sum(1 for _ in islice(read_rows(file, sniff(file)), limit + 2))  # + the header
        except RefusedFile as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None
        finally:
            file.seek(0)
        if rows > limit + 1:
            raise ValidationError(
                _(
                    "This file has more than %(limit)s rows. Import it in parts of up to %(limit)s rows. "
                    "A roster or the DTSEN list goes through Import batches → “Upload a roster or the "
                    "DTSEN list”, made for large files."
                )
                % {"limit": number(limit)},
                code="too_many_rows",
            )
        return file
