"""Fresh workers (nothing of them to take back); spans and entries keyed by worker (no separate index); on
PostgreSQL, the ledger's working tables unlogged. A ledger with memberships to count is to be rebuilt
(``coverage_ledger rebuild``): its spans and entries are made anew; until then the reports count from the
memberships."""

from django.db import migrations, models
from django.utils import timezone

# Derived from the memberships and claims, rebuilt by ``coverage_ledger rebuild``: PostgreSQL writes them without
# its write-ahead log (half the cost of a settlement's writes); a crash empties them, seal included.
UNLOGGED = (
    "reports_coveragespan",
    "reports_ledgerentry",
    "reports_coveragepresence",
    "reports_coveragestaging",
    "reports_coveragesettling",
    "reports_coverageledgerseal",
)


def unlog(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in UNLOGGED:
            schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")
    State = apps.get_model("reports", "CoverageLedgerState")
    if apps.get_model("enrollment", "Membership").objects.exists():
        State.objects.update(built_at=None)
    elif State.objects.filter(built_at__isnull=False).exists():
        apps.get_model("reports", "CoverageLedgerSeal").objects.create(sealed_at=timezone.now())


def log(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in UNLOGGED:
            schema_editor.execute(f"ALTER TABLE {table} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_coverage_ledger"),
    ]

    operations = [
        migrations.AddField(
            model_name="coveragepending",
            name="fresh",
            field=models.BooleanField(db_default=False),
        ),
        migrations.AddField(
            model_name="coveragesettling",
            name="fresh",
            field=models.BooleanField(db_default=False),
        ),
        migrations.CreateModel(
            name="CoverageLedgerSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sealed_at", models.DateTimeField()),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.DeleteModel(name="CoverageSpan"),
        migrations.CreateModel(
            name="CoverageSpan",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "worker_id",
                        "program_id",
                        "starts_on",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("worker_id", models.BigIntegerField()),
                ("program_id", models.IntegerField()),
                ("starts_on", models.DateField()),
                ("stops_on", models.DateField(null=True)),
                ("confirmed", models.BooleanField()),
                ("segment_id", models.IntegerField()),
                ("funding_scheme_id", models.IntegerField()),
                ("employer_id", models.BigIntegerField()),
                ("employer_size", models.CharField(blank=True, max_length=10)),
                ("kecamatan_id", models.IntegerField()),
                ("kelurahan_id", models.IntegerField()),
                ("sex", models.CharField(max_length=1)),
                ("disability", models.BooleanField()),
                ("age_band", models.CharField(blank=True, max_length=8)),
            ],
            options={
                "default_permissions": (),
                "indexes": [
                    models.Index(
                        condition=models.Q(
                            ("program_id", 0), models.Q(("employer_id", 0), _negated=True)
                        ),
                        fields=["employer_id"],
                        name="coverage_span_employer",
                    )
                ],
            },
        ),
        migrations.DeleteModel(name="LedgerEntry"),
        migrations.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "worker_id",
                        "dimension",
                        "value",
                        "segment_id",
                        "day",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("worker_id", models.BigIntegerField()),
                ("day", models.DateField()),
                ("dimension", models.CharField(max_length=16)),
                ("value", models.CharField(blank=True, max_length=16)),
                ("segment_id", models.IntegerField()),
                ("kecamatan_id", models.IntegerField()),
                ("delta", models.BigIntegerField()),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(unlog, log),
    ]
