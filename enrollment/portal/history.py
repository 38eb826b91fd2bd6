"""The changes an employer made to one of its workers, read from the audit history."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from enrollment.models import Employment, Membership, Worker

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
HIDDEN_FIELDS = {"updated_at", "created_at"}
MAX_CHANGES = 50


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    what: str
    action: str
    fields: list[FieldChange]


def _field_changes(record) -> list[FieldChange]:
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS)
    model = record.instance_type
    return [
        FieldChange(str(model._meta.get_field(change.field).verbose_name), change.old, change.new)
        for change in delta.changes
    ]


def changes_made_by(employer, worker: Worker) -> list[Change]:
    """Newest first: the history rows of the worker, its jobs and memberships that this employer wrote."""
    histories = [
        Worker.history.filter(id=worker.pk),
        Employment.history.filter(worker_id=worker.pk, employer_id=employer.pk),
        Membership.history.filter(worker_id=worker.pk, employer_id=employer.pk),
    ]
    records = []
    for history in histories:
        records.extend(
            history.filter(history_employer_id=employer.pk)
            .select_related("history_user")
            .order_by("-history_date")[:MAX_CHANGES]
        )
    records.sort(key=lambda record: record.history_date, reverse=True)
    return [
        Change(
            when=record.history_date,
            who=record.history_user.get_username() if record.history_user else "",
            what=f"{record.instance_type._meta.verbose_name} #{record.id}",
            action=str(ACTIONS[record.history_type]),
            fields=_field_changes(record),
        )
        for record in records[:MAX_CHANGES]
    ]
