"""``seed_demo``: plan the whole demo in memory, then write it in one transaction under one import batch."""

import hashlib
import random
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.models import RosterConfirmation
from enrollment.demo.claims import plan_claims
from enrollment.demo.dtsen import DtsenList, build_dtsen_list, write_dtsen_csv
from enrollment.demo.estimates import workforce_estimates
from enrollment.demo.identities import IdentityFactory, Regions
from enrollment.demo.population import build_population
from enrollment.demo.store import Catalogue, delete_demo_rows, write_demo_rows
from enrollment.demo.targets import GENERATOR_VERSION, DemoDataError, Targets, format_scale
from enrollment.imports.writer import analyze
from enrollment.models import Claim, Employer, Employment, ImportBatch, Membership, Worker


@dataclass(frozen=True)
class SeedResult:
    batch: ImportBatch
    created: bool  # False: the same demo data was there already and nothing was written
    counts: dict[str, int]  # rows written per table
    removed: dict[str, int]  # rows of earlier demo data removed per table (--replace)
    dtsen: DtsenList | None
    dtsen_path: Path | None
    seconds: float


def demo_fingerprint(scale: float, seed: int) -> str:
    """The SHA-256 that identifies the demo data of one scale, seed and generator version."""
    text = f"seed_demo scale={format_scale(scale)} seed={seed} version={GENERATOR_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()


def default_dtsen_path(scale: float, seed: int) -> Path:
    return (
        Path(settings.GENERATED_DIR) / f"dtsen_candidates_scale{format_scale(scale)}_seed{seed}.csv"
    )


def seed_demo(
    *, scale: float, seed: int, dtsen_path: Path | None = None, replace: bool = False
) -> SeedResult:
    """Write the demo data of ``scale`` and ``seed`` unless it is there already.

    Refuses (DemoDataError) when other demo data is present, unless ``replace``: then the earlier demo rows are
    removed in the same transaction. Nothing is half-written: the rows and the batch commit together.
    """
    started = time.perf_counter()
    targets = Targets.at_scale(scale)
    fingerprint = demo_fingerprint(scale, seed)
    demo_batches = ImportBatch.objects.filter(source=ImportBatch.Source.DEMO).order_by("pk")
    present = demo_batches.filter(sha256=fingerprint, status=ImportBatch.Status.IMPORTED).first()
    if present is not None:
        return SeedResult(
            batch=present,
            created=False,
            counts={},
            removed={},
            dtsen=None,
            dtsen_path=None,
            seconds=time.perf_counter() - started,
        )
    earlier = list(demo_batches)
    if earlier and not replace:
        names = "; ".join(f"#{batch.pk} {batch.file_name}" for batch in earlier)
        raise DemoDataError(
            f"The database holds other demo data ({names}). Run again with --replace to remove it "
            "and write this one instead."
        )

    catalogue = Catalogue.load()
    regions = Regions.build(catalogue.kecamatan_of, random.Random(f"{seed}:regions"))
    identities = IdentityFactory(random.Random(f"{seed}:identities"), regions)
    population = build_population(targets, identities, seed)
    claims = plan_claims(population, targets, seed)
    dtsen = build_dtsen_list(population, targets, seed)
    estimates = workforce_estimates(targets, regions)
    dtsen_path = dtsen_path or default_dtsen_path(scale, seed)

    try:
        with transaction.atomic():
            removed: dict[str, int] = {}
            for old in earlier:
                for table, count in delete_demo_rows(old).items():
                    removed[table] = removed.get(table, 0) + count
            batch = ImportBatch.objects.create(
                source=ImportBatch.Source.DEMO,
                status=ImportBatch.Status.RUNNING,
                file_name=f"seed_demo scale={format_scale(scale)} seed={seed}",
                sha256=fingerprint,
            )
            counts = write_demo_rows(batch, population, claims, estimates, catalogue)
            from compliance.demo import write_demo_confirmations  # it reads enrollment.demo

            employer_ids = dict(
                Employer.objects.filter(import_batch=batch).values_list("npp", "id")
            )
            counts["roster confirmations"] = write_demo_confirmations(
                population, employer_ids, seed
            )
            # as a live database would be
            analyze(Employer, Worker, Employment, Membership, Claim, RosterConfirmation)
            try:
                write_dtsen_csv(dtsen_path, dtsen)
            except OSError as error:
                raise DemoDataError(
                    f"Could not write the DTSEN candidate list to {dtsen_path}, so nothing was "
                    f"written: {error}"
                ) from error
            batch.status = ImportBatch.Status.IMPORTED
            batch.finished_at = timezone.now()
            batch.count_new = sum(counts.values())
            batch.notes = (
                f"Demo data, generator version {GENERATOR_VERSION}. "
                + ", ".join(f"{table}: {count}" for table, count in counts.items())
                + f". DTSEN candidate list: {dtsen_path}"
            )
            batch.save()
    except IntegrityError as error:
        raise DemoDataError(
            f"The database refused the demo data, so nothing was written: {error}"
        ) from error
    return SeedResult(
        batch=batch,
        created=True,
        counts=counts,
        removed=removed,
        dtsen=dtsen,
        dtsen_path=dtsen_path,
        seconds=time.perf_counter() - started,
    )
