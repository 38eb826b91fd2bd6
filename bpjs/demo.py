"""The registration hand-over in ``make run``'s demo: the DTSEN candidate list imported through the engine, its
registration file, and BPJS's response accepting most (KPJ numbers, effective 01/09/2025) and rejecting a few,
so that every page of the hand-over, and the work list of rejections, has content. Idempotent."""

import csv
import random
import re
import tempfile
from datetime import date
from pathlib import Path

from django.core.files import File

from berjasa.audit import Channel
from bpjs.columns import columns
from bpjs.models import FileKind, RegistrationFile
from bpjs.services.handover import create_registration_file
from enrollment.demo.seeding import default_dtsen_path
from enrollment.imports import batches
from enrollment.models import ImportBatch, Membership, Worker

COVER_FROM = date(2025, 9, 1)
REJECTION_EVERY = 40  # one person in 40 is rejected
REJECTION_REASONS = (
    "NIK tidak ditemukan di Dukcapil",
    "Sudah terdaftar sebagai peserta segmen lain",
)
Source = ImportBatch.Source
Status = ImportBatch.Status


def ensure_registration_demo(acting_user) -> str:
    """Hand the demo's DTSEN batch over to BPJS and import BPJS's answer, unless an answer is there; what it
    did, in a line for ``setup_demo``."""
    if ImportBatch.objects.filter(source=Source.BPJS_RESPONSE, status=Status.IMPORTED).exists():
        return "BPJS registration demo: already there"
    dtsen = ImportBatch.objects.filter(source=Source.DTSEN, status=Status.IMPORTED).first()
    dtsen = dtsen or _import(_dtsen_list(), Source.DTSEN, acting_user, start_date=COVER_FROM)
    if dtsen is None or dtsen.status != Status.IMPORTED:
        return "BPJS registration demo: no DTSEN candidate list to import"
    registration = RegistrationFile.objects.filter(import_batch=dtsen).first()
    registration = registration or create_registration_file(
        acting_user=acting_user, import_batch=dtsen, channel=Channel.COMMAND
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"jawaban-{registration.reference}.csv"
        write_demo_response(path, registration)
        answer = _import(
            path,
            Source.BPJS_RESPONSE,
            acting_user,
            source_options={"registration_file": registration.pk},
        )
    outcomes = answer.summary.get("outcomes", {})
    return (
        f"BPJS registration demo: {registration.reference} ({registration.person_count} persons); "
        f"response #{answer.pk}: {outcomes.get('accepted', 0)} accepted, {outcomes.get('rejected', 0)} rejected"
    )


def _dtsen_list() -> Path | None:
    """The DTSEN candidate list ``seed_demo`` wrote for the demo data in the database."""
    demo = ImportBatch.objects.filter(source=Source.DEMO, status=Status.IMPORTED).last()
    found = re.search(r"scale=(\S+) seed=(\d+)", demo.file_name) if demo else None
    path = default_dtsen_path(float(found[1]), int(found[2])) if found else None
    return path if path and path.exists() else None


def _import(path: Path | None, source: str, acting_user, **options) -> ImportBatch | None:
    """A file imported through the engine in one pass, as ``import_roster`` does."""
    if path is None:
        return None
    with path.open("rb") as handle:
        batch = batches.stage_upload(
            File(handle, name=path.name),
            source=source,
            acting_user=acting_user,
            options=batches.UploadOptions(**options),
        )
    if batches.start_batch(batch):
        batches.run_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def write_demo_response(path: Path, registration: RegistrationFile) -> None:
    """BPJS's answer to ``registration``: accepted with a new KPJ number (or the one on record), or, for one
    person in ``REJECTION_EVERY``, rejected with one of BPJS's usual reasons."""
    people = (
        Worker.objects.filter(
            pk__in=Membership.objects.filter(bpjs_submission=registration).values("worker_id")
        )
        .order_by("pk")
        .values_list("nik", "name", "kpj")
    )
    taken = set(Worker.objects.filter(kpj__isnull=False).values_list("kpj", flat=True))
    rng = random.Random(f"bpjs-response:{registration.reference}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in columns(FileKind.RESPONSE)])
        for number, (nik, name, kpj) in enumerate(people, start=1):
            if number % REJECTION_EVERY == 0:
                reason = REJECTION_REASONS[(number // REJECTION_EVERY) % len(REJECTION_REASONS)]
                writer.writerow([nik, name, "", "Ditolak", "", reason])
                continue
            while not kpj:  # a new number, 11 digits like BPJS's, no one's yet
                candidate = str(rng.randrange(10**10, 10**11))
                kpj = candidate if candidate not in taken else None
            taken.add(kpj)
            writer.writerow([nik, name, kpj, "Diterima", COVER_FROM.strftime("%d/%m/%Y"), ""])
