"""The overlap check of 0008 probes the memberships' ``worker_id`` index for each row of the statement.

Left to the planner, whose estimates know nothing of the statement's rows (a transition table has no statistics)
and little of a young table, the check chose by the sizes it guessed: for a 91,000-row DTSEN batch it hashed the
whole membership table (1.4 million rows, 0.62 s, against 0.12 s by the index; both measured with EXPLAIN
ANALYZE). With hash and merge joins off but sequential scans allowed, a ``COPY`` of ``tests/test_imports.py`` on a
fresh test database was still running after nine minutes; with sequential scans off too, that file passes in
73 s. These settings apply to this function only.
"""

from django.db import migrations

SETTINGS = ("enable_hashjoin", "enable_mergejoin", "enable_seqscan")


def by_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for setting in SETTINGS:
            schema_editor.execute(f"ALTER FUNCTION membership_no_overlap() SET {setting} = off")


def by_planner(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for setting in SETTINGS:
            schema_editor.execute(f"ALTER FUNCTION membership_no_overlap() RESET {setting}")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_catalogue_reference_checks")]
    operations = [migrations.RunPython(by_index, by_planner)]
