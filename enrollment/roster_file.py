"""The roster file: its columns, in one place, for the portal download, the template and the roster import."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from enrollment.models import Employment, Membership


@dataclass(frozen=True)
class RosterColumn:
    header: str
    text: bool = False  # kept as text in spreadsheets (ids whose leading digits matter)


# The headers are the file format, not interface text: they stay the same in every language.
ROSTER_COLUMNS = (
    RosterColumn("NIK", text=True),
    RosterColumn("Nama"),
    RosterColumn("No KPJ", text=True),
    RosterColumn("Tanggal Lahir"),
    RosterColumn("Jenis Kelamin"),
    RosterColumn("No HP", text=True),
    RosterColumn("Alamat"),
    RosterColumn("Kode Kelurahan", text=True),
    RosterColumn("Pekerjaan"),
    RosterColumn("Disabilitas"),
    RosterColumn("Tanggal Mulai Kerja"),
    RosterColumn("Upah Bulanan"),
    RosterColumn("Program Aktif"),
)
ROSTER_HEADER = [column.header for column in ROSTER_COLUMNS]
ROSTER_TEXT_COLUMNS = [index for index, column in enumerate(ROSTER_COLUMNS) if column.text]


def active_memberships(employer_id: int, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(employer_id=employer_id, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("program")
        .order_by("program__sort_order")
    )


def roster_rows(employments: QuerySet[Employment], employer_id: int, on: date) -> Iterator[list]:
    """One row per open employment, in ``ROSTER_COLUMNS`` order, streamed in chunks."""
    employments = (
        employments.filter(end_date__isnull=True)
        .select_related("worker__kelurahan")
        .prefetch_related(
            Prefetch(
                "worker__memberships",
                queryset=active_memberships(employer_id, on),
                to_attr="active",
            )
        )
        .order_by("worker__name", "pk")
    )
    for employment in employments.iterator(chunk_size=2000):
        worker = employment.worker
        yield [
            worker.nik,
            worker.name,
            worker.kpj or "",
            worker.birth_date,
            worker.sex,
            worker.phone,
            worker.address,
            worker.kelurahan.code if worker.kelurahan else "",
            worker.occupation,
            worker.has_disability,
            employment.start_date,
            employment.monthly_wage,
            " ".join(membership.program.code for membership in worker.active),
        ]
