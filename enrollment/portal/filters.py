"""Filters of the portal roster (django-filter); every choice is limited to what the employer may see."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Employment, Membership
from enrollment.nik import compact_number, without_text_mark
from enrollment.portal.queries import with_coverage
from programs.models import Kelurahan, Program, Segment


class RosterFilter(django_filters.FilterSet):
    STATUS_CHOICES = (("active", _("On the roster")), ("ended", _("Ended")), ("all", _("All")))
    COVERED_CHOICES = (("yes", _("Covered")), ("no", _("Not yet covered")))

    q = django_filters.CharFilter(label=_("Name, NIK or KPJ"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    covered = django_filters.ChoiceFilter(
        label=_("Coverage"), choices=COVERED_CHOICES, method="filter_covered", empty_label=_("All")
    )
    segment = django_filters.ModelChoiceFilter(
        label=_("Segment"),
        queryset=Segment.objects.all(),
        method="filter_segment",
        empty_label=_("All"),
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"),
        queryset=Program.objects.all(),
        method="filter_program",
        empty_label=_("All"),
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Sub-district"),
        queryset=Kelurahan.objects.select_related("kecamatan"),
        method="filter_kelurahan",
        empty_label=_("All"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("worker__name", "name"), ("start_date", "start"), ("worker__nik", "nik")),
        # Both directions named in words (django-filter would write "Name (descending)"); it looks an ascending
        # label up by field name, a descending one by "-" and the parameter.
        field_labels={
            "worker__name": _("Name (A–Z)"),
            "-name": _("Name (Z–A)"),
            "start_date": _("Start date (oldest first)"),
            "-start": _("Start date (newest first)"),
            "worker__nik": _("NIK (smallest first)"),
            "-nik": _("NIK (largest first)"),
        },
        empty_label=_("Name (default)"),
    )

    class Meta:
        model = Employment
        fields: list[str] = []

    def __init__(self, data=None, *args, employer, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", "active")
        self.employer = employer
        self.today = timezone.localdate()
        super().__init__(data, *args, **kwargs)

    def _memberships(self):
        return Membership.objects.filter(worker=OuterRef("worker"), employer=self.employer)

    def search(self, queryset, name, value):
        value = without_text_mark(value)  # '7371… pasted from a spreadsheet
        digits = compact_number(value)
        if digits.isascii() and digits.isdigit():
            return queryset.filter(
                Q(worker__nik__startswith=digits) | Q(worker__kpj__startswith=digits)
            )
        return queryset.filter(worker__name__icontains=value)

    def filter_kelurahan(self, queryset, name, value):
        """Only workers whose contact data the employer keeps: another's would reveal where a person lives."""
        return queryset.filter(worker__kelurahan=value, worker__keeper=self.employer)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(end_date__isnull=True)
        if value == "ended":
            return queryset.filter(end_date__isnull=False)
        return queryset

    def filter_covered(self, queryset, name, value):
        return with_coverage(queryset, self.employer, self.today).filter(covered=(value == "yes"))

    def filter_segment(self, queryset, name, value):
        return queryset.filter(Exists(self._memberships().filter(segment=value)))

    def filter_program(self, queryset, name, value):
        active = self._memberships().filter(program=value, start_date__lte=self.today)
        return queryset.filter(
            Exists(active.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.today)))
        )
