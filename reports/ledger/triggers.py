# ruff: noqa: S608 - the statements are built from fixed fragments and table names only
"""The database triggers that mark a worker pending when something the ledger counts of them changes: one of their
memberships or claims (inserted, deleted, or a counted field updated), their district, sex, birth date or
disability, their employer's size, their sub-district's district.

Installed after every ``migrate`` (``post_migrate``), because SQLite drops a table's triggers when a migration
rebuilds the table. PostgreSQL: statement-level triggers over the transition tables (one insert per statement,
whatever the number of rows); SQLite: row-level ones.
"""

from reports.ledger.spans import MEMBERSHIP_COLUMNS

PENDING = "reports_coveragepending"

# A membership's fields the spans read (every one that can change what the worker counts in).
MEMBERSHIP_FIELDS = MEMBERSHIP_COLUMNS
CLAIM_FIELDS = ("worker_id", "status", "paid_date", "amount", "segment_id", "benefit_type_id")
# The tables whose rows belong to a worker, with the fields the ledger counts.
WORKER_ROWS = {"membership": MEMBERSHIP_FIELDS, "claim": CLAIM_FIELDS}
WORKER_FIELDS = ("kelurahan_id", "sex", "birth_date", "has_disability")


def _changed(fields, old="o", new="n", *, sqlite=False) -> str:
    if sqlite:
        return " OR ".join(f"{old}.{f} IS NOT {new}.{f}" for f in fields)
    return f"({', '.join(f'{old}.{f}' for f in fields)}) IS DISTINCT FROM ({', '.join(f'{new}.{f}' for f in fields)})"


def _postgresql(tables: dict[str, str]) -> list[str]:
    membership, worker = tables["membership"], tables["worker"]
    insert = f"INSERT INTO {PENDING} (worker_id)"
    done = "ON CONFLICT DO NOTHING; RETURN NULL; END $$"
    both = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
    functions, triggers = {}, []
    for kind, fields in WORKER_ROWS.items():
        functions |= {
            f"{kind}_inserted": f"{insert} SELECT DISTINCT worker_id FROM new_rows {done}",
            f"{kind}_deleted": f"{insert} SELECT DISTINCT worker_id FROM old_rows {done}",
            f"{kind}_updated": f"""{insert}
                SELECT o.worker_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_changed(fields)}
                UNION SELECT n.worker_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                 WHERE {_changed(fields)} {done}""",
        }
        triggers += [
            (f"{kind}_inserted", "INSERT", tables[kind], "NEW TABLE AS new_rows"),
            (f"{kind}_deleted", "DELETE", tables[kind], "OLD TABLE AS old_rows"),
            (f"{kind}_updated", "UPDATE", tables[kind], both),
        ]
    functions |= {
        # First marked by its creation, a worker is fresh: the ledger holds nothing of them (see ``settle``).
        "worker_inserted": f"INSERT INTO {PENDING} (worker_id, fresh) SELECT id, TRUE FROM new_rows {done}",
        "worker_updated": f"""{insert}
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_changed(WORKER_FIELDS)} {done}""",
        "employer_updated": f"""{insert}
            SELECT DISTINCT m.worker_id FROM {membership} m
              JOIN new_rows n ON n.id = m.employer_id JOIN old_rows o ON o.id = n.id
             WHERE o.size IS DISTINCT FROM n.size {done}""",
        "kelurahan_updated": f"""{insert}
            SELECT w.id FROM {worker} w
              JOIN new_rows n ON n.id = w.kelurahan_id JOIN old_rows o ON o.id = n.id
             WHERE o.kecamatan_id IS DISTINCT FROM n.kecamatan_id {done}""",
    }
    triggers += [
        ("worker_inserted", "INSERT", worker, "NEW TABLE AS new_rows"),
        ("worker_updated", "UPDATE", worker, both),
        ("employer_updated", "UPDATE", tables["employer"], both),
        ("kelurahan_updated", "UPDATE", tables["kelurahan"], both),
    ]
    statements = [
        f"CREATE OR REPLACE FUNCTION coverage_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}"
        for name, body in functions.items()
    ]
    statements += [
        f"CREATE OR REPLACE TRIGGER coverage_{name} AFTER {event} ON {table} REFERENCING {transition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION coverage_{name}()"
        for name, event, table, transition in triggers
    ]
    return statements


def _sqlite(tables: dict[str, str]) -> list[str]:
    membership, worker = tables["membership"], tables["worker"]
    insert = f"INSERT OR IGNORE INTO {PENDING} (worker_id)"
    triggers = {}
    for kind, fields in WORKER_ROWS.items():
        triggers |= {
            f"{kind}_inserted": f"AFTER INSERT ON {tables[kind]} BEGIN {insert} VALUES (NEW.worker_id); END",
            f"{kind}_deleted": f"AFTER DELETE ON {tables[kind]} BEGIN {insert} VALUES (OLD.worker_id); END",
            f"{kind}_updated": f"""AFTER UPDATE ON {tables[kind]}
                WHEN {_changed(fields, "OLD", "NEW", sqlite=True)}
                BEGIN {insert} VALUES (OLD.worker_id); {insert} VALUES (NEW.worker_id); END""",
        }
    triggers |= {
        "worker_inserted": f"""AFTER INSERT ON {worker}
            BEGIN INSERT OR IGNORE INTO {PENDING} (worker_id, fresh) VALUES (NEW.id, 1); END""",
        "worker_updated": f"""AFTER UPDATE ON {worker} WHEN {_changed(WORKER_FIELDS, "OLD", "NEW", sqlite=True)}
            BEGIN {insert} VALUES (NEW.id); END""",
        "employer_updated": f"""AFTER UPDATE ON {tables["employer"]} WHEN OLD.size IS NOT NEW.size
            BEGIN {insert} SELECT worker_id FROM {membership} WHERE employer_id = NEW.id; END""",
        "kelurahan_updated": f"""AFTER UPDATE ON {tables["kelurahan"]} WHEN OLD.kecamatan_id IS NOT NEW.kecamatan_id
            BEGIN {insert} SELECT id FROM {worker} WHERE kelurahan_id = NEW.id; END""",
    }
    return [
        f"CREATE TRIGGER IF NOT EXISTS coverage_{name} {body}" for name, body in triggers.items()
    ]


TRIGGER_NAMES = (
    *(
        f"coverage_{kind}_{event}"
        for kind in WORKER_ROWS
        for event in ("inserted", "deleted", "updated")
    ),
    "coverage_worker_inserted",
    "coverage_worker_updated",
    "coverage_employer_updated",
    "coverage_kelurahan_updated",
)


def _tables() -> dict[str, str]:
    from enrollment.models import Claim, Employer, Membership, Worker
    from programs.models import Kelurahan

    return {
        "membership": Membership._meta.db_table,
        "claim": Claim._meta.db_table,
        "worker": Worker._meta.db_table,
        "employer": Employer._meta.db_table,
        "kelurahan": Kelurahan._meta.db_table,
    }


def install(connection) -> None:
    """Create (or replace) the triggers on ``connection``'s database."""
    tables = _tables()
    statements = _postgresql(tables) if connection.vendor == "postgresql" else _sqlite(tables)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed(connection) -> set[str]:
    """The names of the coverage triggers the database has."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT DISTINCT tgname FROM pg_trigger WHERE tgname LIKE 'coverage_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()} & set(TRIGGER_NAMES)


def uninstall(connection) -> None:
    """Drop the triggers (a benchmark's import without the ledger; ``install`` puts them back)."""
    tables = _tables()
    with connection.cursor() as cursor:
        for name in TRIGGER_NAMES:
            table = tables[name.split("_")[1]]
            on_table = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")
