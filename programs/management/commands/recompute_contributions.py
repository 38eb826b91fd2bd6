"""Recompute the contributions of open memberships from a date, after a rate or cap row was added or corrected."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from berjasa.audit import Channel
from enrollment.models import Membership
from enrollment.services.contributions import recompute_contributions
from programs.models import Program


class Command(BaseCommand):
    help = (
        "Recompute the contribution of open memberships at the rates in force on --from YYYY-MM-DD "
        "[--programs JP,JKP] [--dry-run: only say how many change and by how much]."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="since", type=date.fromisoformat, required=True)
        parser.add_argument(
            "--programs", default="", help="codes, comma-separated (all if omitted)"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, since: date, programs: str, dry_run: bool, **options):
        codes = [code.strip().upper() for code in programs.split(",") if code.strip()]
        known = set(Program.objects.values_list("code", flat=True))
        if unknown := sorted(set(codes) - known):
            raise CommandError(f"Unknown programs: {', '.join(unknown)}.")
        memberships = Membership.objects.all()
        if codes:
            memberships = memberships.filter(program__code__in=codes)
        result = recompute_contributions(
            memberships, since=since, acting_user=None, channel=Channel.COMMAND, apply=not dry_run
        )
        prefix = _("Preview, nothing written:") + " " if dry_run else ""
        self.stdout.write(prefix + result.summary())
