"""The audit history pages of the admin (django-simple-history's list of versions) as a clerk reads them.

Each version says when (``31/08/2025 23.59 WITA``), what happened (created, changed, deleted), who, through
which channel (Admin, Portal pemberi kerja, Batch impor) and what changed, field by field under the field's
verbose name: choices by their label (``Status: Terverifikasi → Dibayar``), money as ``Rp3.650.000``, dates as
``31/08/2025``, nothing as ``—``. Fields no one edits (the version counter, timestamps) are left out. A past
version's page names its app and records as the admin's menu does (not "Enrollment › Historical klaim").
"""

import dataclasses

from simple_history.template_utils import HistoricalRecordContextHelper

from berjasa.formatting import field_value


class ReadableChanges(HistoricalRecordContextHelper):
    """simple-history's changes of a version with the values through ``berjasa.formatting.field_value``."""

    def context_for_delta_changes(self, delta):
        edited = [
            change for change in delta.changes if self.model._meta.get_field(change.field).editable
        ]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=edited))

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return field_value(field, value)


class AuditHistoryAdminMixin:
    """For a ``SimpleHistoryAdmin`` of a model with an ``AuditTrail``: its versions in the clerk's words."""

    object_history_template = "admin/audit_history.html"
    object_history_list_template = "admin/audit_history_list.html"
    object_history_form_template = "admin/audit_history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)
