"""The budget lines' admin (administrators; finance and managers read them on /anggaran/), with their history."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from berjasa.admin.accounts import WithoutLinkRowsMixin
from berjasa.admin.common import CountedDeleteMixin, FormattedNumbersMixin
from berjasa.admin.history import AuditHistoryAdminMixin
from budget.models import BudgetLine


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ("year", "code", "name", "department", "segments", "ceiling")

    def clean(self):
        cleaned = super().clean()
        year, segments = cleaned.get("year"), cleaned.get("segments")
        if year and segments:
            taken = (
                BudgetLine.objects.filter(year=year, segments__in=segments)
                .exclude(pk=self.instance.pk)
                .values_list("code", "segments__code")
                .distinct()
            )
            if taken:
                self.add_error(
                    "segments",
                    _("A segment is paid by one budget line a year: %(taken)s already in %(year)s.")
                    % {
                        "taken": ", ".join(f"{segment} ({code})" for code, segment in taken),
                        "year": year,
                    },
                )
        return cleaned


@admin.register(BudgetLine)
class BudgetLineAdmin(
    WithoutLinkRowsMixin,
    CountedDeleteMixin,
    FormattedNumbersMixin,
    AuditHistoryAdminMixin,
    SimpleHistoryAdmin,
):
    # A line's delete page lists no "BudgetLine_segments object (1031)".
    LINKS = (BudgetLine.segments.through,)
    form = BudgetLineForm
    list_display = ("year", "code", "name", "department", "segment_codes", "ceiling")
    list_filter = ("year", "department")
    search_fields = ("code", "name", "department")
    filter_horizontal = ("segments",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("segments")

    @admin.display(description=gettext_lazy("segments"))
    def segment_codes(self, line: BudgetLine) -> str:
        return ", ".join(segment.code for segment in line.segments.all())
