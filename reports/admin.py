"""The admin of workforce estimates (the denominators) and the report archive (snapshots, read-only)."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from berjasa.admin.common import FormattedNumbersMixin, ReadOnlyAdminMixin
from berjasa.roles import REPORT_READER_ROLES, user_has_any_role
from reports.formatting import cell
from reports.models import ReportSnapshot, WorkforceEstimate
from reports.snapshots import SNAPSHOT_FILES


@admin.register(WorkforceEstimate)
class WorkforceEstimateAdmin(FormattedNumbersMixin, admin.ModelAdmin):
    list_display = ("year", "kind", "kecamatan", "workers", "source")
    list_select_related = ("kecamatan",)
    list_filter = ("year", "kind", "kecamatan")
    search_fields = ("source", "kecamatan__name")


class ReportFilter(admin.SimpleListFilter):
    """The archive's reports by their titles (the stored identifier is a code)."""

    title = _("report")
    parameter_name = "report"

    def lookups(self, request, model_admin):
        stored = (
            ReportSnapshot.objects.order_by("report").values_list("report", flat=True).distinct()
        )
        return [(identifier, ReportSnapshot(report=identifier).title()) for identifier in stored]

    def queryset(self, request, queryset):
        return queryset.filter(report=self.value()) if self.value() else queryset


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are generated, never edited: regenerating a period adds a version.

    A snapshot is shown by its report's title, its period as people name it (``Agustus 2025``) and its figures
    as the dashboard writes them (``39.851``, ``63,47%``, ``Rp3.650.000``), not as the stored JSON; its files
    are downloaded from the reports' own address, by those the report allows (``downloads``).
    """

    list_display = ("report_title", "period_label", "version", "created_by", "created_at")
    list_select_related = ("created_by",)
    list_filter = (ReportFilter,)
    search_fields = ("report", "period")
    date_hierarchy = "created_at"
    fields = (
        "report_title",
        "period_label",
        "version",
        "created_by",
        "created_at",
        "figures_summary",
    )
    readonly_fields = fields

    def get_list_display(self, request):
        return (*super().get_list_display(request), *self._downloads_for(request))

    def get_fields(self, request, obj=None):
        return (*super().get_fields(request, obj), *self._downloads_for(request))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self._downloads_for(request))

    @staticmethod
    def _downloads_for(request) -> tuple[str, ...]:
        """The download links, for those who may open the reports' files (``berjasa.roles.REPORT_READER_ROLES``)."""
        may_download = user_has_any_role(request.user, REPORT_READER_ROLES)
        return ("downloads",) if may_download else ()

    @admin.display(description=_("report"), ordering="report")
    def report_title(self, snapshot: ReportSnapshot) -> str:
        return snapshot.title()

    @admin.display(description=_("period"), ordering="period")
    def period_label(self, snapshot: ReportSnapshot) -> str:
        return snapshot.period_label()

    @admin.display(description=_("figures"))
    def figures_summary(self, snapshot: ReportSnapshot) -> str:
        figures = snapshot.figures
        return render_to_string(
            "admin/reports/reportsnapshot/figures.html",
            {
                "headline": [
                    (figure["label"], cell(figure["value"], figure["kind"]))
                    for figure in figures.get("headline", [])
                ],
                "tables": [
                    {
                        "title": table["title"],
                        "columns": [column["label"] for column in table["columns"]],
                        "rows": [
                            [
                                cell(value, column["kind"])
                                for value, column in zip(row, table["columns"], strict=True)
                            ]
                            for row in table["rows"]
                        ],
                    }
                    for table in figures.get("tables", [])
                ],
            },
        )

    @admin.display(description=_("download"))
    def downloads(self, snapshot: ReportSnapshot) -> str:
        links = [
            (reverse("reports:snapshot-file", args=(snapshot.pk, fmt)), fmt.upper())
            for field, fmt in SNAPSHOT_FILES.items()
            if getattr(snapshot, field)
        ]
        return format_html_join(" ", '<a href="{}">{}</a>', links) or "—"
