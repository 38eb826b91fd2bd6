"""The overlap check of 0008 probes the memberships' ``worker_id`` index for each row of the statement.

Left to the planner, whose estimates know nothing of the statement's rows (a transition table has no statistics)
and little of a young table, the check chose by the sizes it guessed: for a 91,000-row DTSEN batch it hashed the
whole membership table (1.4 million rows, 0.62 s, against 0.12 s by the index), and on the small tables of a
test database it chose scans of the whole table for each new row (a 5,000-row import ran for minutes). With hash
joins, merge joins and sequential scans turned off for this function only, its cost follows the statement's size.
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
