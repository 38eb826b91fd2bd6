"""Everything ``make run`` needs in the database: reference data, demo data when empty, demo accounts."""

from base64 import b32encode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from berjasa.accounts import ensure_user_with_role, replace_second_factor
from berjasa.roles import Role
from berjasa.second_factor import ROLES_REQUIRING_A_FACTOR
from bpjs.demo import ensure_registration_demo
from bpjs.demo_statement import ensure_statement_demo
from budget.demo import ensure_budget_demo
from compliance.demo import ensure_portal_history
from enrollment.demo.identity_check import ensure_refused_identity_check
from enrollment.demo.sharing import ensure_shared_person
from enrollment.models import Employer, Worker
from invitations.demo import ensure_invitation_demo
from mailing.demo import ensure_mail_demo
from reports.forms import default_month
from reports.models import CoverageLedgerState
from reports.queries import latest_data_day
from reports.snapshots import generate_snapshot

# Demo credentials are printed on screen and only ever created with DEBUG on.
DEMO_ACCOUNTS = [
    ("admin", Role.ADMINISTRATOR, "admin-berjasa-2025"),
    ("operator", Role.OPERATOR, "operator-berjasa-2025"),
    ("pimpinan", Role.MANAGER, "pimpinan-berjasa-2025"),
    ("keuangan", Role.FINANCE, "keuangan-berjasa-2025"),
    ("pemberi_kerja_a", Role.EMPLOYER, "pemberi-kerja-a-2025"),
    ("pemberi_kerja_b", Role.EMPLOYER, "pemberi-kerja-b-2025"),
    # a colleague of pemberi_kerja_a (the main contact of employer A): the portal's team page
    ("rekan_kerja_a", Role.EMPLOYER, "rekan-kerja-a-2025"),
]
# The demo's second factor for the accounts whose role requires one: an authenticator key (20 bytes) and
# recovery codes, the same for each account, restored by every run. DEBUG only, like the passwords.
DEMO_TOTP_KEY = b"berjasa-demo-only-20".hex()
DEMO_RECOVERY_CODES = ("demo2025a", "demo2025b", "demo2025c")


class Command(BaseCommand):
    help = "Seed reference data, demo data (only into an empty database) and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.02)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, scale: float, seed: int, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data and demo accounts are for development only (DEBUG is off)."
            )
        call_command("seed_reference", stdout=self.stdout)
        if Worker.objects.exists():
            self.stdout.write("The database already holds workers; demo data left as it is.")
        else:
            call_command("seed_demo", scale=scale, seed=seed, stdout=self.stdout)
        # A database filled before the coverage ledger existed gets it built once (decision 76).
        if not CoverageLedgerState.objects.filter(built_at__isnull=False).exists():
            call_command("coverage_ledger", "rebuild", stdout=self.stdout)

        largest = list(
            Employer.objects.annotate(roster=Count("employments"))
            .filter(roster__gt=0)
            .order_by("-roster", "npp")[:2]
        )
        employers_for = {
            "pemberi_kerja_a": largest[:1],
            "pemberi_kerja_b": largest[1:2],
            "rekan_kerja_a": largest[:1],
        }
        rows = []
        with_factor = []
        for username, role, password in DEMO_ACCOUNTS:
            user = ensure_user_with_role(
                username, role, password=password, employers=employers_for.get(username, ())
            )
            if role in ROLES_REQUIRING_A_FACTOR:
                replace_second_factor(
                    user, key=DEMO_TOTP_KEY, recovery_codes=DEMO_RECOVERY_CODES, acting_user=user
                )
                with_factor.append(username)
            employer = employers_for.get(username)
            rows.append((role.label, username, password, employer[0].name if employer else ""))

        # A person both demo employers share, with a change awaiting confirmation.
        if len(largest) == 2:
            ensure_shared_person(
                largest[0], largest[1], acting_user=User.objects.get(username="pemberi_kerja_a")
            )

        if len(largest) == 2:  # a refused identity check for Disnaker's work list
            ensure_refused_identity_check(
                largest[0], largest[1], acting_user=User.objects.get(username="pemberi_kerja_a")
            )

        # The monthly roster confirmation: each demo employer's last 12 months, one reopened by Disnaker.
        for username, employers in employers_for.items():
            for employer in employers:
                ensure_portal_history(
                    employer,
                    User.objects.get(username=username),
                    User.objects.get(username="admin"),
                    timezone.localdate(),
                )
        # Employer A's team (an open colleague invitation) and invitations in every state for the admin's list.
        invited_logins = []
        if largest:
            invited_logins = ensure_invitation_demo(
                largest[0],
                main_contact=User.objects.get(username="pemberi_kerja_a"),
                clerk=User.objects.get(username="operator"),
            )

        self.stdout.write(ensure_registration_demo(User.objects.get(username="operator")))
        ensure_budget_demo(acting_user=User.objects.get(username="admin"))
        # BPJS's statement of August 2025, imported and applied once: the discrepancy list has content.
        ensure_statement_demo(User.objects.get(username="admin"))
        # The outbox with notices sent, queued, waiting to retry and bounced (decision 71).
        self.stdout.write(ensure_mail_demo(User.objects.get(username="admin")))

        # The managers' archive: the report of the month the dashboard opens on, stored once (a rerun keeps it).
        today = timezone.localdate()
        archived = generate_snapshot(default_month(today, latest_data_day(today)))
        state = "stored" if archived.created else "already stored"
        self.stdout.write(f"Report archive: {archived.snapshot} ({state})")

        self.stdout.write(self.style.SUCCESS("\nDemo accounts (development only):"))
        for label, username, password, employer in rows:
            suffix = f"  ({employer})" if employer else ""
            self.stdout.write(f"  {label:<15} {username:<17} {password}{suffix}")
        for line in invited_logins:
            self.stdout.write(f"  {Role.EMPLOYER.label!s:<15} {line}")
        secret = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
        self.stdout.write(
            self.style.SUCCESS(f"\nSecond factor of {', '.join(with_factor)} (development only):")
        )
        self.stdout.write(f"  authenticator app key (TOTP): {secret}")
        self.stdout.write(
            f"  recovery codes, each once until the next setup_demo: {' '.join(DEMO_RECOVERY_CODES)}"
        )
