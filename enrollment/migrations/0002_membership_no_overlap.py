"""No two overlapping memberships of one worker in one program, enforced by PostgreSQL.

SQLite cannot express an exclusion constraint; there the service layer checks overlaps and the partial unique
index ``membership_one_open_per_program`` still forbids two open memberships.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE enrollment_membership ADD CONSTRAINT membership_no_overlap
    EXCLUDE USING gist (worker_id WITH =, program_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
DROP = "ALTER TABLE enrollment_membership DROP CONSTRAINT IF EXISTS membership_no_overlap;"


def create_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]
    operations = [migrations.RunPython(create_constraint, drop_constraint)]
