"""django-import-export resources of the catalogue, for the admin's Import and Export (CSV, XLSX).

Rows are matched by code (a rate by program, kind, risk class and start; a target by year) and refer to others
by code, as the seed files in ``seeds/`` do; each row is validated with its model's rules before it is saved.
"""

from import_export import fields, resources, widgets

from berjasa.spreadsheets import neutralise
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


class CatalogueResource(resources.ModelResource):
    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        exclude = ("id",)

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


def by_code(field_name: str, model) -> fields.Field:
    return fields.Field(field_name, field_name, widgets.ForeignKeyWidget(model, "code"))


class ProgramResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Program
        import_id_fields = ("code",)


class BenefitTypeResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = BenefitType
        import_id_fields = ("code",)


class FundingSchemeResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = FundingScheme
        import_id_fields = ("code",)


class SegmentResource(CatalogueResource):
    default_funding_scheme = by_code("default_funding_scheme", FundingScheme)

    class Meta(CatalogueResource.Meta):
        model = Segment
        import_id_fields = ("code",)


class ContributionRateResource(CatalogueResource):
    program = by_code("program", Program)

    class Meta(CatalogueResource.Meta):
        model = ContributionRate
        import_id_fields = ("program", "segment_kind", "risk_class", "valid_from")


class KecamatanResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Kecamatan
        import_id_fields = ("code",)


class KelurahanResource(CatalogueResource):
    kecamatan = by_code("kecamatan", Kecamatan)

    class Meta(CatalogueResource.Meta):
        model = Kelurahan
        import_id_fields = ("code",)


class CoverageTargetResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = CoverageTarget
        import_id_fields = ("year",)
