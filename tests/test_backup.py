"""Backup and restore: a small register with its media backed up, restored into a fresh database and media folder
(a separate process, as an operator runs it), and compared; a damaged backup or a manifest that does not match is
reported, never accepted. Runs on SQLite (the test database in memory) and on PostgreSQL (a database the test
creates and drops)."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import berjasa.backup
from enrollment.models import ImportBatch, Worker
from privacy.retention import purge_batch_files
from reports.models import ReportSnapshot
from tests import factories
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def register(reference_data, employer_a, media_root, tmp_path) -> ImportBatch:
    """Two covered workers, an imported roster (one row refused) and the August 2025 snapshot."""
    for _ in range(2):
        worker = factories.make_worker()
        factories.make_membership(worker, "JKK")
        factories.make_membership(worker, "JKM")
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_file([row(), row(), row("123")]).read())
    call_command(
        "import_roster",
        str(roster),
        source="roster",
        employer=employer_a.npp,
        only_valid_rows=True,
        stdout=io.StringIO(),
    )
    call_command("generate_period_reports", period="2025-08", stdout=io.StringIO())
    return ImportBatch.objects.get()


# --- a fresh database and media folder, and what they hold --------------------------------------------------


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"


def _postgres_admin() -> psycopg.Connection:
    return psycopg.connect(
        _postgres_url("postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    )


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the vendor under test; a PostgreSQL one is dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"test_berjasa_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    """``python manage.py …`` in its own process against the restored database and media folder."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "berjasa.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _count_all(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a table name
        counts[table] = cursor.fetchone()[0]
    return counts


def original_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_all(cursor, connection.introspection.table_names(cursor))


def restored_counts(database_url: str) -> dict[str, int]:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as restored:
            cursor = restored.cursor()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            return _count_all(cursor, [name for (name,) in cursor.fetchall()])
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as restored:
        cursor = restored.cursor()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return _count_all(cursor, [name for (name,) in cursor.fetchall()])


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def august_report(result=None) -> dict:
    """``coverage_report --period 2025-08 --format json``, without the moment it was made."""
    if result is None:
        out = io.StringIO()
        call_command("coverage_report", period="2025-08", format="json", stdout=out)
        text = out.getvalue()
    else:
        assert result.returncode == 0, result.stderr
        text = result.stdout
    figures = json.loads(text)
    figures.pop("generated_at")
    return figures


def back_up(folder: Path) -> None:
    call_command(
        "backup",
        output=str(folder),
        report_period="2025-08",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


# --- the round trip ------------------------------------------------------------------------------------------


def test_a_backup_restores_into_a_fresh_database_and_media_folder_identically(
    register, media_root, fresh_database, tmp_path
):
    snapshot = ReportSnapshot.objects.get()
    named = {register.upload.name, register.error_file.name}
    named |= {snapshot.pdf_file.name, snapshot.xlsx_file.name, snapshot.csv_file.name}
    # The import kept its upload and its error report (the preview is deleted once the batch is written).
    assert "" not in named
    counts, report, files = original_counts(), august_report(), checksums(media_root)
    # Two seeded workers and the two valid roster rows (the third row's NIK is refused).
    assert counts[Worker._meta.db_table] == 4
    assert named <= files.keys()

    back_up(tmp_path / "backup")
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == [
        "database.dump" if connection.vendor == "postgresql" else "database.sqlite3",
        "manifest.json",
        "media.tar.gz",
    ]
    restored_media = tmp_path / "restored-media"
    result = manage(
        "restore", str(tmp_path / "backup"), database_url=fresh_database, media_root=restored_media
    )

    assert result.returncode == 0, result.stderr
    assert "Verified:" in result.stdout
    assert restored_counts(fresh_database) == counts
    assert checksums(restored_media) == files
    restored_report = manage(
        "coverage_report",
        "--period",
        "2025-08",
        "--format",
        "json",
        database_url=fresh_database,
        media_root=restored_media,
    )
    assert august_report(restored_report) == report
    # Covered in August 2025: the two seeded workers with JKK and JKM; the roster file enrols no program.
    assert {f["key"]: f["value"] for f in report["headline"]}["covered"] == 2


def test_a_file_purged_during_the_backup_makes_it_start_again(
    register, media_root, tmp_path, monkeypatch
):
    """The retention purge deleting a batch's files after the dump's moment: the backup notices and retries."""
    archive = berjasa.backup.archive_media
    calls = []

    def purge_then_archive(root, target):
        if not calls:
            purge_batch_files(register, now=register.created_at)
        calls.append(target)
        return archive(root, target)

    monkeypatch.setattr(berjasa.backup, "archive_media", purge_then_archive)
    result = berjasa.backup.backup(tmp_path / "backup", report_period="2025-08", log=lambda _: None)

    assert result.attempts == 2
    assert register.upload.name not in result.manifest["named_files"]
    assert set(result.manifest["named_files"]) <= result.manifest["media_files"].keys()


# --- damaged or mismatched backups ---------------------------------------------------------------------------


def test_a_damaged_archive_is_refused_before_anything_is_restored(
    register, fresh_database, tmp_path
):
    back_up(tmp_path / "backup")
    archive = tmp_path / "backup" / "media.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    restored_media = tmp_path / "restored-media"

    result = manage(
        "restore", str(tmp_path / "backup"), database_url=fresh_database, media_root=restored_media
    )

    assert result.returncode == 1
    assert "The backup is damaged; nothing was restored." in result.stderr
    assert "media: media.tar.gz does not match its SHA-256 in the manifest" in result.stderr
    assert restored_counts(fresh_database) == {}
    assert not restored_media.exists()


def test_a_restore_that_does_not_match_the_manifest_is_reported(register, fresh_database, tmp_path):
    back_up(tmp_path / "backup")
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["enrollment_worker"] = 5  # the register has 4 workers
    manifest_path.write_text(json.dumps(manifest))

    result = manage(
        "restore",
        str(tmp_path / "backup"),
        database_url=fresh_database,
        media_root=tmp_path / "restored-media",
    )

    assert result.returncode == 1
    assert "does not match the backup's manifest" in result.stderr
    assert "table enrollment_worker: 4 rows, the manifest 5" in result.stderr


def test_a_restore_refuses_a_database_that_is_not_empty(register, media_root, tmp_path, settings):
    back_up(tmp_path / "backup")
    workers = Worker.objects.count()
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())

    assert Worker.objects.count() == workers == 4
    assert not (tmp_path / "restored-media").exists()
