"""Roster confirmations in the admin: read-only records, filtered by month and state, searched by employer name
or NPP; Disnaker reopens a confirmed month by the action "Reopen", which asks for the reason on an intermediate
page and calls ``compliance.services.reopen_confirmation``."""

from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from berjasa.formatting import date_time, number, short_date
from compliance.models import RosterConfirmation
from compliance.months import month_label, parse_month
from compliance.services import reopen_confirmation


class MonthFilter(admin.SimpleListFilter):
    title = gettext_lazy("month")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = (
            RosterConfirmation.objects.order_by("-month").values_list("month", flat=True).distinct()
        )
        return [(f"{month:%Y-%m}", month_label(month)) for month in months[:36]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            month = parse_month(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(month=month)


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("standing", _("Standing")), ("reopened", _("Reopened"))]

    def queryset(self, request, queryset):
        if self.value() == "standing":
            return queryset.filter(reopened_at__isnull=True)
        if self.value() == "reopened":
            return queryset.filter(reopened_at__isnull=False)
        return queryset


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The employer reads it on its monthly confirmation page."),
    )


@admin.register(RosterConfirmation)
class RosterConfirmationAdmin(admin.ModelAdmin):
    list_display = (
        "employer_name",
        "npp",
        "month_shown",
        "confirmed_by",
        "confirmed_shown",
        "channel",
        "state",
        "reopen_reason",
    )
    list_filter = (MonthFilter, StateFilter, "channel")
    search_fields = ("employer__name", "=employer__npp")
    list_select_related = ("employer", "confirmed_by", "reopened_by")
    actions = ("reopen",)
    exclude = ("summary",)  # shown as the employer read it: summary_shown
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        fields = [field.name for field in self.model._meta.fields]
        return [("summary_shown" if name == "summary" else name) for name in fields]

    @admin.display(description=gettext_lazy("figures reviewed"))
    def summary_shown(self, confirmation: RosterConfirmation) -> str:
        """The figures the employer confirmed, as its page showed them (not the stored JSON)."""
        summary = confirmation.summary or {}
        as_of = summary.get("as_of")
        lines = [
            (
                _("workers on the roster on %(day)s")
                % {"day": short_date(date.fromisoformat(as_of)) if as_of else "—"},
                summary.get("workers"),
            ),
            (_("hires this month"), summary.get("hires")),
            (_("exits this month"), summary.get("exits")),
            (_("wage changes this month"), summary.get("wage_changes")),
        ]
        return "; ".join(
            f"{label}: {number(value) if value is not None else '—'}" for label, value in lines
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("employer"), ordering="employer__name")
    def employer_name(self, confirmation: RosterConfirmation) -> str:
        return confirmation.employer.name

    @admin.display(description=gettext_lazy("NPP"), ordering="employer__npp")
    def npp(self, confirmation: RosterConfirmation) -> str:
        return confirmation.employer.npp

    @admin.display(description=gettext_lazy("month"), ordering="month")
    def month_shown(self, confirmation: RosterConfirmation) -> str:
        return month_label(confirmation.month)

    @admin.display(description=gettext_lazy("confirmed at"), ordering="confirmed_at")
    def confirmed_shown(self, confirmation: RosterConfirmation) -> str:
        return date_time(confirmation.confirmed_at)

    @admin.display(description=gettext_lazy("state"), ordering="reopened_at")
    def state(self, confirmation: RosterConfirmation) -> str:
        if confirmation.reopened_at is None:
            return _("Standing")
        who = confirmation.reopened_by.get_username() if confirmation.reopened_by else _("Disnaker")
        return _("Reopened by %(who)s on %(when)s") % {
            "who": who,
            "when": date_time(confirmation.reopened_at),
        }

    @admin.action(description=gettext_lazy("Reopen (reason required)"), permissions=["change"])
    def reopen(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reopened, refused = 0, []
            for confirmation in queryset.select_related("employer"):
                try:
                    reopen_confirmation(
                        confirmation, reason=form.cleaned_data["reason"], acting_user=request.user
                    )
                except ValidationError as error:
                    refused.append(f"{confirmation}: {' '.join(error.messages)}")
                else:
                    reopened += 1
                    self.log_change(
                        request,
                        confirmation,
                        _("Reopened: %(reason)s") % {"reason": confirmation.reopen_reason},
                    )
            self.message_user(request, _("%(count)d confirmations reopened.") % {"count": reopened})
            for message in refused:
                self.message_user(request, message, level="warning")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reopen the confirmations"),
            "form": form,
            "confirmations": queryset.select_related("employer")[:100],
            "action": "reopen",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return render(request, "admin/compliance/rosterconfirmation/reopen.html", context)
