"""django-import-export's Import and Export pages in the clerk's words.

The package's own strings (buttons, headings, "Pilih semua") are translated in ``locale_packages/`` (it ships
no Indonesian catalogue; decision 51). Here: each column of a file is named by its field's verbose name with
the column's header beside it (``Tanggal lahir (birth_date)``: the header is what the file must carry), and an
exported file is named after the model and the day in Makassar (``pekerja-2026-12-07.xlsx``).
"""

from django.utils import timezone
from django.utils.text import capfirst, slugify
from import_export.fields import Field
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import Resource


def column_label(resource: type[Resource] | Resource, field: Field) -> str:
    """``Tanggal lahir (birth_date)``: the verbose name of the model field behind a file column (or the
    resource's ``column_labels`` entry for a column of its own), then the column's header."""
    label = getattr(resource, "column_labels", {}).get(field.column_name)
    if label is None and field.attribute:
        model_fields = {f.name: f for f in resource._meta.model._meta.get_fields()}
        label = getattr(model_fields.get(field.attribute.split("__")[0]), "verbose_name", None)
    return f"{capfirst(label)} ({field.column_name})" if label else field.column_name


class LabelledExportForm(SelectableFieldsExportForm):
    """The export form's field checkboxes labelled ``Tanggal lahir (birth_date)`` (the package writes the
    field's name in English title case: "Birth Date")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        return column_label(resource, resource.fields[field_name])


class ReadableImportExportMixin:
    """For a ModelAdmin with django-import-export's Import and Export."""

    export_form_class = LabelledExportForm

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = slugify(self.model._meta.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def init_request_context_data(self, request, form):
        """The export page's list of columns (shown when the form has no checkboxes) by their labels."""
        context = super().init_request_context_data(request, form)
        context["fields_list"] = self._labelled_fields(self.get_export_resource_classes(request))
        return context

    def import_action(self, request, *args, **kwargs):
        response = super().import_action(request, *args, **kwargs)
        context = getattr(response, "context_data", None)
        if context is not None and "fields_list" in context:
            context["fields_list"] = self._labelled_fields(
                self.get_import_resource_classes(request)
            )
        return response

    @staticmethod
    def _labelled_fields(resource_classes) -> list[tuple[str, list[str]]]:
        return [
            (
                resource_class.get_display_name(),
                [column_label(resource, field) for field in resource.get_user_visible_fields()],
            )
            for resource_class in resource_classes
            for resource in [resource_class()]
        ]
