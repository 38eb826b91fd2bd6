"""A covered span is stored whole, with the worker's birth date (its age band follows day by day) and the other
programs that cover it whole as bits: an import writes one span per worker instead of five. A ledger with
memberships to count is to be rebuilt (``coverage_ledger rebuild``); until then the reports count from the
memberships. On PostgreSQL the pending marks are unlogged too: a crash that loses them loses the seal with them,
and the reports count from the memberships until the rebuild."""

import datetime

from django.db import migrations, models


def forget_spans(apps, schema_editor):
    apps.get_model("reports", "CoverageSpan").objects.all().delete()
    if apps.get_model("enrollment", "Membership").objects.exists():
        apps.get_model("reports", "CoverageLedgerState").objects.update(built_at=None)


def unlog_pending(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reports_coveragepending SET UNLOGGED")


def log_pending(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reports_coveragepending SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_ledger_fresh_workers_unlogged_tables"),
    ]

    operations = [
        migrations.RunPython(forget_spans, migrations.RunPython.noop),
        migrations.RunPython(unlog_pending, log_pending),
        migrations.RemoveField(model_name="coveragespan", name="age_band"),
        migrations.AddField(
            model_name="coveragespan",
            name="birth_date",
            field=models.DateField(default=datetime.date(1900, 1, 1)),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="coveragespan",
            name="whole_programs",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
    ]
