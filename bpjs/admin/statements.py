"""BPJS's monthly statements in the admin: the upload (month and scope), the preview of the reconciliation (counts
and a list per category) with the administrator's choices, and the discrepancy list (``StatementLine``) with its
actions. Operators and administrators (the ``bpjs`` app's permissions); employers never reach the admin.
"""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from berjasa.admin.common import FormattedNumbersMixin, ReadOnlyAdminMixin
from berjasa.audit import Channel
from berjasa.formatting import number
from berjasa.roles import STAFF_ROLES
from bpjs.models import Category, DiscrepancyStatus, Statement, StatementLine
from bpjs.services.reconciliation import (
    KPJ_FILL,
    Choices,
    Scope,
    assign_lines,
    month_label,
    parse_month,
    settle_lines,
)
from bpjs.services.registering import segments_to_register_in
from bpjs.services.statements import confirm_statement, stage_statement
from enrollment.imports import batches, cells, tasks
from enrollment.imports.review import IN_PROGRESS, PAGE_SIZE
from enrollment.models import ImportBatch
from privacy.admin import PersonalDataAdminMixin
from privacy.log import preview_shown
from reports.forms import default_month
from reports.queries import latest_data_day

UPLOAD_PERMISSION = "bpjs.add_statement"
# The preview's lists, in this order: what needs a decision first.
LISTED = (
    Category.LAPSED,
    Category.UNKNOWN_HERE,
    Category.DIFFERENT,
    Category.UNKNOWN_AT_BPJS,
    KPJ_FILL,
    "error",
)
LIST_LABELS = {
    **dict(Category.choices),
    KPJ_FILL: gettext_lazy("KPJ numbers to fill"),
    "error": gettext_lazy("Rows with errors"),
}


class StatementUploadForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month of the statement"),
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=gettext_lazy("08/2025 or 2025-08."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Participants it lists"),
        choices=[
            (
                Scope.CITY,
                gettext_lazy("City-funded participants only (the statement BPJS sends the city)"),
            ),
            (Scope.ALL, gettext_lazy("All participants")),
        ],
        initial=Scope.CITY,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=gettext_lazy("File (XLSX or CSV)"))

    def clean_month(self) -> date:
        try:
            return parse_month(self.cleaned_data["month"])
        except cells.CellError as error:
            raise forms.ValidationError(error.message) from error


class ChoicesForm(forms.Form):
    """What applying does; registering those unknown here is offered for a city statement only."""

    fill_kpj = forms.BooleanField(
        label=gettext_lazy("Fill in the KPJ numbers BPJS gives for workers who have none here"),
        required=False,
        initial=True,
    )
    end_lapsed = forms.BooleanField(
        label=gettext_lazy(
            "End the lapsed memberships (reason “Iuran tidak dibayar (rekap BPJS)”) on the last day of the "
            "last month paid"
        ),
        required=False,
        initial=True,
    )
    register_segment = forms.ChoiceField(
        label=gettext_lazy(
            "Register the participants unknown here, as city-funded, in the segment"
        ),
        required=False,
        help_text=gettext_lazy(
            "Those active at BPJS and not named as an employer's worker here: a new worker (name and KPJ from the "
            "statement, birth date and sex from the NIK) and JKK and JKM memberships from the statement's month. "
            "The others stay on the discrepancy list."
        ),
    )

    def __init__(self, *args, city: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if city:
            self.fields["register_segment"].choices = [
                ("", _("Do not register them")),
                *((segment.code, str(segment)) for segment in segments_to_register_in()),
            ]
        else:
            del self.fields["register_segment"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("month_shown", "scope", "categories", "batch_link", "created_at")
    fields = readonly_fields = ("month_shown", "scope", "categories", "batch_link", "created_at")
    change_list_template = "admin/bpjs/statement/change_list.html"

    @admin.display(description=gettext_lazy("month"), ordering="month")
    def month_shown(self, statement: Statement) -> str:
        return month_label(statement.month)

    @admin.display(description=gettext_lazy("participants"))
    def scope(self, statement: Statement) -> str:
        return _("city-funded") if statement.counts.get("scope") == Scope.CITY else _("all")

    @admin.display(description=gettext_lazy("participants by category"))
    def categories(self, statement: Statement) -> str:
        return "; ".join(
            f"{label}: {number(statement.counts.get(value, 0))}"
            for value, label in Category.choices
        )

    @admin.display(description=gettext_lazy("import batch"))
    def batch_link(self, statement: Statement) -> str:
        url = reverse("admin:bpjs_statement_review", args=[statement.import_batch_id])
        return format_html('<a href="{}">#{}</a>', url, statement.import_batch_id)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="bpjs_statement_upload"),
            path("batch/<int:batch_id>/", view(self.review_view), name="bpjs_statement_review"),
            path(
                "batch/<int:batch_id>/confirm/",
                view(require_POST(self.confirm_view)),
                name="bpjs_statement_confirm",
            ),
            path(
                "batch/<int:batch_id>/cancel/",
                view(require_POST(self.cancel_view)),
                name="bpjs_statement_cancel",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request, batch_id: int, *, write: bool = False) -> ImportBatch:
        """The statement's import batch (its pages come before a ``Statement`` exists: the preview)."""
        if not request.user.has_perm(UPLOAD_PERMISSION if write else "bpjs.view_statement"):
            raise PermissionDenied
        return get_object_or_404(ImportBatch, pk=batch_id, source=ImportBatch.Source.BPJS_STATEMENT)

    def upload_view(self, request):
        if not request.user.has_perm(UPLOAD_PERMISSION):
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"month": f"{default_month(today, latest_data_day(today)).start:%Y-%m}"}
        form = StatementUploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            batch = stage_statement(
                form.cleaned_data["file"],
                month=form.cleaned_data["month"],
                scope=form.cleaned_data["scope"],
                acting_user=request.user,
            )
            tasks.start_check(batch)
            return redirect("admin:bpjs_statement_review", batch_id=batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Upload BPJS's monthly statement"),
        }
        return render(request, "admin/bpjs/statement/upload.html", context)

    def review_view(self, request, batch_id: int):
        batch = self._batch(request, batch_id)
        if tasks.recover_stalled(ImportBatch.objects.filter(pk=batch_id)):
            batch.refresh_from_db()
        listed = batch.summary.get("listed", {})
        kinds = [(kind, LIST_LABELS[kind], listed[kind]) for kind in LISTED if listed.get(kind)]
        shown = request.GET.get("show")
        if shown not in listed:
            shown = kinds[0][0] if kinds else ""
        page = None
        if batch.review_file and shown and batch.status != ImportBatch.Status.CANCELLED:
            page = Paginator(batches.review_page(batch, shown), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
        categories = batch.summary.get("facts", {}).get("categories", {})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("BPJS statement of %(month)s: %(name)s")
            % {
                "month": month_label(date.fromisoformat(batch.options["month"])),
                "name": batch.file_name,
            },
            "batch": batch,
            "scope_city": batch.options.get("scope") == Scope.CITY,
            "counts": [
                (value, label, categories.get(value, 0)) for value, label in Category.choices
            ],
            "kpj_fill": batch.summary.get("facts", {}).get("kpj_fill", 0),
            "kinds": kinds,
            "shown": shown,
            "page": page,
            "in_progress": batch.status in IN_PROGRESS,
            "blocked": batch.summary.get("blocked", ""),
            "choices": ChoicesForm(
                initial=Choices.of(batch.options).__dict__,
                city=batch.options.get("scope") == Scope.CITY,
            ),
            "statement": Statement.objects.filter(import_batch=batch).first(),
            "may_confirm": request.user.has_perm(UPLOAD_PERMISSION),
        }
        preview_shown(user=request.user, channel=Channel.ADMIN, context=context)
        return render(request, "admin/bpjs/statement/review.html", context)

    def confirm_view(self, request, batch_id: int):
        batch = self._batch(request, batch_id, write=True)
        form = ChoicesForm(request.POST, city=batch.options.get("scope") == Scope.CITY)
        if not form.is_valid():
            messages.error(request, _("Choose a segment from the list."))
            return redirect("admin:bpjs_statement_review", batch_id=batch_id)
        if confirm_statement(batch, Choices(**form.cleaned_data)):
            tasks.start_run(batch)
        else:
            messages.warning(request, _("This statement cannot be applied as it is."))
        return redirect("admin:bpjs_statement_review", batch_id=batch_id)

    def cancel_view(self, request, batch_id: int):
        batch = self._batch(request, batch_id, write=True)
        if batches.cancel_batch(batch):
            messages.info(request, _("The statement was cancelled; nothing was written."))
        return redirect("admin:bpjs_statement_review", batch_id=batch_id)


# --- the discrepancy list ---------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in STAFF_ROLES])
        .distinct()
        .order_by("username"),
    )


@admin.register(StatementLine)
class StatementLineAdmin(PersonalDataAdminMixin, FormattedNumbersMixin, admin.ModelAdmin):
    list_display = (
        "category",
        "status",
        "nik",
        "name",
        "kpj",
        "npp",
        "paid_shown",
        "detail",
        "owner",
        "worker_link",
        "statement",
    )
    list_filter = ("statement", "category", "status", ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=nik", "=kpj", "name")
    list_select_related = ("statement", "owner")
    actions = ("assign_to_me", "assign_to", "mark_resolved", "dismiss")
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("last month paid"), ordering="paid_through")
    def paid_shown(self, line: StatementLine) -> str:
        return month_label(line.paid_through) if line.paid_through else "—"

    @admin.display(description=gettext_lazy("worker"))
    def worker_link(self, line: StatementLine) -> str:
        if not line.worker_id:
            return "—"
        url = reverse("admin:enrollment_worker_change", args=[line.worker_id])
        return format_html('<a href="{}">{}</a>', url, _("worker's page"))

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = assign_lines(queryset, request.user, acting_user=request.user)
        self.message_user(request, _("%(count)d open lines assigned to you.") % {"count": count})

    @admin.action(description=gettext_lazy("Assign to …"), permissions=["change"])
    def assign_to(self, request, queryset):
        form = OwnerForm(request.POST if "owner" in request.POST else None)
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            count = assign_lines(queryset, owner, acting_user=request.user)
            self.message_user(
                request,
                _("%(count)d open lines assigned to %(user)s.")
                % {"count": count, "user": owner.get_username()},
            )
            return None
        return self._ask(request, queryset, form, "assign_to", _("Assign the lines to"))

    @admin.action(description=gettext_lazy("Mark resolved (note required)"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        return self._settle(request, queryset, DiscrepancyStatus.RESOLVED, "mark_resolved")

    @admin.action(description=gettext_lazy("Dismiss (note required)"), permissions=["change"])
    def dismiss(self, request, queryset):
        return self._settle(request, queryset, DiscrepancyStatus.DISMISSED, "dismiss")

    def _settle(self, request, queryset, status: str, action: str):
        form = NoteForm(request.POST if "note" in request.POST else None)
        if form.is_valid():
            count = settle_lines(
                queryset, status, form.cleaned_data["note"], acting_user=request.user
            )
            self.message_user(
                request,
                _("%(count)d open lines marked “%(status)s”.")
                % {"count": count, "status": DiscrepancyStatus(status).label},
            )
            return None
        return self._ask(request, queryset, form, action, DiscrepancyStatus(status).label)

    def _ask(self, request, queryset, form, action: str, title: str):
        """The intermediate page of an action that needs a note or a person."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "lines": queryset,
            "action": action,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return render(request, "admin/bpjs/statementline/action.html", context)
