"""BPJS's monthly statement made from the demo records, with the discrepancies real statements carry, and its
import into the demo (``setup_demo``): so the discrepancy list has content.

Of the participants active here in the month (in scope), in a seeded random order: about 0.5 % are left out,
1 % unpaid for two or three months (August's: since June or July; half of them inactive), 0.2 % named with
another employer or another program set, and 0.5 % of the whole given a KPJ number they lack here; 0.5 % more
are people unknown here (new, structurally valid NIKs). Everyone else is confirmed: active, paid for the month,
same employer and programs.
"""

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta
from typing import IO

from django.core.files.base import ContentFile

from bpjs.columns import columns
from bpjs.models import FileKind, Statement
from bpjs.services.reconciliation import Choices, Scope, participants, program_bits, with_names
from bpjs.services.statements import confirm_statement, stage_statement
from enrollment.imports import batches
from enrollment.imports.engine import among
from enrollment.models import Employer, Worker

DEMO_MONTH = date(2025, 8, 1)
LEFT_OUT, UNPAID, DIFFERENT, KPJ_GIVEN, UNKNOWN = 0.005, 0.01, 0.002, 0.005, 0.005
NAMES = (
    "ANDI",
    "BUDI",
    "CITRA",
    "DEWI",
    "EKA",
    "FAJAR",
    "GITA",
    "HASAN",
    "IRMA",
    "JUMRAH",
    "KASMAWATI",
)
FAMILY = ("SYAMSUDDIN", "BASO", "DAENG NGALLE", "RAHMAN", "HAMZAH", "LATIF", "MUIN", "NURDIN")


def write_statement(output: IO[str], month: date, scope: str, *, seed: int = 42) -> Counter:
    """Write the statement (CSV, BPJS's headings) to ``output``; return how many rows of each kind it has."""
    rng = random.Random(seed)
    bits = program_bits()
    npps = dict(Employer.objects.values_list("pk", "npp"))
    all_npps = sorted(npps.values())
    ours = sorted(
        with_names(participants(month, scope)), key=lambda participant: participant.worker_id
    )
    without_kpj = sum(not participant.kpj for participant in ours) or 1
    kpj_share = KPJ_GIVEN * len(ours) / without_kpj
    kinds: Counter = Counter()
    writer = csv.writer(output)
    writer.writerow([column.header for column in columns(FileKind.STATEMENT)])
    paid = f"{month:%m/%Y}"
    for participant in ours:
        draw = rng.random()
        if draw < LEFT_OUT:
            kinds["left_out"] += 1
            continue
        programs = [code for code, bit in bits.items() if participant.programs & bit]
        npp = npps[min(participant.employer_ids)] if participant.employer_ids else ""
        status, last_paid = "AKTIF", paid
        kpj = participant.kpj or ""
        if draw < LEFT_OUT + UNPAID:
            kinds["unpaid"] += 1
            months_back = rng.choice((2, 3))  # paid through May or June: unpaid since June or July
            last_paid = f"{(month - timedelta(days=28 * months_back + 1)):%m/%Y}"
            status = rng.choice(("AKTIF", "NON AKTIF"))
        elif draw < LEFT_OUT + UNPAID + DIFFERENT:
            kinds["different"] += 1
            if rng.random() < 0.5:
                npp = rng.choice(all_npps)
            else:
                programs = sorted(
                    {*programs, "JHT"} if "JHT" not in programs else set(programs) - {"JHT"}
                )
        if not kpj and rng.random() < kpj_share:
            kinds["kpj_given"] += 1
            kpj = f"8{participant.worker_id:010d}"
        kinds["rows"] += 1
        writer.writerow(
            [
                participant.nik,
                kpj,
                npp,
                participant.name.upper(),
                ",".join(programs),
                status,
                last_paid,
            ]
        )
    for nik, name in _unknown_people(rng, round(UNKNOWN * len(ours)), [p.nik for p in ours[:50]]):
        kinds["unknown"] += 1
        kinds["rows"] += 1
        npp = rng.choice(all_npps) if scope == Scope.ALL and rng.random() < 0.5 else ""
        writer.writerow([nik, "", npp, name, "JKK,JKM", "AKTIF", paid])
    return kinds


def _unknown_people(rng: random.Random, count: int, examples: list[str]) -> list[tuple[str, str]]:
    """``count`` people with new NIKs of Makassar's structure (a region of ``examples``, a birth date, the sex
    in the day, a serial from 7000), none of them a worker here."""
    regions = sorted({nik[:6] for nik in examples}) or ["737101"]
    candidates = {}
    while len(candidates) < count:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))
        day = born.day + (40 if rng.random() < 0.5 else 0)
        nik = f"{rng.choice(regions)}{day:02d}{born:%m%y}{rng.randrange(7000, 9999):04d}"
        candidates[nik] = f"{rng.choice(NAMES)} {rng.choice(FAMILY)}"
    taken = set(Worker.objects.filter(among("nik", list(candidates))).values_list("nik", flat=True))
    return [(nik, name) for nik, name in candidates.items() if nik not in taken]


def ensure_statement_demo(acting_user) -> Statement | None:
    """Import and apply the demo's statement of August 2025 (city-funded participants), once."""
    if Statement.objects.filter(month=DEMO_MONTH).exists():
        return None
    buffer = io.StringIO()
    if not write_statement(buffer, DEMO_MONTH, Scope.CITY)["rows"]:
        return None  # no demo records in August 2025
    upload = ContentFile(buffer.getvalue().encode(), name="rekap-peserta-bpjs-2025-08.csv")
    batch = stage_statement(upload, month=DEMO_MONTH, scope=Scope.CITY, acting_user=acting_user)
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    if confirm_statement(batch, Choices()):
        batches.run_batch(batch.pk)
    return Statement.objects.filter(import_batch=batch).first()
