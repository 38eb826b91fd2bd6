"""Bulk writes of an import, with their audit history, inside the import's one transaction.

PostgreSQL: ``COPY`` into the tables, updates through ``COPY`` into a temporary table and one ``UPDATE … FROM``.
SQLite (development): ``executemany``. Never a save per row. The historical rows (django-simple-history's
tables, with our channel, employer and batch stamps) are copied from the rows just written by one
``INSERT … SELECT`` per table, so they hold exactly what the database holds.
"""

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import islice

from django.db import connection
from django.db.models import Model

from berjasa.audit import Channel
from enrollment.models import Versioned

SQLITE_CHUNK = 500  # ids per statement (SQLite limits the number of parameters)
# The columns django-simple-history and ``berjasa.audit`` add to a historical row.
HISTORY_STAMPS = [
    "history_date",
    "history_type",
    "history_user_id",
    "history_change_reason",
    "history_channel",
    "history_employer_id",
    "history_batch_id",
]


def analyze(*models: type[Model]) -> None:
    """Refresh PostgreSQL's statistics of the models' tables after a bulk load (autovacuum comes later, or, as on
    a server where it is off, never): a planner that believes a table of a million rows empty plans nested
    loops over it. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in models)}")


class BulkWriter:
    """Writes rows of audited models; every row it creates points to ``batch_id``."""

    def __init__(
        self,
        *,
        batch_id: int,
        user_id: int | None,
        employer_id: int | None,
        now: datetime,
        channel: str = Channel.IMPORT,
    ) -> None:
        self.batch_id = batch_id
        self.channel = channel
        self.user_id = user_id
        self.employer_id = employer_id
        self.now = now
        self.postgres = connection.vendor == "postgresql"

    # --- rows -----------------------------------------------------------------------------------------------

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` and return how many; ``created_at``, ``updated_at``, ``entered_via`` (the
        writer's channel) and ``import_batch_id`` are added."""
        columns = [*columns, "created_at", "updated_at", "entered_via", "import_batch_id"]
        stamp = (self.now, self.now, str(self.channel), self.batch_id)
        written = 0

        def stamped(source: Iterable[tuple]):
            nonlocal written
            for row in source:
                written += 1
                yield row + stamp

        self.append(model, columns, stamped(rows))
        return written

    def append(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Insert ``rows`` as they are, without stamps: the rows of a model that records a file's content
        (BPJS's statement lines), which the batch's own record audits."""
        append_rows(model, columns, rows)

    def update(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Set ``columns`` (and ``updated_at``) of the rows whose id is each tuple's first item; a versioned row's
        ``version`` goes up by one, so a form opened before the import is refused (``Versioned``)."""
        table = model._meta.db_table
        rows = (row + (self.now,) for row in rows)
        columns = [*columns, "updated_at"]
        bump = f", version = {table}.version + 1" if issubclass(model, Versioned) else ""
        if self.postgres:
            temp = f"_import_{table}"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                    f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA"
                )
            _copy(model, temp, ["id", *columns], rows)
            with connection.cursor() as cursor:
                assignments = ", ".join(f"{column} = {temp}.{column}" for column in columns) + bump
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM {temp} WHERE {table}.id = {temp}.id"
                )
                cursor.execute(f"DROP TABLE {temp}")
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns) + bump
            _executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                (row[1:] + row[:1] for row in rows),
            )

    def delete(self, model: type[Model], ids: Sequence[int]) -> None:
        self._for_ids(f"DELETE FROM {model._meta.db_table} WHERE", ids)

    # --- history --------------------------------------------------------------------------------------------

    def history_of_new_rows(self, model: type[Model]) -> None:
        """A "created" historical row for every row of ``model`` this batch inserted."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self._history_sql(model)} import_batch_id = %s",
                [*self._stamps("+"), self.batch_id],
            )

    def history(self, model: type[Model], history_type: str, ids: Sequence[int]) -> None:
        """A historical row ("~" changed, "-" deleted: write it before deleting) for each of ``ids``."""
        self._for_ids(self._history_sql(model), ids, self._stamps(history_type))

    def _history_sql(self, model: type[Model]) -> str:
        """``INSERT … SELECT`` of the rows that the condition to append selects, with the stamps as parameters."""
        columns = [field.column for field in model._meta.concrete_fields]
        return (
            f"INSERT INTO {model.history.model._meta.db_table} ({', '.join(columns + HISTORY_STAMPS)}) "
            f"SELECT {', '.join(columns)}, {', '.join(['%s'] * len(HISTORY_STAMPS))} "
            f"FROM {model._meta.db_table} WHERE"
        )

    def _stamps(self, history_type: str) -> list:
        """The values of ``HISTORY_STAMPS``, in their order."""
        return [
            _adapt(self.now),
            history_type,
            self.user_id,
            None,  # change reason
            str(self.channel),
            self.employer_id,
            self.batch_id,
        ]

    # --- the two databases ----------------------------------------------------------------------------------

    def _for_ids(self, sql_before_condition: str, ids: Sequence[int], params: list = ()) -> None:
        """Run ``… WHERE id in ids``: one statement on PostgreSQL (an array), chunks on SQLite."""
        params = list(params)
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(f"{sql_before_condition} id = ANY(%s)", [*params, list(ids)])
                return
            ids = iter(ids)
            while chunk := list(islice(ids, SQLITE_CHUNK)):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{sql_before_condition} id IN ({marks})", [*params, *chunk])


def append_rows(model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``model``'s table: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        _copy(model, table, columns, rows)
    else:
        _insert_many(table, columns, rows)


def _insert_many(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """SQLite: as many rows per ``INSERT`` as its limit on parameters allows. A statement that fires triggers
    (the coverage ledger's marks) keeps a statement journal, opened and released per statement at a cost that
    grows with the open transaction: one statement per row made the 45,685-worker DTSEN import take minutes."""
    rows = iter(rows)
    with connection.cursor() as cursor:
        per_statement = max(
            1, cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)
        )
        one_row = f"({', '.join(['%s'] * len(columns))})"
        while chunk := list(islice(rows, per_statement)):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one_row] * len(chunk))}",
                [value for row in chunk for value in map(_adapt, row)],
            )


def _copy(model: type[Model], table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY in binary format with the columns' types declared: no text formatting or parsing per value."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    types = [_copy_type(fields[column].db_type(connection)) for column in columns]
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _executemany(sql: str, rows: Iterable[tuple]) -> None:
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, 5000)):
            cursor.executemany(sql, [tuple(map(_adapt, row)) for row in chunk])


def _adapt(value):
    """SQLite stores dates and times as ISO text, and JSON as its text, as Django's own backend writes them
    (PostgreSQL's binary COPY takes the value itself for a ``jsonb`` column)."""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _copy_type(db_type: str) -> str:
    """The PostgreSQL type name psycopg's binary COPY takes for a column of Django ``db_type``."""
    name = db_type.split("(")[0].strip()
    return {"timestamp with time zone": "timestamptz", "serial": "int4", "bigserial": "int8"}.get(
        name, name
    )
