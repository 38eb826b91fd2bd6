"""What an import found and intends to do: counts, the preview's entries, the errors of each row."""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from enum import StrEnum
from itertools import islice
from typing import IO


class Kind(StrEnum):
    """A line of the preview. Counts use the same names."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    TERMINATED = "terminated"
    SKIPPED = "skipped"  # DTSEN: already covered by the city, or above the desil cut-off
    FLAGGED = "flagged"  # DTSEN: already enrolled through an employer
    ERROR = "error"
    WARNING = "warning"
    REQUESTED = "requested"  # roster: a change to a shared person's data, awaiting confirmation


# The kinds a preview lists page by page (unchanged rows are only counted).
LISTED_KINDS = (
    Kind.ERROR,
    Kind.NEW,
    Kind.UPDATED,
    Kind.REQUESTED,
    Kind.TERMINATED,
    Kind.FLAGGED,
    Kind.SKIPPED,
    Kind.WARNING,
)


@dataclass(slots=True)
class Entry:
    kind: str
    row: int | None  # row number in the file; None for a worker absent from it
    nik: str = ""
    name: str = ""
    column: str = ""
    text: str = ""
    code: str = ""  # what kind of error or warning, for programs (``text`` is for people)
    programs: str = ""  # a new membership's programs ("JKK, JKM")


ENTRY_FIELDS = tuple(entry_field.name for entry_field in fields(Entry))


@dataclass
class Plan:
    """Filled by a planner; ``rows`` counts each row once (new, updated, unchanged, skipped, flagged or error).

    ``entries`` receives every line of the preview as it is found (a file writer, or None when only the counts
    matter, as when the import runs).
    """

    review: "ReviewWriter | None" = None
    rows: Counter = field(default_factory=Counter)
    listed: Counter = field(default_factory=Counter)
    errors: dict[int, list[str]] = field(default_factory=dict)
    skipped_reasons: Counter = field(default_factory=Counter)
    outcomes: Counter = field(
        default_factory=Counter
    )  # an importer's own tallies (BPJS: accepted, rejected)
    blocked: str = ""  # why nothing may be imported even with "only the valid rows"
    facts: dict = field(default_factory=dict)  # what an importer adds to the batch's summary

    def note(self, entry: Entry) -> None:
        self.listed[entry.kind] += 1
        if entry.kind == Kind.ERROR:
            self.errors.setdefault(entry.row, []).append(
                f"{entry.column}: {entry.text}" if entry.column else entry.text
            )
        if self.review is not None:
            self.review.write(entry)

    def count(self, kind: Kind, entry: Entry | None = None) -> None:
        self.rows[kind] += 1
        if entry is not None:
            self.note(entry)

    @property
    def error_rows(self) -> int:
        return len(self.errors)

    def summary(self) -> dict:
        return {
            "rows": dict(self.rows),
            "listed": dict(self.listed),
            "skipped_reasons": dict(self.skipped_reasons),
            "outcomes": dict(self.outcomes),
            "blocked": self.blocked,
            "facts": self.facts,
        }


class ReviewWriter:
    """The preview's entries, one JSON object a line, written as the planner finds them."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, entry: Entry) -> None:
        # Not dataclasses.asdict, which deep-copies every value: a third of a 50,000-row preview.
        values = {name: getattr(entry, name) for name in ENTRY_FIELDS}
        self.handle.write(json.dumps(values, ensure_ascii=False, separators=(",", ":")))
        self.handle.write("\n")


class ReviewPage:
    """The entries of one kind, as a sequence Django's ``Paginator`` can slice without reading them all."""

    def __init__(self, open_file, kind: str, count: int) -> None:
        self.open_file = open_file
        self.kind = kind
        self.total = count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, items: slice) -> list[Entry]:
        with self.open_file() as handle:
            return list(islice(self._of_kind(handle), items.start, items.stop))

    def _of_kind(self, handle) -> Iterator[Entry]:
        marker = f'"kind":"{self.kind}"'
        for line in handle:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
            if marker in text:
                yield Entry(**json.loads(text))
