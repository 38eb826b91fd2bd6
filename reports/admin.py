"""The admin of workforce estimates (the denominators) and report snapshots (read-only)."""

from django.contrib import admin

from berjasa.admin.common import FormattedNumbersMixin, ReadOnlyAdminMixin
from reports.models import ReportSnapshot, WorkforceEstimate


@admin.register(WorkforceEstimate)
class WorkforceEstimateAdmin(FormattedNumbersMixin, admin.ModelAdmin):
    list_display = ("year", "kind", "kecamatan", "workers", "source")
    list_select_related = ("kecamatan",)
    list_filter = ("year", "kind", "kecamatan")
    search_fields = ("source", "kecamatan__name")


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are generated, never edited: regenerating a period adds a version."""

    list_display = ("report", "period", "version", "created_by", "created_at")
    list_select_related = ("created_by",)
    list_filter = ("report",)
    search_fields = ("report", "period")
    date_hierarchy = "created_at"
