"""The access log in the admin (administrators only, read-only), and what the admins of personal records share:
NIKs masked in their lists, each change page and each Export recorded in the log.

``PersonalDataAdminMixin`` goes first in the bases of the worker, employment, membership and claim admins.
"""

from functools import cache

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from berjasa.admin.common import FormattedNumbersMixin, ReadOnlyAdminMixin
from berjasa.audit import Channel
from berjasa.formatting import mask_nik, short_date
from berjasa.templatetags.berjasa import masked_niks_in
from enrollment.models import Employment, ImportBatch, Worker
from privacy.log import Kind, record_access
from privacy.models import AccessRecord
from privacy.retention import file_names, files_deleted_on, files_kept_until

VIEW_PERMISSION = "privacy.view_accessrecord"


def worker_label(worker: Worker) -> str:
    """How a person is named in a list: ``Andi Pratama (737105••••••0001)``."""
    return f"{worker.name} ({mask_nik(worker.nik)})"


def access_log_url(worker_id: int) -> str:
    return f"{reverse('admin:privacy_accessrecord_changelist')}?{PersonFilter.parameter_name}={worker_id}"


# What the keys of an access's scope (``privacy.log.record_access``) mean to the clerk who reads the log.
SCOPE_LABELS = {
    "command": _("command"),
    "file": _("file"),
    "filters": _("filters"),
    "format": _("format"),
    "id": _("record number"),
    "import_batch": _("import batch"),
    "model": _("list"),
    "output": _("output file"),
    "page": _("page"),
    "selected": _("rows chosen"),
    "show": _("shown"),
    "view": _("view"),
}


# The admin's pages of one record (``PersonalDataAdminMixin``), by the ``view`` of its scope.
RECORD_VIEWS = {"change": _("record page"), "history": _("history")}


@cache
def _model_names() -> dict:
    """Each model's verbose name (lazy: read in the reader's language) by its name, built once."""
    return {model._meta.model_name: model._meta.verbose_name for model in apps.get_models()}


def scope_text(scope: dict) -> str:
    """``list: pekerja; format: XLSX; filters: segment=1`` instead of the JSON the scope is stored as."""
    models_by_name = _model_names()

    def shown(value, key: str = "") -> str:
        if key in ("page", "model") and value in models_by_name:
            return str(models_by_name[value])
        if key == "view":
            return str(RECORD_VIEWS.get(value, value))
        if key == "id":
            return f"#{value}"  # a record's number, as import batches are named: not an amount
        if isinstance(value, dict):
            return ", ".join(f"{key}={shown(item)}" for key, item in value.items()) or "—"
        if isinstance(value, list):
            return "/".join(shown(item) for item in value)
        return str(value)

    return "; ".join(
        f"{SCOPE_LABELS.get(key, key)}: {shown(value, key)}" for key, value in sorted(scope.items())
    )


class PersonalDataAdminMixin:
    """Lists name people by a masked NIK; opening a record's page or exporting the list is recorded.

    List columns ``nik`` and ``worker`` become their masked forms (sortable as before). The Export's record is
    written before the file streams, with the changelist's filters and the count of the exported queryset.
    """

    masked_columns = {"nik": "masked_nik", "worker": "masked_worker"}

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, obj: Worker) -> str:
        return mask_nik(obj.nik)

    @admin.display(description=_("worker"), ordering="worker")
    def masked_worker(self, obj) -> str:
        return worker_label(obj.worker)

    def _masked(self, names):
        return None if names is None else tuple(self.masked_columns.get(n, n) for n in names)

    def get_list_display(self, request):
        return self._masked(super().get_list_display(request))

    def get_sortable_by(self, request):
        return self._masked(super().get_sortable_by(request))

    @staticmethod
    def person_of(obj) -> int:
        return obj.pk if isinstance(obj, Worker) else obj.worker_id

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.user.has_perm(VIEW_PERMISSION):
            context["access_log_url"] = access_log_url(self.person_of(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if isinstance(response, TemplateResponse) and response.status_code == 200:
            self._record_page(request, response.context_data.get("original"), "change")
        return response

    def render_history_view(self, request, template, context, **kwargs):
        """The History list and a past version (django-simple-history's hook): the person's data too."""
        response = super().render_history_view(request, template, context, **kwargs)
        if response.status_code == 200:
            self._record_page(request, context.get("object") or context.get("original"), "history")
        return response

    def _record_page(self, request, obj, page: str) -> None:
        if obj is None:
            return
        record_access(
            user=request.user,
            channel=Channel.ADMIN,
            kind=Kind.PERSON,
            worker=self.person_of(obj),
            scope={"page": self.opts.model_name, "id": obj.pk, "view": page},
            rows=1,
        )

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form)
        scope = {
            "model": self.opts.model_name,
            "format": file_format.get_title(),
            "filters": {key: request.GET.getlist(key) for key in request.GET},
        }
        if export_form is not None and "export_items" in export_form.changed_data:
            scope["selected"] = len(export_form.cleaned_data["export_items"])
        employer = request.GET.get("employer__id__exact", "")
        record_access(
            user=request.user,
            channel=Channel.ADMIN,
            kind=Kind.EXPORT,
            employer=int(employer) if employer.isdigit() else None,
            scope=scope,
            rows=queryset,
        )
        return response


class MaskedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete (``berjasa.admin_site``): a list of people found, so their NIKs masked (a full
    NIK still finds them)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Worker):
            result["text"] = worker_label(obj)
        return result


class RetainedFilesAdminMixin:
    """An import batch's page says when its files (upload, preview, error report) were or will be deleted."""

    readonly_fields = ("personal_files",)

    @admin.display(description=_("files with personal data"))
    def personal_files(self, batch: ImportBatch) -> str:
        deleted = files_deleted_on(batch)
        if deleted is None and not file_names(batch):
            return "–"
        if deleted is not None:
            return gettext(
                "Deleted on %(date)s under the retention rule for personal data; the counts, the file name "
                "and its SHA-256 are kept."
            ) % {"date": short_date(deleted)}
        return gettext("Kept until %(date)s, then deleted under the retention rule.") % {
            "date": short_date(files_kept_until(batch))
        }


# --- the log ------------------------------------------------------------------------------------------------


class PersonFilter(admin.SimpleListFilter):
    """Who read one person's data: their pages, lists scoped to one of their employers, lists of the whole
    city (each with its filters: an administrator judges whether the person was in it)."""

    title = _("person")
    parameter_name = "person"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        worker = Worker.objects.filter(pk=value).first() if value.isdigit() else None
        return [(value, worker_label(worker) if worker else value)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        employers = Employment.objects.filter(worker_id=value).values("employer_id")
        return queryset.filter(
            Q(worker_id=value)
            | Q(worker__isnull=True, employer__in=employers)
            | Q(worker__isnull=True, employer__isnull=True)
        )


class UserFilter(admin.SimpleListFilter):
    """What one user read (the link on each row's user name)."""

    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        record = AccessRecord.objects.filter(user_id=value).first() if value.isdigit() else None
        return [(value, record.username if record else value)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(user_id=value) if value.isdigit() else queryset.none()


@admin.register(AccessRecord)
class AccessRecordAdmin(FormattedNumbersMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read by administrators only (the view permission, which no other role holds); nobody adds, changes or
    deletes a record here (``purge_personal_files`` removes them after ``ACCESS_LOG_RETENTION_DAYS``)."""

    list_display = ("at", "user_link", "channel", "kind", "person", "employer", "what", "rows")
    list_filter = (PersonFilter, UserFilter, "channel", "kind")
    list_select_related = ("worker", "employer")
    search_fields = ("=username",)
    search_help_text = _("The exact user name.")
    show_facets = admin.ShowFacets.NEVER  # one record per read: a table that only grows
    show_full_result_count = False
    sortable_by = ()

    @admin.display(description=_("user"))
    def user_link(self, record: AccessRecord) -> str:
        if record.user_id is None:
            return record.username
        url = f"{reverse('admin:privacy_accessrecord_changelist')}?{UserFilter.parameter_name}={record.user_id}"
        return format_html('<a href="{}">{}</a>', url, record.username)

    @admin.display(description=_("person"))
    def person(self, record: AccessRecord) -> str:
        if record.worker is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', access_log_url(record.worker_id), worker_label(record.worker)
        )

    @admin.display(description=_("scope"))
    def what(self, record: AccessRecord) -> str:
        """The filters and file, a NIK searched for masked as in every list."""
        if not record.scope:
            return "–"
        return masked_niks_in(scope_text(record.scope))
