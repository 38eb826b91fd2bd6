from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrollment.demo import DemoDataError, seed_demo
from enrollment.demo.targets import format_scale


class Command(BaseCommand):
    help = (
        "Write deterministic demo data (one import batch) and the DTSEN candidate CSV. At --scale 1 it "
        "reproduces the published August 2025 figures; at scale S every count is round(value x S)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=0.02, help="Share of the city (default 0.02)."
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--dtsen-output",
            type=Path,
            default=None,
            help="Where to write the DTSEN candidate CSV (default: GENERATED_DIR).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove other demo data (an earlier scale or seed) in the same transaction.",
        )

    def handle(
        self, *args, scale: float, seed: int, dtsen_output: Path | None, replace: bool, **options
    ):
        try:
            result = seed_demo(scale=scale, seed=seed, dtsen_path=dtsen_output, replace=replace)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        label = f"scale={format_scale(scale)} seed={seed}"
        if not result.created:
            self.stdout.write(
                f"The demo data for {label} is already there (import batch #{result.batch.pk}); "
                "nothing written."
            )
            return
        if result.removed:
            self.stdout.write(
                f"Removed {sum(result.removed.values()):,} rows of earlier demo data."
            )
        if links := result.removed.get("employer logins"):
            self.stdout.write(
                f"Removed {links} login link(s) to the earlier demo employers; run setup_demo to "
                "link the demo accounts again."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data written for {label} (import batch #{result.batch.pk}) "
                f"in {result.seconds:.1f} s:"
            )
        )
        for table, count in result.counts.items():
            self.stdout.write(f"  {table:<20} {count:>10,}")
        dtsen = result.dtsen
        self.stdout.write(
            f"DTSEN candidate list: {result.dtsen_path}\n"
            f"  {dtsen.awaiting:,} awaiting registration (desil 1-5, not in the database), plus "
            f"{dtsen.already_covered:,} informal workers already covered (to skip), "
            f"{dtsen.formal_employees:,} formal employees enrolled by their employer (to flag) and "
            f"{dtsen.above_cutoff:,} above the cut-off (desil 6-10)."
        )
