"""django-import-export resources of the catalogue, for the admin's Import and Export (CSV, XLSX).

Rows are matched by code (a rate by program, kind, risk class and start; a target by year) and refer to others
by code, as the seed files in ``seeds/`` do; each row is validated with its model's rules before it is saved.
"""

from django.utils.translation import gettext as _
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


class KnownBy(widgets.ForeignKeyWidget):
    """A record named by one of its identifiers (a code, a NIK, an NPP). One that is not registered is a message
    the clerk can act on, not Django's "matching query does not exist"."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            meta = self.model._meta
            raise ValueError(
                _("No %(record)s with %(identifier)s “%(value)s” is registered.")
                % {
                    "record": meta.verbose_name,
                    "identifier": meta.get_field(self.field).verbose_name,
                    "value": value,
                }
            ) from None


def by_code(field_name: str, model) -> fields.Field:
    return fields.Field(field_name, field_name, KnownBy(model, "code"))


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
