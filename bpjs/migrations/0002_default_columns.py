"""Store the default column headings of the BPJS files (decision 61).

The defaults are written out here as they were when this migration was made, not read from ``bpjs.columns``:
a migration must not depend on live code that later changes. A field that already has a mapping keeps it.
"""

from django.db import migrations

DEFAULT_COLUMNS = {
    "REGISTRATION": (
        ("nik", "NIK", ()),
        ("name", "NAMA LENGKAP", ()),
        ("birth_place", "TEMPAT LAHIR", ()),
        ("birth_date", "TANGGAL LAHIR", ()),
        ("sex", "JENIS KELAMIN", ()),
        ("address", "ALAMAT", ()),
        ("phone", "NO HP", ()),
        ("programs", "PROGRAM", ()),
        ("wage", "UPAH/PENGHASILAN", ()),
        ("start_month", "BULAN MULAI", ()),
        ("npp", "NPP", ()),
        ("segment", "SEGMEN", ()),
    ),
    "RESPONSE": (
        ("nik", "NIK", ("no ktp", "nomor induk kependudukan")),
        ("name", "NAMA LENGKAP", ("nama", "nama peserta")),
        ("kpj", "NO KPJ", ("kpj", "nomor kpj")),
        ("result", "STATUS", ("hasil", "keterangan status")),
        ("effective_date", "TGL EFEKTIF", ("tanggal efektif", "tmt")),
        ("reason", "ALASAN", ("keterangan", "alasan tolak")),
    ),
    "STATEMENT": (
        ("nik", "NIK", ("no ktp", "nomor induk kependudukan")),
        ("kpj", "NO KPJ", ("kpj", "nomor kpj")),
        ("npp", "NPP", ("no npp", "nomor npp")),
        ("name", "NAMA PESERTA", ("nama", "nama lengkap")),
        ("programs", "PROGRAM", ("program kepesertaan",)),
        ("status", "STATUS KEPESERTAAN", ("status", "status peserta")),
        ("paid_through", "BULAN TERAKHIR BAYAR", ("blth terakhir bayar", "iuran terakhir")),
    ),
}


def store_defaults(apps, schema_editor):
    column_mapping = apps.get_model("bpjs", "ColumnMapping")
    existing = set(column_mapping.objects.values_list("kind", "field"))
    column_mapping.objects.bulk_create(
        column_mapping(kind=kind, field=field, heading=heading, aliases="\n".join(aliases))
        for kind, fields in DEFAULT_COLUMNS.items()
        for field, heading, aliases in fields
        if (kind, field) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("bpjs", "0001_initial")]

    operations = [migrations.RunPython(store_defaults, migrations.RunPython.noop)]
