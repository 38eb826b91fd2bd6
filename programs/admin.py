"""The admin of the catalogue and reference data. Small tables, seeded by ``seed_reference``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from berjasa.admin import OneQueryInlineMixin, rupiah_column
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


class CatalogueAdmin(ImportExportModelAdmin):
    """Import and Export (CSV, XLSX) by code, as the seed files are written (``programs.resources``)."""

    formats = (CSV, XLSX)


@admin.register(Program)
class ProgramAdmin(CatalogueAdmin):
    resource_classes = [ProgramResource]
    list_display = ("code", "name", "wage_earners_only", "sort_order")
    search_fields = ("code", "name")


@admin.register(BenefitType)
class BenefitTypeAdmin(CatalogueAdmin):
    resource_classes = [BenefitTypeResource]
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")


@admin.register(FundingScheme)
class FundingSchemeAdmin(CatalogueAdmin):
    resource_classes = [FundingSchemeResource]
    list_display = ("code", "name", "is_city_budget", "sort_order")
    search_fields = ("code", "name")


@admin.register(Segment)
class SegmentAdmin(CatalogueAdmin):
    resource_classes = [SegmentResource]
    list_display = ("code", "name", "kind", "group", "default_funding_scheme", "is_active")
    list_select_related = ("default_funding_scheme",)
    list_filter = ("group", "kind", "is_active")
    search_fields = ("code", "name")


@admin.register(ContributionRate)
class ContributionRateAdmin(CatalogueAdmin):
    resource_classes = [ContributionRateResource]
    list_display = (
        "program",
        "segment_kind",
        "risk_class",
        "percent_of_wage",
        rupiah_column("fixed_amount", _("fixed amount")),
        rupiah_column("minimum_amount", _("minimum amount")),
        rupiah_column("wage_cap", _("wage cap")),
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
