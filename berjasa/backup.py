"""A consistent backup of the database and ``MEDIA_ROOT`` together, and its verified restore.

A backup is a folder of three parts:

- ``database.dump`` (PostgreSQL: ``pg_dump -Fc``, parallel-restorable) or ``database.sqlite3`` (SQLite's online
  backup API);
- ``media.tar.gz``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: versions, the migrations applied, the row count of every table, the files the rows name, the
  SHA-256 of every media file and of both archive parts, and one report's figures, all read at the dump's moment.

Consistency: the dump and everything the manifest says of the database are read from one snapshot (PostgreSQL:
a ``REPEATABLE READ`` transaction whose snapshot ``pg_dump --snapshot`` shares; SQLite: one transaction that holds
the write lock while the copy is made). The media files are archived after it: a file written later is merely
extra, but a file a row of the dump names must still be there. Files are written before the row naming them
commits, and deleted only after the row stops naming them commits (``privacy.retention``), so the only loss is a
deletion that commits during the backup (the daily ``purge_personal_files``). The backup checks that every named
file is in the archive and, if one went missing, starts again (the new snapshot no longer names it).

The restore checks the parts' checksums before it touches anything, restores into an empty database and an empty
media folder, and then compares the restored data with the manifest (``verify``).
"""

import hashlib
import io
import json
import os
import platform
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from reports.periods import parse_period
from reports.registry import ReportParams, run_report

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ATTEMPTS = 3
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup could not be made complete; nothing usable was left."""


class RestoreError(Exception):
    """The backup is damaged or does not match what was restored; ``problems`` lists each difference."""

    def __init__(self, message: str, problems: list[str] = ()):
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n  ".join([super().__str__(), *self.problems])


# --- what the manifest says of a database -------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """The row count of every table of the default database."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {quote(name)}")  # noqa: S608 - a table name, quoted
            counts[name] = cursor.fetchone()[0]
    return counts


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def named_files(tables: set[str]) -> list[str]:
    """Every file a row names, through every file field of the models whose table is among ``tables``."""
    names = set()
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue  # a model newer than the restored schema (``migrate`` comes after the restore)
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._base_manager.exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.name, flat=True)
                )
    return sorted(names)


def report_figures(period: str) -> dict[str, Any]:
    """The coverage report's figures (``coverage_report --format json``), without the moment it was made."""
    figures = run_report("coverage", ReportParams(parse_period(period))).as_dict()
    figures.pop("generated_at")
    return figures


def database_state(report_period: str) -> dict[str, Any]:
    tables = table_counts()
    return {
        "tables": tables,
        "migrations": applied_migrations(),
        "named_files": named_files(set(tables)),
        "report": {"period": report_period, "figures": report_figures(report_period)},
    }


# --- files ----------------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Reads a file for ``tarfile`` and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _media_paths(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for folder, subfolders, files in os.walk(root):
            subfolders.sort()
            for name in sorted(files):
                yield Path(folder, name)


def archive_media(root: Path, target: Path) -> dict[str, str]:
    """Write every regular file under ``root`` to a gzipped tar; returns ``{relative path: sha256}``."""
    checksums = {}
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        for path in _media_paths(root):
            name = PurePosixPath(path.relative_to(root)).as_posix()
            try:
                handle = open(path, "rb")  # noqa: SIM115 (closed below)
            except FileNotFoundError:
                continue  # deleted meanwhile; a named file missing is caught by the caller
            with handle:
                stat = os.fstat(handle.fileno())
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = (
                    stat.st_size,
                    int(stat.st_mtime),
                    stat.st_mode & 0o777,
                )
                reader = _HashingReader(handle)
                archive.addfile(info, reader)
                checksums[name] = reader.digest.hexdigest()
    return checksums


def extract_media(archive_path: Path, root: Path) -> None:
    """Extract into ``root``; the ``data`` filter refuses absolute paths, links out of it and devices."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(root, filter="data")


def _part(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return {"file": name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


# --- PostgreSQL and SQLite -------------------------------------------------------------------------------------


def _vendor() -> str:
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the default database (the password never goes on a command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed programs, our own arguments
            command, env=_pg_environment(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed (PostgreSQL's client tools, the server's major version or newer)."
        ) from error
    if done.returncode != 0:
        raise BackupError(f"{' '.join(command[:2])} failed: {done.stderr.strip()}")
    return done.stdout


def _database_description() -> dict[str, Any]:
    db = connection.settings_dict
    if _vendor() == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        return {
            "vendor": "postgresql",
            "name": db["NAME"],
            "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""),
            "server_version": server,
            "pg_dump": _run(["pg_dump", "--version"]).strip(),
        }
    return {
        "vendor": "sqlite",
        "name": str(db["NAME"]),
        "server_version": sqlite3.sqlite_version,
    }


def _sqlite_copy(source: sqlite3.Connection, target_path: Path | str) -> None:
    """SQLite's online backup API: a consistent copy (the copy in rollback-journal mode, one file)."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


@contextmanager
def _reading_sqlite_copy(path: Path) -> Iterator[None]:
    """The default connection, for the block, is the copy (read-only)."""
    live = connections[DEFAULT_DB_ALIAS]
    copy = live.__class__(
        {**live.settings_dict, "NAME": f"file:{path}?mode=ro", "OPTIONS": {}},
        DEFAULT_DB_ALIAS,
    )
    connections[DEFAULT_DB_ALIAS] = copy
    try:
        yield
    finally:
        copy.close()
        connections[DEFAULT_DB_ALIAS] = live


@contextmanager
def _snapshot(folder: Path) -> Iterator[None]:
    """Dump the database into ``folder``; inside the block, the ORM reads the dump's moment."""
    dump = folder / DUMP_FILES[_vendor()]
    if _vendor() == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}"])
            yield
    else:
        connection.ensure_connection()
        _sqlite_copy(connection.connection, dump)
        with _reading_sqlite_copy(dump):
            yield


# --- backup ------------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    manifest: dict[str, Any]
    attempts: int
    seconds: dict[
        str, float
    ]  # of the last attempt: the dump, the manifest's queries, the media archive


def backup(folder: Path, *, report_period: str, log: Callable[[str], None] = print) -> BackupResult:
    """Back up the default database and ``MEDIA_ROOT`` into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; give a new folder for each backup.")
    parse_period(report_period)  # a bad period stops before any work
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    database = _database_description()
    for attempt in range(1, ATTEMPTS + 1):
        started, clock = timezone.now(), time.perf_counter()
        with _snapshot(folder):
            dumped = time.perf_counter()
            state = database_state(report_period)
        read = time.perf_counter()
        log(f"Database dumped ({DUMP_FILES[_vendor()]}); archiving {media_root}")
        media = archive_media(media_root, folder / MEDIA_ARCHIVE)
        archived = time.perf_counter()
        missing = sorted(set(state["named_files"]) - media.keys())
        if not missing:
            break
        log(
            f"{len(missing)} file(s) named in the dump were deleted during the backup "
            f"(purge_personal_files?): {', '.join(missing[:5])}; attempt {attempt} of {ATTEMPTS} failed."
        )
        for part in folder.iterdir():
            part.unlink()
    else:
        raise BackupError(
            f"Files named in the database kept disappearing during {ATTEMPTS} attempts: "
            f"{', '.join(missing[:5])}. Run the backup again outside purge_personal_files' run."
        )
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "database": database,
        "media_root": str(media_root),
        "versions": {"python": platform.python_version(), "django": django.get_version()},
        "parts": {
            "database": _part(folder, DUMP_FILES[_vendor()]),
            "media": _part(folder, MEDIA_ARCHIVE),
        },
        **state,
        "media_files": media,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    seconds = {"dump": dumped - clock, "manifest": read - dumped, "media": archived - read}
    return BackupResult(folder, manifest, attempt, seconds)


# --- restore -------------------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, after checking that both parts are the bytes it describes."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise RestoreError(f"No readable {MANIFEST} in {folder}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise RestoreError(f"{MANIFEST} is of format {manifest.get('format')}, not {FORMAT}.")
    problems = []
    for role, part in manifest["parts"].items():
        path = Path(folder) / part["file"]
        if not path.is_file():
            problems.append(f"{role}: {part['file']} is missing")
        elif (size := path.stat().st_size) != part["bytes"]:
            problems.append(
                f"{role}: {part['file']} has {size} bytes, the manifest {part['bytes']}"
            )
        elif sha256_of(path) != part["sha256"]:
            problems.append(f"{role}: {part['file']} does not match its SHA-256 in the manifest")
    if problems:
        raise RestoreError("The backup is damaged; nothing was restored.", problems)
    return manifest


def _refuse_unless_empty(media_root: Path) -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise RestoreError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables); "
            "restore into a new, empty database."
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise RestoreError(f"{media_root} is not empty; restore into a new, empty media folder.")


def restore(folder: Path, *, jobs: int = 2, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Restore a backup into the default database and ``MEDIA_ROOT`` (both empty), then ``verify`` it."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    media_root = Path(settings.MEDIA_ROOT)
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise RestoreError(f"This is a {vendor} backup; the configured database is {_vendor()}.")
    _refuse_unless_empty(media_root)
    clock = time.perf_counter()
    dump = folder / manifest["parts"]["database"]["file"]
    if vendor == "postgresql":
        try:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--jobs={jobs}",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(dump),
                ]
            )
        except BackupError as error:
            raise RestoreError(str(error)) from error
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # pg_restore leaves no planner statistics
    else:
        connection.close()
        source = sqlite3.connect(dump)
        try:
            _sqlite_copy(source, connection.settings_dict["NAME"])
        finally:
            source.close()
    log(f"Database restored into {connection.settings_dict['NAME']}; extracting the media files")
    restored = time.perf_counter()
    extract_media(folder / MEDIA_ARCHIVE, media_root)
    extracted = time.perf_counter()
    checked = verify(manifest)
    seconds = {
        "database": restored - clock,
        "media": extracted - restored,
        "verify": time.perf_counter() - extracted,
    }
    return {**checked, "seconds": seconds}


def verify(manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare the default database and ``MEDIA_ROOT`` with the manifest; raise with every difference."""
    media_root = Path(settings.MEDIA_ROOT)
    problems = []
    state = database_state(manifest["report"]["period"])
    for table in sorted(manifest["tables"].keys() | state["tables"].keys()):
        expected, found = manifest["tables"].get(table), state["tables"].get(table)
        if expected != found:
            problems.append(f"table {table}: {found} rows, the manifest {expected}")
    if state["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ from the manifest's")
    restored = {
        PurePosixPath(path.relative_to(media_root)).as_posix(): path
        for path in _media_paths(media_root)
    }
    for name in sorted(manifest["media_files"].keys() | restored.keys()):
        if name not in restored:
            problems.append(f"media file {name} is missing")
        elif name not in manifest["media_files"]:
            problems.append(f"media file {name} is not in the manifest")
        elif sha256_of(restored[name]) != manifest["media_files"][name]:
            problems.append(f"media file {name} does not match its SHA-256")
    problems += [
        f"{name} is named by a row but is not in the media folder"
        for name in state["named_files"]
        if name not in restored
    ]
    if state["report"]["figures"] != manifest["report"]["figures"]:
        problems.append(f"the coverage report of {manifest['report']['period']} differs")
    if problems:
        raise RestoreError("The restored data does not match the backup's manifest.", problems)
    return {
        "tables": len(state["tables"]),
        "rows": sum(state["tables"].values()),
        "media_files": len(restored),
        "named_files": len(state["named_files"]),
        "report_period": manifest["report"]["period"],
    }
