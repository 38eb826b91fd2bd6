"""The pieces every app's admin shares (the site itself: ``berjasa.admin_site``).

- ``IdentifierSearchMixin``: NIK, KPJ and NPP searches by prefix, so PostgreSQL answers them from the unique
  indexes; names by substring.
- ``OneQueryInlineMixin``: inlines whose query count does not grow with their number of rows.
- ``ReadOnlyAdminMixin`` for records that code writes and people only read.
- ``ActiveFilter`` (open or ended date range); ``FormattedNumbersMixin``, ``formatted_column``, ``rupiah_column`` and ``count_column``: money and
  counts as clerks read them in lists and read-only fields.
- ``StreamedExportMixin``: django-import-export's Export written row by row, in constant memory.
- ``CountedDeleteMixin``: a delete refused at once with a count of what still refers to the row.
"""

import re
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseInlineFormSet, ModelChoiceField, Select
from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from berjasa.formatting import is_money_field, number, rupiah
from berjasa.spreadsheets import planned_to_the_end, stream_csv, temporary_file, write_xlsx
from enrollment.nik import compact_number, without_text_mark


class IdentifierSearchMixin:
    """Search that PostgreSQL answers from indexes.

    A term with a digit in it is an identifier (NIK, KPJ, NPP, a claim reference; names have no digits). It is
    matched from its start against ``identifier_search_fields`` (``nik LIKE '7371%'``, served by the
    ``varchar_pattern_ops`` index Django creates beside each unique CharField), in capitals, both as typed and
    as ``enrollment.nik.compact_number`` reads it (no spaces, dots or dashes; ０-９ or ٠-٩ as 0-9). Any other
    term goes to Django's search over ``search_fields``, which holds the names (matched anywhere in the name,
    case-insensitively).

    Identifiers of one table are OR-ed in one filter; identifiers of different tables (a worker's NIK, an
    employer's NPP) become a UNION of one indexed lookup per table, because an OR across two joined tables
    makes PostgreSQL read every row.
    """

    identifier_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")  # PostgreSQL refuses NUL in a text
        search_term = without_text_mark(search_term)  # '7371… pasted from a spreadsheet
        compact = compact_number(search_term).upper()
        is_identifier = compact.isalnum() and any(character.isdigit() for character in compact)
        if not (self.identifier_search_fields and is_identifier):
            return super().get_search_results(request, queryset, search_term)
        as_typed = search_term.strip().upper()
        spellings = (
            [compact] if re.search(r"\s", as_typed) else list(dict.fromkeys([compact, as_typed]))
        )
        by_table: dict[str, list[str]] = {}
        for path in self.identifier_search_fields:
            by_table.setdefault(path.rpartition("__")[0], []).append(path)
        matches = [
            models.Q.create(
                [(f"{path}__startswith", spelling) for path in paths for spelling in spellings],
                connector=models.Q.OR,
            )
            for paths in by_table.values()
        ]
        if len(matches) == 1:
            return queryset.filter(matches[0]), False
        manager = self.model._default_manager
        first, *rest = (manager.filter(match).order_by().values("pk") for match in matches)
        return queryset.filter(pk__in=first.union(*rest)), False


class ReadOnlyAdminMixin:
    """For records that code creates (imports, reports): people may look, nobody edits or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The delete rules under which a referring row stops the delete (the database refuses it too).
BLOCKING_DELETE_RULES = (models.PROTECT, models.RESTRICT)


def references_to(model: type[models.Model], objs) -> dict[type[models.Model], int]:
    """How many rows of each model still refer to ``objs`` (instances or a queryset of ``model``) through a
    foreign key that protects them: one ``COUNT`` per relation, no row fetched. Historical rows
    (``DO_NOTHING``) and references that are emptied (``SET_NULL``) do not count."""
    counts: dict[type[models.Model], int] = {}
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        if relation.many_to_many or relation.on_delete not in BLOCKING_DELETE_RULES:
            continue
        related = relation.related_model
        count = related._base_manager.filter(**{f"{relation.field.name}__in": objs}).count()
        if count:
            counts[related] = counts.get(related, 0) + count
    return counts


def references_in_words(counts: dict[type[models.Model], int]) -> str:
    """``3.412 memberships and 12 claims``, in the interface's language, numbers as read in Makassar."""
    return get_text_list(
        [
            f"{number(count)} "
            f"{model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in counts.items()
        ],
        gettext("and"),
    )


class CountedDeleteMixin:
    """The delete page (and "delete selected") of a row others still refer to refuses at once, with a count.

    Django's own page collects and lists every related object: for a segment or a funding scheme that is every
    membership using it (minutes and megabytes at the city's scale), only to say the delete is refused. Here each
    relation is counted by one query; a row nothing refers to is deleted as before.
    """

    delete_confirmation_template = "admin/counted_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/counted_delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        counts = references_to(self.model, objs)
        if not counts:
            return super().get_deleted_objects(objs, request)
        opts = self.model._meta
        single = not isinstance(objs, models.QuerySet) and len(objs) == 1
        refusal = (
            gettext("%(references)s still refer to this %(name)s; it cannot be deleted.")
            if single
            else gettext(
                "%(references)s still refer to the selected %(name)s; they cannot be deleted."
            )
        ) % {
            "references": references_in_words(counts),
            "name": opts.verbose_name if single else opts.verbose_name_plural,
        }
        return [], {}, set(), [refusal]


class ActiveFilter(admin.SimpleListFilter):
    """Open (no end date: active, on the roster) or ended records."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(end_date__isnull=True)
        if self.value() == "ended":
            return queryset.filter(end_date__isnull=False)
        return queryset


def formatted_column(
    field_name: str, description: str, formatter: Callable[[Any], str] = rupiah
) -> Callable[[models.Model], str]:
    """A column (or read-only field) showing a field through ``formatter``: ``Rp16.800`` for money, ``39.851``
    for a count (``number``), ``31/08/2025 23.59 WITA`` for a moment (``date_time``); sortable by the field; "—"
    when empty."""

    @admin.display(description=description, ordering=field_name)
    def column(obj: models.Model) -> str:
        value = getattr(obj, field_name)
        return "—" if value is None else formatter(value)

    column.__name__ = f"{field_name}{FORMATTED_SUFFIX}"
    return column


def count_column(field_name: str, description: str) -> Callable[[models.Model], str]:
    """A list column showing a count as ``39.851``, sortable by the field."""
    return formatted_column(field_name, description, number)


def rupiah_column(field_name: str, description: str) -> Callable[[models.Model], str]:
    """A list column showing an integer Rupiah field as ``Rp16.800``, sortable by the field."""
    return formatted_column(field_name, description, rupiah)


# These integers are counts of rows or people (money: berjasa.formatting.is_money_field).
COUNT_FIELDS = frozenset(
    {
        "workers",
        "rows",
        "row_count",
        "rows_checked",
        "count_new",
        "count_updated",
        "count_unchanged",
        "count_terminated",
        "count_errors",
    }
)
FORMATTED_SUFFIX = "_formatted"


def _formatter_of(model_field) -> Callable[[int], str] | None:
    if is_money_field(model_field):
        return rupiah
    if isinstance(model_field, models.IntegerField) and model_field.name in COUNT_FIELDS:
        return number
    return None


class FormattedNumbersMixin:
    """Money and counts read as clerks read them (``Rp3.650.000``, ``39.851``) wherever the admin shows them
    as text: list columns and read-only fields of a ModelAdmin or inline. Django shows a model's integer as
    ``3650000``; here each such field shown (not edited) is replaced by a ``formatted_column`` of itself
    (``monthly_wage`` → ``monthly_wage_formatted``). A field in an editable form stays a number input."""

    def __getattr__(self, name: str):
        field_name = name.removesuffix(FORMATTED_SUFFIX)
        model_field = self._formatted_fields().get(field_name) if field_name != name else None
        if model_field is None:
            raise AttributeError(name)
        formatter = _formatter_of(model_field)
        return formatted_column(field_name, model_field.verbose_name, formatter)

    def _formatted_fields(self) -> dict:
        """The model's money and count fields by name."""
        fields = self.model._meta.concrete_fields
        return {f.name: f for f in fields if _formatter_of(f) is not None}

    def _formatted(self, names, shown=None) -> list:
        """``names`` (nested as in fieldsets) with each money or count field in ``shown`` (all when None)
        replaced by the name of its formatted column."""
        formatted = self._formatted_fields()
        return [
            tuple(self._formatted(name, shown))
            if isinstance(name, list | tuple)
            else f"{name}{FORMATTED_SUFFIX}"
            if name in formatted and (shown is None or name in shown)
            else name
            for name in names
        ]

    def get_list_display(self, request):
        return self._formatted(super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        """Every formatted column may be shown read-only; the fieldsets choose which replace their field."""
        formatted = [f"{name}{FORMATTED_SUFFIX}" for name in self._formatted_fields()]
        return (*super().get_readonly_fields(request, obj), *formatted)

    def get_fields(self, request, obj=None):
        """Django appends every read-only name to the fields; a formatted column is not one more field but its
        field's replacement (``get_fieldsets``)."""
        return [
            name
            for name in super().get_fields(request, obj)
            if not (isinstance(name, str) and name.endswith(FORMATTED_SUFFIX))
        ]

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        shown = set(self.get_readonly_fields(request, obj)) if editable else None
        return [
            (title, {**options, "fields": self._formatted(options["fields"], shown)})
            for title, options in super().get_fieldsets(request, obj)
        ]


class KnownLabelAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that labels its current value from an object already in memory.

    Django's own widget reads that label with a query of its own: one query per inline row.
    ``OneQueryInlineFormSet`` fills ``known_labels`` from the row's object, which the inline's
    queryset has joined; a value it does not know (a bound form with a new choice) falls back to a query.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_labels: dict[str, str] = {}

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not all(choice in self.known_labels for choice in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for choice in selected:
            options.append(
                self.create_option(name, choice, self.known_labels[choice], True, len(options))
            )
        return [(None, options, 0)]


class OneQueryInlineFormSet(BaseInlineFormSet):
    """An inline formset that costs the same number of queries for one row or a hundred.

    Django fills each row's select boxes with a query per row and field; here each select's options are read
    once for the whole formset. Autocomplete fields take their label from the row's object (see
    ``KnownLabelAutocompleteSelect``).

    Django leaves out of a row's validation every constraint that involves the parent (the parent's key is
    not a field of the row's form), so a second open employment with the same employer would reach the
    database as an IntegrityError; ``clean`` checks the rows' constraints with the parent in place.
    """

    def __init__(self, *args, **kwargs):
        self._shared_choices: dict[str, list] = {}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not isinstance(field, ModelChoiceField):
                continue
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            if isinstance(widget, KnownLabelAutocompleteSelect):
                related = _loaded_related_object(form.instance, name)
                if related is not None:
                    widget.known_labels = {str(related.pk): field.label_from_instance(related)}
            elif isinstance(widget, Select) and not isinstance(widget, AutocompleteMixin):
                # Only visible selects: the row's hidden primary key is a ModelChoiceField too.
                if name not in self._shared_choices:
                    self._shared_choices[name] = _read_choices(field)
                field.choices = self._shared_choices[name]

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return  # a new parent has no rows in the database to conflict with
        for form in self.forms:
            if not form.has_changed() or form.errors or self._should_delete_form(form):
                continue
            try:
                form.instance.validate_constraints()
            except ValidationError as error:
                form.add_error(None, error.messages)


def _read_choices(field: ModelChoiceField) -> list:
    """The field's choices in one plain query.

    ``list(field.choices)`` would first count them (``len()``), then read them through ``iterator()``, a
    server-side cursor on PostgreSQL: three round trips for a handful of rows.
    """
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + [iterator.choice(obj) for obj in field.queryset]


def _loaded_related_object(instance: models.Model, field_name: str) -> models.Model | None:
    field = instance._meta.get_field(field_name)
    return getattr(instance, field_name) if field.is_cached(instance) else None


class OneQueryInlineMixin:
    """Inline rows joined with the objects they show (``select_related``) and a ``OneQueryInlineFormSet``."""

    formset = OneQueryInlineFormSet
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownLabelAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Exported fields whose values are identifiers (NIK, KPJ, NPP, codes, phone numbers): text columns in XLSX.
IDENTIFIER_FIELDS = {
    "nik",
    "kpj",
    "npp",
    "phone",
    "worker",
    "employer",
    "kelurahan",
    "reference",
    "code",
}
EXPORT_CHUNK = 2_000


class StreamedExportMixin:
    """The Export of django-import-export's ``ExportMixin``, written as it is read.

    django-import-export collects every row in a ``tablib.Dataset`` and builds the file in memory: the 1.4 million
    memberships of the city would not fit. Here the same resource exports the same fields of the same queryset
    (the changelist's, with its filters), row by row from a server-side cursor: CSV streams to the browser,
    XLSX goes through a temporary file (``berjasa.spreadsheets``). ``_do_file_export`` is the hook that both
    the library's export view and its export action call; it is private to django-import-export 4.x (pinned in
    the lock files), and ``tests/test_admin_imports.py`` fails if an upgrade stops calling it.
    """

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request))
        selected = self.get_export_resource_fields_from_form(export_form)
        header = resource.get_export_headers(selected_fields=selected)
        filename = self.get_export_filename(request, queryset, file_format)
        xlsx = file_format.is_binary()
        rows = _exported_rows(resource, queryset, selected, native=xlsx)
        if not xlsx:
            response = StreamingHttpResponse(
                stream_csv(header, rows), content_type=file_format.get_content_type()
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        names = [field.attribute for field in resource.get_export_fields(selected)]
        text = [index for index, name in enumerate(names) if name in IDENTIFIER_FIELDS]
        handle = temporary_file(
            lambda output: write_xlsx(output, header, rows, text_columns=text, sheet_title="Data")
        )
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type=file_format.get_content_type(),
        )


def _exported_rows(resource, queryset, selected, *, native: bool):
    with planned_to_the_end():
        for instance in queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield resource.export_resource(
                instance, selected_fields=selected, force_native_type=native
            )
