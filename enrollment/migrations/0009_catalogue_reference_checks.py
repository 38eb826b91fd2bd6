"""References to the catalogue from the tables imports fill: checked once per statement on PostgreSQL.

PostgreSQL checks a foreign key row by row, each check a query of its own (~2.7 µs): a 50,000-worker roster
import made 350,000 such checks of the same few programs, segments, funding schemes and kelurahan (~0.9 s),
a DTSEN batch 320,000. These triggers make the same check once per statement, from the statement's rows
(transition tables): the distinct codes are locked ``FOR KEY SHARE``, as a foreign key locks the row it
references, and any that does not exist refuses the statement. On the catalogue's side, a row still
referenced cannot be deleted or renumbered. SQLite (development) leaves these references to Django
(``on_delete=PROTECT``, ``full_clean``): its schema changes rebuild tables and would drop such triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, catalogue table): the references checked per statement.
CATALOGUE_REFERENCES = [
    ("enrollment_membership", "program_id", "programs_program"),
    ("enrollment_membership", "segment_id", "programs_segment"),
    ("enrollment_membership", "funding_scheme_id", "programs_fundingscheme"),
    ("enrollment_worker", "kelurahan_id", "programs_kelurahan"),
]

FUNCTIONS = """
CREATE FUNCTION check_catalogue_references() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: (column, catalogue table) pairs of the rows in the transition table "changed".
DECLARE
    missing bigint;
BEGIN
    FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
        -- Locked first, so that a row deleted meanwhile is missing from the check that follows.
        EXECUTE format(
            'SELECT 1 FROM %2$I WHERE id IN (SELECT %1$I FROM changed) ORDER BY id FOR KEY SHARE',
            TG_ARGV[i], TG_ARGV[i + 1]);
        EXECUTE format(
            'SELECT min(used.%1$I) FROM (SELECT DISTINCT %1$I FROM changed) used '
            'WHERE used.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I WHERE id = used.%1$I)',
            TG_ARGV[i], TG_ARGV[i + 1]) INTO missing;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = format('%s.%s = %s: there is no such row in %s',
                                 TG_TABLE_NAME, TG_ARGV[i], missing, TG_ARGV[i + 1]);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION protect_referenced_catalogue_rows() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: (table, column) pairs that reference this catalogue table; "removed" and "kept" its old and new rows.
DECLARE
    used bigint;
BEGIN
    FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
        EXECUTE format(
            'SELECT min(%2$I) FROM %1$I WHERE %2$I IN (SELECT id FROM removed %3$s)',
            TG_ARGV[i], TG_ARGV[i + 1],
            CASE WHEN TG_OP = 'UPDATE' THEN 'EXCEPT SELECT id FROM kept' ELSE '' END) INTO used;
        IF used IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = format('%s %s is still referenced from %s.%s',
                                 TG_TABLE_NAME, used, TG_ARGV[i], TG_ARGV[i + 1]);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
"""


def _arguments(pairs) -> str:
    return ", ".join(f"'{name}'" for pair in pairs for name in pair)


def create_checks(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [FUNCTIONS]
    for table in dict.fromkeys(table for table, _, _ in CATALOGUE_REFERENCES):
        checked = [
            (column, catalogue) for t, column, catalogue in CATALOGUE_REFERENCES if t == table
        ]
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {table}_catalogue_{event.lower()} AFTER {event} ON {table} "
                "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION check_catalogue_references({_arguments(checked)});"
            )
    for catalogue in dict.fromkeys(catalogue for _, _, catalogue in CATALOGUE_REFERENCES):
        users = [(table, column) for table, column, c in CATALOGUE_REFERENCES if c == catalogue]
        arguments = _arguments(users)
        statements += [
            f"CREATE TRIGGER {catalogue}_in_use_delete AFTER DELETE ON {catalogue} "
            "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
            f"EXECUTE FUNCTION protect_referenced_catalogue_rows({arguments});",
            f"CREATE TRIGGER {catalogue}_in_use_update AFTER UPDATE ON {catalogue} "
            "REFERENCING OLD TABLE AS removed NEW TABLE AS kept FOR EACH STATEMENT "
            f"EXECUTE FUNCTION protect_referenced_catalogue_rows({arguments});",
        ]
    schema_editor.execute("\n".join(statements), params=None)  # "%s" in the SQL is format()'s


def drop_checks(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = {table for table, _, _ in CATALOGUE_REFERENCES}
    catalogues = {catalogue for _, _, catalogue in CATALOGUE_REFERENCES}
    statements = [
        f"DROP TRIGGER {table}_catalogue_{event} ON {table};"
        for table in tables
        for event in ("insert", "update")
    ]
    statements += [
        f"DROP TRIGGER {catalogue}_in_use_{event} ON {catalogue};"
        for catalogue in catalogues
        for event in ("delete", "update")
    ]
    statements.append(
        "DROP FUNCTION check_catalogue_references(); DROP FUNCTION protect_referenced_catalogue_rows();"
    )
    schema_editor.execute("\n".join(statements))


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0008_membership_overlap_check"),
        ("programs", "0002_rate_unique_on_every_database"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="funding_scheme",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="programs.fundingscheme",
                verbose_name="funding scheme",
            ),
        ),
        migrations.AlterField(
            model_name="membership",
            name="program",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="programs.program",
                verbose_name="program",
            ),
        ),
        migrations.AlterField(
            model_name="membership",
            name="segment",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="programs.segment",
                verbose_name="segment",
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="kelurahan",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="programs.kelurahan",
                verbose_name="sub-district",
            ),
        ),
        migrations.RunPython(create_checks, drop_checks),
    ]
