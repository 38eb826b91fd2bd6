"""The changes an employer made to one of its workers, read from the audit history."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from berjasa.formatting import field_value, short_date
from enrollment.models import PERSONAL_FIELDS, Employment, Membership, Versioned, Worker
from enrollment.visibility import NOT_SHOWN
from programs.models import Program

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
# Written with every change, never a change themselves.
RECORD_STAMPS = {"updated_at", "created_at", "version"}
# Not shown to employers: bookkeeping, the decile, and the staff confirmations of date warnings (decision 37).
HIDDEN_FIELDS = {*RECORD_STAMPS, "keeper", "dtsen_decile", "confirmed_warnings"}
MAX_CHANGES = 50


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    what: str
    action: str
    fields: list[FieldChange]


class Names:
    """What a reference is called (a segment's name, a kelurahan's), each looked up once."""

    def __init__(self) -> None:
        self.known: dict[tuple[type[Model], object], str] = {}

    def __call__(self, model: type[Model], pk) -> str:
        if (model, pk) not in self.known:
            found = model._base_manager.filter(pk=pk).first()
            self.known[model, pk] = str(found) if found else str(pk)
        return self.known[model, pk]


def changes_made_by(employer, worker: Worker, *, visible=PERSONAL_FIELDS) -> list[Change]:
    """Newest first: the history rows of the worker, its jobs and memberships that this employer wrote.

    Each row is compared with the row before it of the same record, whoever wrote that one: the records' whole
    history is read in one query per model (a worker's is short), not one query per row. The worker's fields not
    in ``visible`` (``enrollment.visibility.worker_fields_visible_to``) are named, their values not shown.
    """
    histories = [
        Worker.history.filter(id=worker.pk),
        Employment.history.filter(worker_id=worker.pk, employer_id=employer.pk),
        Membership.history.filter(worker_id=worker.pk, employer_id=employer.pk),
    ]
    pairs = []  # (record, the record's previous version or None)
    for history in histories:
        previous = {}
        for record in history.select_related("history_user").order_by("history_date", "history_id"):
            if record.history_employer_id == employer.pk:
                pairs.append((record, previous.get(record.id)))
            previous[record.id] = record
    pairs.sort(key=lambda pair: pair[0].history_date, reverse=True)
    names = Names()
    program_codes = dict(Program.objects.values_list("pk", "code"))
    return [
        _change(record, before, names, program_codes, visible, HIDDEN_FIELDS)
        for record, before in pairs[:MAX_CHANGES]
    ]


def changes_since(
    record: Versioned, seen_version: int, *, visible=PERSONAL_FIELDS, hidden=HIDDEN_FIELDS
) -> list[Change]:
    """Oldest first: the changes of ``record`` after ``seen_version`` (the version an edit form showed), each
    historical row of a later version compared with the one before it. Whoever wrote them; a worker's fields not
    in ``visible`` are named, their values not shown; fields in ``hidden`` are left out."""
    history = type(record).history.filter(id=record.pk).select_related("history_user")
    order = ("history_date", "history_id")
    seen = history.filter(version__lte=seen_version).order_by(*(f"-{name}" for name in order))
    later = list(history.filter(version__gt=seen_version).order_by(*order)[:MAX_CHANGES])
    names = Names()
    program_codes = dict(Program.objects.values_list("pk", "code"))
    changes = []
    for before, row in zip([seen.first(), *later], later, strict=False):
        changes.append(_change(row, before, names, program_codes, visible, hidden))
    return changes


def _change(record, before, names: Names, program_codes, visible, hidden) -> Change:
    return Change(
        when=record.history_date,
        who=record.history_user.get_username() if record.history_user else "",
        what=_subject(record, program_codes),
        action=str(ACTIONS[record.history_type]),
        fields=_field_changes(record, before, names, visible, hidden),
    )


def _subject(record, program_codes: dict[int, str]) -> str:
    """The record in words: "membership JKK", "employment from 01-07-2025", "worker"."""
    model = record.instance_type
    name = str(model._meta.verbose_name)
    if model is Membership:
        return f"{name} {program_codes.get(record.program_id, '')}".strip()
    if model is Employment:
        return _("%(record)s from %(date)s") % {
            "record": name,
            "date": short_date(record.start_date),
        }
    return name


def _field_changes(record, previous, names: Names, visible, hidden) -> list[FieldChange]:
    if previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=hidden)
    model = record.instance_type
    changes = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        if model is Worker and change.field not in visible:
            if change.field in PERSONAL_FIELDS:
                changes.append(FieldChange(str(field.verbose_name), NOT_SHOWN, NOT_SHOWN))
            continue
        changes.append(
            FieldChange(
                str(field.verbose_name),
                _shown(field, change.old, names),
                _shown(field, change.new, names),
            )
        )
    return changes


def _shown(field, value, names: Names) -> str:
    """A value as the portal shows it elsewhere: names for references, the rest by ``field_value``."""
    if field.is_relation and value not in (None, ""):
        return names(field.related_model, value)
    return field_value(field, value)
