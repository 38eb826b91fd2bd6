"""Time the backup and the restore of the ``--scale 1`` database with its media, and check the restored copy.

    createdb -T berjasa_bench berjasa_backup_src        # a copy: the media step writes rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_backup_src \\
        .venv/bin/python bench/backup.py --original berjasa_bench --restore-into berjasa_restore_bench

Steps, each a ``manage.py`` command in its own process as an operator runs them:
1. media (``--snapshots``, ``--imports``): report snapshots of the months up to August 2025
   (``generate_period_reports``) and rosters of the largest employers exported and imported back
   (``export_roster``, ``import_roster``: batches with their uploaded files) into ``DATABASE_URL``, with files in a
   temporary ``MEDIA_ROOT``; refused when ``DATABASE_URL`` is the ``--original`` (read-only) database;
2. ``backup`` of ``DATABASE_URL`` and that ``MEDIA_ROOT``: times and sizes;
3. ``restore`` into the new database ``--restore-into`` (created, dropped at the end) and a new media folder;
   the command verifies itself (every table's rows, every file's SHA-256, the August 2025 report);
4. the August 2025 report (``coverage_report --format json``) of the restored database against the
   ``--original``'s.
Prints a Markdown report.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from enrollment.models import Employer  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOT_MONTHS = [f"2025-{month:02d}" for month in range(1, 9)]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def manage(*args: str, database_url: str, media_root: Path, exit_codes=(0,)) -> tuple[str, float]:
    """Run ``manage.py`` in its own process; its standard output and how long it took."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - start
    if done.returncode not in exit_codes:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout, took


def server_command(command: str, database_url: str) -> None:
    """A statement outside any database (CREATE/DROP DATABASE), through the maintenance database."""
    url = with_database(database_url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(command)


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def august(database_url: str, media_root: Path) -> dict:
    out, _took = manage(
        "coverage_report",
        "--period",
        "2025-08",
        "--format",
        "json",
        database_url=database_url,
        media_root=media_root,
    )
    figures = json.loads(out)
    figures.pop("generated_at")
    return figures


def make_media(source: str, media_root: Path, work: Path, imports: int) -> list[str]:
    lines = []
    start = time.perf_counter()
    for month in SNAPSHOT_MONTHS:
        manage(
            "generate_period_reports", "--period", month, database_url=source, media_root=media_root
        )
    lines.append(
        f"- {len(SNAPSHOT_MONTHS)} report snapshots ({SNAPSHOT_MONTHS[0]} to {SNAPSHOT_MONTHS[-1]}, "
        f"PDF + XLSX + CSV each) in {time.perf_counter() - start:.0f} s"
    )
    start = time.perf_counter()
    npps = list(
        Employer.objects.annotate(jobs=Count("employments"))
        .order_by("-jobs")
        .values_list("npp", flat=True)[:imports]
    )
    for index, npp in enumerate(npps):
        roster = work / f"roster-{npp}.{'xlsx' if index % 2 else 'csv'}"
        manage(
            "export_roster",
            "--employer",
            npp,
            "--output",
            str(roster),
            database_url=source,
            media_root=media_root,
        )
        manage(
            "import_roster",
            str(roster),
            "--source",
            "roster",
            "--employer",
            npp,
            "--only-valid-rows",
            database_url=source,
            media_root=media_root,
            exit_codes=(0, 1),  # a refused file is a batch with its files too
        )
    lines.append(
        f"- {len(npps)} rosters of large employers exported and imported back (CSV and XLSX alternately: "
        f"import batches with their uploaded files) in {time.perf_counter() - start:.0f} s"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--original", default="berjasa_bench", help="The seeded database, read only"
    )
    parser.add_argument(
        "--restore-into", default="berjasa_restore_bench", help="A new database's name"
    )
    parser.add_argument("--imports", type=int, default=6, help="Rosters imported for the media set")
    parser.add_argument("--jobs", type=int, default=2, help="pg_restore's parallel jobs")
    args = parser.parse_args()
    source = os.environ["DATABASE_URL"]
    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] == args.original:
        raise SystemExit(
            "DATABASE_URL must be a PostgreSQL copy of the original (the media step writes rows)."
        )

    work = Path(tempfile.mkdtemp(prefix="berjasa-backup-bench-"))
    media_root, restored_media, folder = work / "media", work / "restored-media", work / "backup"
    restored = with_database(source, args.restore_into)
    load_before = machine()["load average (1, 5, 15 min)"]
    try:
        media_lines = make_media(source, media_root, work, args.imports)
        out, backup_took = manage(
            "backup",
            "--output",
            str(folder),
            "--report-period",
            "2025-08",
            database_url=source,
            media_root=media_root,
        )
        backup_phases = out.strip().splitlines()[-1]
        media_bytes = size_of(media_root)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
        manifest = json.loads((folder / "manifest.json").read_text())
        server_command(f'CREATE DATABASE "{args.restore_into}"', source)
        out, restore_took = manage(
            "restore",
            str(folder),
            "--jobs",
            str(args.jobs),
            database_url=restored,
            media_root=restored_media,
        )
        restore_phases = out.strip().splitlines()[-1]
        same_report = august(restored, restored_media) == august(
            with_database(source, args.original), media_root
        )
        figures = machine()
    finally:
        server_command(f'DROP DATABASE IF EXISTS "{args.restore_into}" WITH (FORCE)', source)
        shutil.rmtree(work, ignore_errors=True)

    parts = manifest["parts"]
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in figures.items()]
    lines[2 + list(figures).index("load average (1, 5, 15 min)")] = (
        f"| load average (1, 5, 15 min) | {load_before} before, {figures['load average (1, 5, 15 min)']} after |"
    )
    lines += ["", "Media set made for the run:", *media_lines, ""]
    lines += [
        "| what | figure |",
        "|---|---:|",
        f"| rows in the database (all {len(manifest['tables'])} tables) | {sum(manifest['tables'].values()):,} |",
        f"| database size on disk (original) | {database_bytes:,} bytes |",
        f"| media files (of which named by rows) | {len(manifest['media_files']):,} ({len(manifest['named_files']):,}) |",
        f"| media on disk | {media_bytes:,} bytes |",
        f"| `database.dump` (`pg_dump -Fc`) | {parts['database']['bytes']:,} bytes |",
        f"| `media.tar.gz` | {parts['media']['bytes']:,} bytes |",
        f"| `backup` (whole command) | {backup_took:.1f} s ({backup_phases}) |",
        f"| `restore --jobs {args.jobs}` (whole command, with its verification) | {restore_took:.1f} s ({restore_phases}) |",
        f"| restored August 2025 report equal to the original's | {'yes' if same_report else 'NO'} |",
    ]
    print("\n".join(lines))
    if not same_report:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
