"""The columns of the files exchanged with BPJS: our field keys, their default headings, and the mapping an
administrator edits (``ColumnMapping``) when a branch office's export names them otherwise.

The defaults are the headings of BPJS Ketenagakerjaan's collective-registration template (*format pendaftaran
kolektif*) and of its participant list (*daftar peserta*) as branch offices send them; the migration
``bpjs/0002_default_columns`` stores them once (``ensure_defaults`` for tests), and an administrator's edits are kept (decision 61).
"""

import io
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_lazy as _

from berjasa.spreadsheets import stream_csv, write_xlsx
from bpjs.models import ColumnMapping, FileKind
from enrollment.imports.reader import Column


@dataclass(frozen=True)
class FieldSpec:
    key: str
    heading: str  # the default heading
    label: object  # what the field means, in words (the admin shows it)
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = False


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    FileKind.REGISTRATION: (
        FieldSpec("nik", "NIK", _("NIK"), True, text=True),
        FieldSpec("name", "NAMA LENGKAP", _("name")),
        FieldSpec("birth_place", "TEMPAT LAHIR", _("place of birth")),
        FieldSpec("birth_date", "TANGGAL LAHIR", _("birth date")),
        FieldSpec("sex", "JENIS KELAMIN", _("sex")),
        FieldSpec("address", "ALAMAT", _("address")),
        FieldSpec("phone", "NO HP", _("phone"), text=True),
        FieldSpec("programs", "PROGRAM", _("program package")),
        FieldSpec("wage", "UPAH/PENGHASILAN", _("wage or declared income (Rp)")),
        FieldSpec("start_month", "BULAN MULAI", _("start month")),
        FieldSpec("npp", "NPP", _("NPP"), text=True),
        FieldSpec("segment", "SEGMEN", _("segment")),
    ),
    FileKind.RESPONSE: (
        FieldSpec("nik", "NIK", _("NIK"), True, ("no ktp", "nomor induk kependudukan"), True),
        FieldSpec("name", "NAMA LENGKAP", _("name"), aliases=("nama", "nama peserta")),
        FieldSpec("kpj", "NO KPJ", _("KPJ number"), aliases=("kpj", "nomor kpj"), text=True),
        FieldSpec(
            "result",
            "STATUS",
            _("result (accepted or rejected)"),
            True,
            ("hasil", "keterangan status"),
        ),
        FieldSpec(
            "effective_date", "TGL EFEKTIF", _("effective date"), aliases=("tanggal efektif", "tmt")
        ),
        FieldSpec(
            "reason", "ALASAN", _("reason for a rejection"), aliases=("keterangan", "alasan tolak")
        ),
    ),
    FileKind.STATEMENT: (
        FieldSpec("nik", "NIK", _("NIK"), True, ("no ktp", "nomor induk kependudukan"), True),
        FieldSpec("kpj", "NO KPJ", _("KPJ number"), aliases=("kpj", "nomor kpj"), text=True),
        FieldSpec("npp", "NPP", _("NPP"), aliases=("no npp", "nomor npp"), text=True),
        FieldSpec("name", "NAMA PESERTA", _("name"), aliases=("nama", "nama lengkap")),
        FieldSpec("programs", "PROGRAM", _("programs"), aliases=("program kepesertaan",)),
        FieldSpec(
            "status",
            "STATUS KEPESERTAAN",
            _("status (active or inactive)"),
            True,
            ("status", "status peserta"),
        ),
        FieldSpec(
            "paid_through",
            "BULAN TERAKHIR BAYAR",
            _("last month paid"),
            aliases=("blth terakhir bayar", "iuran terakhir"),
        ),
    ),
}


def defaults(kind: str) -> list[ColumnMapping]:
    """The default mapping of ``kind``'s fields (unsaved rows)."""
    return [
        ColumnMapping(
            kind=kind, field=spec.key, heading=spec.heading, aliases="\n".join(spec.aliases)
        )
        for spec in FIELDS[kind]
    ]


def ensure_defaults() -> int:
    """Store the default heading of each field that has no mapping yet; an administrator's edits stay."""
    existing = set(ColumnMapping.objects.values_list("kind", "field"))
    missing = [
        mapping
        for kind in FIELDS
        for mapping in defaults(kind)
        if (mapping.kind, mapping.field) not in existing
    ]
    ColumnMapping.objects.bulk_create(missing)
    return len(missing)


def columns(kind: str) -> list[Column]:
    """The reader's columns of ``kind``: each field under its stored heading (else its default) and aliases."""
    stored = {m.field: m for m in ColumnMapping.objects.filter(kind=kind)}
    result = []
    for spec in FIELDS[kind]:
        mapping = stored.get(spec.key)
        heading = mapping.heading if mapping else spec.heading
        aliases = (
            tuple(line.strip() for line in mapping.aliases.splitlines() if line.strip())
            if mapping
            else spec.aliases
        )
        result.append(Column(spec.key, heading, spec.required, aliases, spec.text))
    return result


# One example row of each kind (the template's), by field; the registration file's is what we write.
EXAMPLES: dict[str, dict[str, object]] = {
    FileKind.REGISTRATION: {
        "nik": "7371014101900001",
        "name": "Andi Baso",
        "birth_place": "",
        "birth_date": "01/01/1990",
        "sex": "L",
        "address": "Jl. Contoh No. 1, Kel. Bontoala",
        "phone": "081234567890",
        "programs": "JKK+JKM",
        "wage": 1_000_000,
        "start_month": "08/2025",
        "npp": "",
        "segment": "RENTAN",
    },
    FileKind.RESPONSE: {
        "nik": "7371014101900001",
        "name": "Andi Baso",
        "kpj": "25012345678",
        "result": "Diterima",
        "effective_date": "01/09/2025",
        "reason": "",
    },
    FileKind.STATEMENT: {
        "nik": "7371014101900001",
        "kpj": "25012345678",
        "npp": "",
        "name": "Andi Baso",
        "programs": "JKK, JKM",
        "status": "Aktif",
        "paid_through": "08/2025",
    },
}


def write_template(handle: IO[bytes], kind: str, file_format: str) -> None:
    """The file of ``kind`` under the current headings, with one example row (the admin's template link)."""
    header = [column.header for column in columns(kind)]
    row = [EXAMPLES[kind][spec.key] for spec in FIELDS[kind]]
    if file_format == "csv":
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        text.writelines(stream_csv(header, [row]))
        text.detach()
        return
    text_columns = [index for index, spec in enumerate(FIELDS[kind]) if spec.text]
    write_xlsx(handle, header, [row], text_columns=text_columns, sheet_title="BPJS")
