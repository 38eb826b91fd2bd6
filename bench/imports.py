"""Time the roster and DTSEN imports, the roster export and the admin's Export on PostgreSQL, beside a stock
django-import-export ``ModelResource`` importing the same workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_imports_bench \\
        .venv/bin/python bench/imports.py [--rows 50000] [--big-rows 300000] [--dtsen FILE] [--stock-rows 2000]

The database needs the reference data; for the DTSEN figures, ``seed_demo --scale 1`` and the candidate CSV it
wrote (``--dtsen``). Each scenario runs in its own process, so its peak memory is its own, and cleans up after
itself (the rows its batches wrote, and their history), so the database ends as it began. Runs with DEBUG off.
Prints a Markdown report.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "berjasa-bench-media"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402  (sets Django up)
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from berjasa.audit import Channel  # noqa: E402
from enrollment.imports import batches  # noqa: E402
from enrollment.models import Employer, Employment, ImportBatch, Membership, Worker  # noqa: E402
from enrollment.roster_file import ROSTER_HEADER  # noqa: E402
from programs.models import Kelurahan  # noqa: E402

BENCH_NPP = "BENCH-IMPORT"
WORK = Path(tempfile.gettempdir()) / "berjasa-bench-imports"


# --- files ---------------------------------------------------------------------------------------------------------


def roster_csv(path: Path, rows: int, *, seed: int = 1, changed: float = 0.0) -> Path:
    """``rows`` workers with NIKs and KPJs no seeded worker holds (regency codes 90-99, 12-digit KPJs); ``changed`` of them get a new
    wage (the same rows for the same seed)."""
    rng = random.Random(seed)
    codes = list(Kelurahan.objects.values_list("code", flat=True))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER[:-1])
        for i in range(rows):
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))
            sex = rng.choice("LP")
            day = born.day + (40 if sex == "P" else 0)
            nik = f"73{90 + i // 99_990 % 10:02d}{i // 9_999 % 10 + 1:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{i % 9_999 + 1:04d}"
            wage = 3_900_000 + rng.randrange(100) * 10_000
            if rng.random() < changed:
                wage += 50_000
            writer.writerow(
                [nik, f"Pekerja Bench {i}", f"8{i:011d}", born.isoformat(), sex, f"0812{rng.randrange(10**7):07d}",
                 f"Jl. Bench {i}", rng.choice(codes), "Operator", "tidak", "2024-01-01", wage]
            )  # fmt: skip
    return path


# --- scenarios (each in its own process) ---------------------------------------------------------------------------


def employer() -> Employer:
    found, _ = Employer.objects.get_or_create(
        npp=BENCH_NPP,
        defaults={
            "name": "PT Benchmark",
            "sector": "TRADE",
            "size": "LARGE",
            "entered_via": Channel.ADMIN,
        },
    )
    return found


def stage(path: Path, source: str, **options) -> ImportBatch:
    with path.open("rb") as handle:
        return batches.stage_upload(
            File(handle, name=path.name),
            source=source,
            acting_user=None,
            employer=employer() if source == ImportBatch.Source.ROSTER else None,
            options=batches.UploadOptions(**options),
        )


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def scenario_import(path: Path, source: str, start_date: str | None) -> dict:
    """Preview (check) then import of one file, as the portal does; and the command's single pass."""
    options = {"start_date": date.fromisoformat(start_date)} if start_date else {}
    batch = stage(path, source, **options)
    preview = timed(lambda: batches.check_batch(batch.pk))
    batch.refresh_from_db()
    batches.confirm_batch(batch)
    run = timed(lambda: batches.run_batch(batch.pk))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED, (batch.status, batch.message)
    return _result(batch, preview=preview, run=run)


def scenario_command(path: Path) -> dict:
    """End to end as ``import_roster`` does it: store the file, check and write in one pass, commit."""
    started = time.perf_counter()
    batch = stage(path, ImportBatch.Source.ROSTER)
    batches.start_batch(batch)
    batches.run_batch(batch.pk)
    elapsed = time.perf_counter() - started
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED, (batch.status, batch.message)
    return _result(batch, run=elapsed)


def scenario_export(path: Path) -> dict:
    before = _peak_mb()
    suffix = path.suffix
    with open(os.devnull, "w") as quiet:
        elapsed = timed(
            lambda: call_command(
                "export_roster", employer=BENCH_NPP, output=str(path), stdout=quiet
            )
        )
    rows = Employment.objects.filter(employer=employer(), end_date=None).count()
    return {"format": suffix, "rows": rows, "seconds": elapsed, "peak_mb_before": before, "size_mb": path.stat().st_size / 2**20}  # fmt: skip


def scenario_admin_export(suffix: str) -> dict:
    """The admin's Export of every worker (all fields of the resource), as an administrator."""
    from admin_changelists import bench_user
    from django.contrib import admin
    from django.test import RequestFactory
    from import_export.formats.base_formats import CSV, XLSX

    model_admin = admin.site._registry[Worker]
    request = RequestFactory().post("/")
    request.user = bench_user()  # an administrator
    before = _peak_mb()
    started = time.perf_counter()
    queryset = model_admin.get_export_queryset(request)
    response = model_admin._do_file_export(CSV() if suffix == "csv" else XLSX(), request, queryset)
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    return {"format": suffix, "rows": queryset.count(), "seconds": elapsed, "peak_mb_before": before, "size_mb": size / 2**20}  # fmt: skip


def scenario_stock(path: Path, rows: int) -> dict:
    """A stock ModelResource (no bulk mode, the defaults) importing the same workers."""
    import tablib
    from import_export import resources

    class WorkerResource(resources.ModelResource):
        class Meta:
            model = Worker
            fields = (
                "nik",
                "name",
                "birth_date",
                "sex",
                "phone",
                "address",
                "occupation",
                "entered_via",
            )
            import_id_fields = ("nik",)

    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        data = tablib.Dataset(headers=list(WorkerResource.Meta.fields))
        for line, _ in zip(reader, range(rows), strict=False):
            data.append([line["NIK"], line["Nama"], line["Tanggal Lahir"], line["Jenis Kelamin"], line["No HP"],
                         line["Alamat"], line["Pekerjaan"], Channel.IMPORT])  # fmt: skip
    elapsed = timed(lambda: WorkerResource().import_data(data, dry_run=False, raise_errors=True))
    niks = list(data["nik"])
    result = {"rows": Worker.objects.filter(nik__in=niks).count(), "seconds": elapsed}
    delete_workers(niks)
    return result


def _result(batch: ImportBatch, **seconds) -> dict:
    written = {
        model.__name__: model.history.filter(history_batch_id=batch.pk).count()
        for model in (Worker, Employment, Membership)
    }
    return {
        "batch": batch.pk,
        "rows": batch.row_count,
        "new": batch.count_new,
        "updated": batch.count_updated,
        "unchanged": batch.count_unchanged,
        "skipped": batch.summary.get("skipped_reasons", {}),
        "flagged": batch.summary.get("rows", {}).get("flagged", 0),
        "history_rows": written,
        **seconds,
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cleanup() -> None:
    """Remove everything the benchmark's batches wrote, then its employer, leaving the database as it was.

    Plain SQL: the ORM's delete would load every row and write a "deleted" historical row for each.
    """
    bench = Employer.objects.filter(npp=BENCH_NPP).first()
    ours = Q(file_name__startswith="bench-") | (Q(employer=bench) if bench else Q(pk__in=[]))
    ids = list(ImportBatch.objects.filter(ours).values_list("pk", flat=True))
    statements = []
    for model in (Membership, Employment, Worker):
        statements.append((model.history.model, "history_batch_id = ANY(%s)", ids))
    if bench:
        statements += [
            (Membership, "employer_id = %s", bench.pk),
            (Employment, "employer_id = %s", bench.pk),
        ]
    for model in (Membership, Employment, Worker):
        statements.append((model, "import_batch_id = ANY(%s)", ids))
    statements.append((ImportBatch, "id = ANY(%s)", ids))
    if bench:
        statements += [
            (Employer.history.model, "id = %s", bench.pk),
            (Employer, "id = %s", bench.pk),
        ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, condition, value in statements:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {condition}", [value])  # noqa: S608


def delete_workers(niks: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Worker.history.model, Worker):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE nik = ANY(%s)", [niks])  # noqa: S608


# --- the run ---------------------------------------------------------------------------------------------------------


def child(scenario: str, *args: str) -> dict:
    """Run one scenario in a fresh process; its peak memory is reported with its result."""
    output = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [sys.executable, __file__, "--scenario", scenario, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_scenario(name: str, args: list[str]) -> None:
    path = Path(args[0]) if args and name != "admin-export" else None
    if name == "import":
        result = scenario_import(path, args[1], args[2] if len(args) > 2 else None)
    elif name == "command":
        result = scenario_command(path)
    elif name == "export":
        result = scenario_export(path)
    elif name == "admin-export":
        result = scenario_admin_export(args[0])
    elif name == "stock":
        result = scenario_stock(path, int(args[1]))
    else:
        cleanup()
        result = {}
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--big-rows", type=int, default=300_000)
    parser.add_argument("--stock-rows", type=int, default=2_000)
    parser.add_argument("--dtsen", type=Path, help="the DTSEN candidate CSV that seed_demo wrote")
    parser.add_argument("--scenario")
    options, rest = parser.parse_known_args()
    if options.scenario:
        run_scenario(options.scenario, rest)
        return
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://...).")
    WORK.mkdir(exist_ok=True)
    child("cleanup")
    rows, big = options.rows, options.big_rows
    new = roster_csv(WORK / "bench-new.csv", rows)
    changed = roster_csv(WORK / "bench-changed.csv", rows, changed=0.10)
    large = roster_csv(WORK / "bench-large.csv", big, seed=3)
    results = {}
    try:
        results["preview+import"] = child("import", str(new), "ROSTER")
        results["reimport"] = child("import", str(changed), "ROSTER")
        child("cleanup")
        results["command"] = child("command", str(new))
        child("cleanup")
        results["large"] = child("command", str(large))
        for suffix in ("csv", "xlsx"):
            results[f"export-{suffix}"] = child("export", str(WORK / f"bench-export.{suffix}"))
        child("cleanup")
        for suffix in ("csv", "xlsx"):
            results[f"admin-export-{suffix}"] = child("admin-export", suffix)
        results["stock"] = child("stock", str(new), str(options.stock_rows))
        if options.dtsen:
            dtsen = WORK / "bench-dtsen.csv"
            dtsen.write_bytes(options.dtsen.read_bytes())
            results["dtsen"] = child("import", str(dtsen), "DTSEN", "2025-10-01")
    finally:
        child("cleanup")
    report(results, rows, big)


def report(results: dict, rows: int, big: int) -> None:
    counts = {model.__name__: model.objects.count() for model in (Worker, Employment, Membership)}
    print(f"### Imports and exports — {timezone.localtime():%Y-%m-%d %H:%M} WITA\n")
    print("| | |\n|---|---|")
    for key, value in machine().items():
        print(f"| {key} | {value} |")
    sizes = ", ".join(f"{count:,} {name.lower()}s" for name, count in counts.items())
    print(f"\nDatabase after the run (the benchmark removes what it wrote): {sizes}.\n")
    print("| scenario | rows | time | rows/s | peak memory | written |")
    print("|---|---:|---:|---:|---:|---|")

    def line(name, result, seconds, rows_done=None):
        rows_done = rows_done if rows_done is not None else result["rows"]
        written = ", ".join(f"{k.lower()} {v:,}" for k, v in result.get("history_rows", {}).items())
        print(f"| {name} | {rows_done:,} | {seconds:.2f} s | {rows_done / seconds:,.0f} | {result['peak_mb']:.0f} MB | {written} |")  # fmt: skip

    first = results["preview+import"]
    line(f"new roster, {rows:,} rows: preview", first, first["preview"])
    line(f"new roster, {rows:,} rows: import after confirm", first, first["run"])
    line(
        f"new roster, {rows:,} rows: end to end (import_roster)",
        results["command"],
        results["command"]["run"],
    )
    again = results["reimport"]
    line(
        f"re-import, 10 % changed ({again['updated']:,} updated): preview", again, again["preview"]
    )
    line("re-import, 10 % changed: import after confirm", again, again["run"])
    line(f"new roster, {big:,} rows: end to end", results["large"], results["large"]["run"])
    for suffix in ("csv", "xlsx"):
        export = results[f"export-{suffix}"]
        print(f"| export {suffix.upper()}, {export['rows']:,} rows | {export['rows']:,} | {export['seconds']:.2f} s | "
              f"{export['rows'] / export['seconds']:,.0f} | {export['peak_mb']:.0f} MB ({export['peak_mb_before']:.0f} MB before) | "
              f"{export['size_mb']:.0f} MB file |")  # fmt: skip
    for suffix in ("csv", "xlsx"):
        export = results[f"admin-export-{suffix}"]
        print(f"| admin Export of every worker, {suffix.upper()} | {export['rows']:,} | {export['seconds']:.2f} s | "
              f"{export['rows'] / export['seconds']:,.0f} | {export['peak_mb']:.0f} MB ({export['peak_mb_before']:.0f} MB before) | "
              f"{export['size_mb']:.0f} MB file |")  # fmt: skip
    stock = results["stock"]
    line("stock django-import-export ModelResource (workers only)", stock, stock["seconds"])
    if "dtsen" in results:
        dtsen = results["dtsen"]
        summary = f"new {dtsen['new']:,}, skipped {dtsen['skipped']}, flagged {dtsen['flagged']:,}"
        line(f"DTSEN scale 1 ({summary}): preview", dtsen, dtsen["preview"])
        line("DTSEN scale 1: import after confirm", dtsen, dtsen["run"])


if __name__ == "__main__":
    main()
