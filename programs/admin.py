"""The admin of the catalogue and reference data. Small tables, seeded by ``seed_reference``."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from berjasa.admin.common import (
    CountedDeleteMixin,
    FormattedNumbersMixin,
    OneQueryInlineMixin,
    rupiah_column,
)
from berjasa.admin.import_export_pages import ReadableImportExportMixin
from berjasa.audit import Channel
from enrollment.admin.actions import ask_for_confirmation
from enrollment.models import Membership
from enrollment.services.contributions import recompute_contributions
from programs.models import (
    BenefitType,
    ContributionRate,
    CoverageTarget,
    FundingScheme,
    Kecamatan,
    Kelurahan,
    Program,
    Segment,
)
from programs.resources import (
    BenefitTypeResource,
    ContributionRateResource,
    CoverageTargetResource,
    FundingSchemeResource,
    KecamatanResource,
    KelurahanResource,
    ProgramResource,
    SegmentResource,
)


class CatalogueAdmin(
    FormattedNumbersMixin, CountedDeleteMixin, ReadableImportExportMixin, ImportExportModelAdmin
):
    """Import and Export (CSV, XLSX) by code, as the seed files are written (``programs.resources``).

    A row still in use is not deleted: its delete page counts what refers to it (``CountedDeleteMixin``).
    """

    formats = (CSV, XLSX)


@admin.register(Program)
class ProgramAdmin(CatalogueAdmin):
    resource_classes = [ProgramResource]
    list_display = ("code", "name", "wage_earners_only", "business_workers_only", "sort_order")
    search_fields = ("code", "name")


@admin.register(BenefitType)
class BenefitTypeAdmin(CatalogueAdmin):
    resource_classes = [BenefitTypeResource]
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")


@admin.register(FundingScheme)
class FundingSchemeAdmin(CatalogueAdmin):
    resource_classes = [FundingSchemeResource]
    list_display = ("code", "name", "is_city_budget", "payer", "risk_class", "sort_order")
    search_fields = ("code", "name")


@admin.register(Segment)
class SegmentAdmin(CatalogueAdmin):
    resource_classes = [SegmentResource]
    list_display = ("code", "name", "kind", "group", "default_funding_scheme", "is_active")
    list_select_related = ("default_funding_scheme",)
    list_filter = ("group", "kind", "is_active")
    search_fields = ("code", "name")


class RecomputeForm(forms.Form):
    since = forms.DateField(
        label=_("Recompute as of"),
        help_text=_("Open memberships take the rates in force on this day (or on their start)."),
    )
    confirmed = forms.BooleanField(
        label=_("Write the changes"),
        required=False,
        help_text=_("Leave unticked to see first how many would change and by how much."),
    )


@admin.action(
    description=_("Recompute the open memberships of the selected rates' programs"),
    permissions=["change"],
)
def recompute_memberships(modeladmin, request, queryset):
    rates = list(queryset.select_related("program"))
    first = min(rate.valid_from for rate in rates)
    form = RecomputeForm(
        request.POST if "apply" in request.POST else None, initial={"since": first}
    )
    if form.is_valid():
        scope = Q()
        for rate in rates:
            scope |= Q(program_id=rate.program_id, segment__kind=rate.segment_kind)
        result = recompute_contributions(
            Membership.objects.filter(scope),
            since=form.cleaned_data["since"],
            acting_user=request.user,
            channel=Channel.ADMIN,
            apply=form.cleaned_data["confirmed"],
        )
        if form.cleaned_data["confirmed"]:
            modeladmin.message_user(request, result.summary(), level=messages.SUCCESS)
            return None
        modeladmin.message_user(
            request,
            gettext("Preview, nothing written:") + " " + result.summary(),
            messages.INFO,
        )
    return ask_for_confirmation(
        modeladmin,
        request,
        queryset,
        form,
        gettext("Recompute contributions"),
        "recompute_memberships",
    )


@admin.register(ContributionRate)
class ContributionRateAdmin(CatalogueAdmin):
    resource_classes = [ContributionRateResource]
    actions = (recompute_memberships,)
    list_display = (
        "program",
        "segment_kind",
        "risk_class",
        "percent_of_wage",
        rupiah_column("fixed_amount", _("fixed amount")),
        "worker_percent",
        rupiah_column("minimum_amount", _("minimum amount")),
        rupiah_column("maximum_amount", _("maximum amount")),
        rupiah_column("wage_cap", _("wage cap")),
        "paid_by_government",
        "valid_from",
        "valid_to",
        "legal_basis",
    )
    list_select_related = ("program",)
    list_filter = ("program", "segment_kind", "valid_from")
    search_fields = ("legal_basis",)


class KelurahanInline(OneQueryInlineMixin, admin.TabularInline):
    model = Kelurahan
    fields = ("code", "name")
    select_related = ("kecamatan",)  # each row's name shows its kecamatan
    extra = 0


@admin.register(Kecamatan)
class KecamatanAdmin(CatalogueAdmin):
    resource_classes = [KecamatanResource]
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = (KelurahanInline,)


@admin.register(Kelurahan)
class KelurahanAdmin(CatalogueAdmin):
    resource_classes = [KelurahanResource]
    list_display = ("code", "name", "kecamatan")
    list_select_related = ("kecamatan",)
    list_filter = ("kecamatan",)
    # Autocomplete of every worker's and employer's kelurahan searches here.
    search_fields = ("name", "code", "kecamatan__name")


@admin.register(CoverageTarget)
class CoverageTargetAdmin(CatalogueAdmin):
    resource_classes = [CoverageTargetResource]
    list_display = ("year", "target_percent", "source")
