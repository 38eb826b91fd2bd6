"""The roster file: its columns, in one place, for the portal download, the template and the roster import."""

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import IO

from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from berjasa.spreadsheets import planned_to_the_end, stream_csv, temporary_file, write_xlsx
from enrollment.imports.reader import Column
from enrollment.models import Employment, Membership
from programs.models import Kelurahan, Program

# The headers are the file format, not interface text: they stay the same in every language. The import accepts
# them in any case and spacing, and the aliases too.
ROSTER_COLUMNS = (
    Column("nik", "NIK", required=True, text=True, aliases=("no nik", "nomor nik", "nomor induk kependudukan")),
    Column("name", "Nama", required=True, aliases=("nama lengkap", "nama pekerja", "name")),
    Column("kpj", "No KPJ", text=True, aliases=("kpj", "nomor kpj", "no kartu kpj", "kpj number")),
    Column("birth_date", "Tanggal Lahir", required=True, aliases=("tgl lahir", "birth date", "date of birth")),
    Column("sex", "Jenis Kelamin", required=True, aliases=("jk", "l p", "sex", "gender")),
    Column("phone", "No HP", text=True, aliases=("hp", "no telepon", "telepon", "nomor hp", "phone")),
    Column("address", "Alamat", aliases=("address",)),
    Column("kelurahan", "Kode Kelurahan", text=True, aliases=("kode kel", "kode wilayah", "kelurahan code")),
    Column("occupation", "Pekerjaan", aliases=("jabatan", "occupation")),
    Column("has_disability", "Disabilitas", aliases=("penyandang disabilitas", "disability")),
    Column(
        "start_date",
        "Tanggal Mulai Kerja",
        required=True,
        aliases=("tgl mulai kerja", "tanggal mulai", "mulai kerja", "start date"),
    ),
    Column("monthly_wage", "Upah Bulanan", required=True, aliases=("upah", "gaji", "gaji bulanan", "wage")),
    # The download: the programs held through this employer. The import: the programs of a new worker (else the
    # employer's ``programs_of_new_workers``).
    Column("programs", "Program", aliases=("program aktif", "programs", "program bpjs")),
    # Not in the template or the download: a file that names the employer is checked against the one importing.
    Column("npp", "NPP", aliases=("no npp", "nomor npp")),
)  # fmt: skip
EXPORT_CHUNK = 10_000
BLANK_CONTACT = ("", "", None, "", None)  # the contact cells of a worker the reader does not keep
ROSTER_FILE_COLUMNS = ROSTER_COLUMNS[:-1]  # the columns of the template and the download
ROSTER_HEADER = [column.header for column in ROSTER_FILE_COLUMNS]
# The template's one example row. The import refuses it, in case it is left in the file.
EXAMPLE_ROW = (
    "7371054509950003",
    "Nurul Hidayah (contoh)",
    "",
    date(1995, 9, 5),
    "P",
    "081234567890",
    "Jl. Contoh No. 1",
    "73.71.01.1001",
    "Kasir",
    False,
    date(2025, 8, 1),
    3_900_000,
    "JKK, JKM, JHT, JKP",
)
EXAMPLE_NIK = EXAMPLE_ROW[0]
FILE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def active_memberships(employer_id: int, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(employer_id=employer_id, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("program")
        .order_by("program__sort_order")
    )


def roster_rows(
    employments: QuerySet[Employment],
    employer_id: int,
    on: date,
    *,
    shows_contact: Callable[[int | None], bool] = lambda keeper_id: True,
) -> Iterator[list]:
    """One row per open employment, by worker name, in ``ROSTER_HEADER`` order: constant memory at any size.

    ``shows_contact`` (``enrollment.visibility.contact_visible_to``) says from the worker's keeper whether the
    contact cells are filled; else they are blank, which the roster import reads as "no change".

    Two streams read side by side: the open employments, and the active memberships through this employer of
    the same workers, both in the same order (worker name, then id), so each worker's programs are the next
    memberships in the second stream. Plain values, no model instances: a 300,000-row roster takes seconds.
    """
    roster = employments.filter(end_date__isnull=True)
    order = ("worker__name", "worker_id")
    rows = (
        roster.order_by(*order)
        .values_list(
            "worker_id",
            "worker__nik",
            "worker__name",
            "worker__kpj",
            "worker__birth_date",
            "worker__sex",
            "worker__phone",
            "worker__address",
            "worker__kelurahan__code",
            "worker__occupation",
            "worker__has_disability",
            "worker__keeper_id",
            "start_date",
            "monthly_wage",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    memberships = (
        active_memberships(employer_id, on)
        .filter(worker__in=roster.values("worker_id"))
        .order_by(*order, "program__sort_order")
        .values_list("worker_id", "program__code")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    with planned_to_the_end():
        membership = next(memberships, None)
        for worker_id, nik, name, kpj, birth, sex, *contact, keeper_id, start, wage in rows:
            programs = []
            while membership is not None and membership[0] == worker_id:
                programs.append(membership[1])
                membership = next(memberships, None)
            phone, address, kelurahan, occupation, disability = (
                contact if shows_contact(keeper_id) else BLANK_CONTACT
            )
            yield [
                nik,
                name,
                kpj or "",
                birth,
                sex,
                phone,
                address,
                kelurahan or "",
                occupation,
                disability,
                start,
                wage,
                " ".join(programs),
            ]


def write_roster_file(
    handle: IO[bytes], file_format: str, rows: Iterable[Sequence], *, template: bool = False
) -> None:
    """A roster file (the download, or the template with its example row, the kelurahan and program codes)."""
    columns = ROSTER_FILE_COLUMNS
    header = ROSTER_HEADER
    if file_format == "csv":
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        text.writelines(stream_csv(header, rows))
        text.detach()
        return
    write_xlsx(
        handle,
        header,
        rows,
        text_columns=[index for index, column in enumerate(columns) if column.text],
        sheet_title="Roster",
        more_sheets=[
            ("Kode Kelurahan", ["Kode Kelurahan", "Kelurahan", "Kecamatan"], _kelurahan_rows()),
            ("Program", PROGRAM_SHEET_HEADER, _program_rows()),
        ]
        if template
        else (),
    )


def write_roster_template(handle: IO[bytes], file_format: str) -> None:
    """The roster import template: the columns, one example row (and in XLSX the kelurahan codes)."""
    write_roster_file(handle, file_format, [EXAMPLE_ROW], template=True)


def roster_template_download(file_format: str) -> FileResponse:
    """The template as a download (the portal's and the admin's link; 404 for a format other than CSV or XLSX)."""
    if file_format not in FILE_FORMATS:
        raise Http404
    return FileResponse(
        temporary_file(lambda output: write_roster_template(output, file_format)),
        as_attachment=True,
        filename=f"template-roster.{file_format}",
        content_type=FILE_FORMATS[file_format],
    )


# The template's list of program codes; its headers are the file's (as the roster's, in every language).
PROGRAM_SHEET_HEADER = ["Kode Program", "Program", "Keterangan"]


def _program_rows() -> Iterator[tuple[str, str, str]]:
    """The explanation of the Program column, then each program's code and name."""
    note = _(
        "Program column: the programs a new worker joins, codes separated by commas, semicolons, slashes or "
        "spaces (such as JKK, JKM, JHT, JP). Empty: the employer's programs for new workers (unless chosen, by "
        "the size of the business: micro JKK, JKM; small JKK, JKM, JHT, JKP; medium and large JKK, JKM, JHT, "
        "JP, JKP). It does not change the programs of workers already on the roster."
    )
    yield ("", "", note)
    yield from ((code, name, "") for code, name in Program.objects.values_list("code", "name"))


def _kelurahan_rows() -> Iterator[tuple[str, str, str]]:
    return (
        Kelurahan.objects.order_by("code").values_list("code", "name", "kecamatan__name").iterator()
    )
