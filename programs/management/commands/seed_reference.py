from dataclasses import asdict

from django.core.management.base import BaseCommand

from programs.reference import load_reference_data


class Command(BaseCommand):
    help = "Load regions, programs, segments, funding schemes, rates, benefit types and targets from seeds/."

    def handle(self, *args, **options):
        counts = load_reference_data()
        summary = ", ".join(f"{name}={value}" for name, value in asdict(counts).items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}"))
