"""Invite every employer with workers (6,190 at ``--scale 1``) and let the background worker send the invitations
through a real SMTP server that is down for part of the run: none lost, none sent twice, every link works.

    DATABASE_URL=…/berjasa_bench .venv/bin/python bench/invitations.py [--month-end 2025-08-31]
        [--outage-after 2000] [--outage-seconds 20] [--workers 1] [--batch-size 500]

The employers are those with a worker on the roster at ``--month-end`` (the compliance page's denominator).
``invite_employers`` (the admin's action "Invite to the portal", the same service) queues them in one
transaction; ``manage.py db_worker`` processes (as in production) deliver them through the test suite's SMTP
server (``tests/smtp_server.py``), which stops after ``--outage-after`` arrivals for ``--outage-seconds``; the
loop and its checks are ``bench/mail_delivery.py``'s ``run``. Then every message that arrived is read: its
activation link must open its own invitation (the token's HMAC checked) and no other. The invitations and mails
the run made are deleted at the end (the database is left as it was). Exit 1 when a check fails.
"""

# ruff: noqa: I001 - mail_delivery is imported first: it sets the settings before Django starts
import argparse
import re
import sys
import time
from datetime import date

from mail_delivery import SERVER, report, run  # first: sets the workers' settings, then Django up
from mail_delivery import clean as clean_delivery_jobs

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from enrollment.models import Employer, Employment  # noqa: E402
from invitations.models import Invitation  # noqa: E402
from invitations.services import invite_employers  # noqa: E402
from invitations.tokens import invitation_for_token  # noqa: E402
from mailing.models import OutgoingMail  # noqa: E402

LINK = re.compile(r"/accounts/invitation/([^/\s]+)/")


def employers_with_workers(month_end: date):
    on_roster = Employment.objects.filter(start_date__lte=month_end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month_end)
    )
    return Employer.objects.filter(pk__in=on_roster.values("employer_id"))


def bench_user():
    user, _ = get_user_model().objects.get_or_create(
        username="bench_invitations", defaults={"is_active": False}
    )
    return user


def clean(user) -> None:
    mails = Invitation.objects.filter(invited_by=user).values("mail_id")
    OutgoingMail.objects.filter(pk__in=mails).delete()
    Invitation.objects.filter(invited_by=user).delete()
    Invitation.history.model.objects.filter(history_user=user).delete()
    clean_delivery_jobs()


def links_open_their_invitations(mail_ids: list[int]) -> tuple[int, int]:
    """(messages whose link opens the invitation the mail was for, messages checked)."""
    invitation_of_mail = dict(
        Invitation.objects.filter(mail_id__in=mail_ids).values_list("mail_id", "pk")
    )
    good = checked = 0
    for message in SERVER.arrived:
        checked += 1
        mail_id = int(message.message_id.split("-", 1)[1].split("@", 1)[0])
        found = LINK.search(message.body)
        invitation = invitation_for_token(found.group(1)) if found else None
        if invitation is not None and invitation.pk == invitation_of_mail.get(mail_id):
            good += 1
    return good, checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--month-end", type=date.fromisoformat, default=date(2025, 8, 31))
    parser.add_argument("--outage-after", type=int, default=2000)
    parser.add_argument("--outage-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL (DATABASE_URL).", file=sys.stderr)
    user = bench_user()
    clean(user)
    employers = employers_with_workers(args.month_end)
    counts = {}

    def queue() -> list[int]:
        started = time.monotonic()
        counts["result"] = invite_employers(employers, acting_user=user)
        counts["seconds"] = time.monotonic() - started
        return list(
            Invitation.objects.filter(invited_by=user, mail__isnull=False).values_list(
                "mail_id", flat=True
            )
        )

    SERVER.start()
    try:
        result = run(
            queue,
            server=SERVER,
            workers=args.workers,
            batch_size=args.batch_size,
            outage_after=args.outage_after,
            outage_seconds=args.outage_seconds,
        )
        mail_ids = list(
            Invitation.objects.filter(invited_by=user).values_list("mail_id", flat=True)
        )
        good_links, checked = links_open_their_invitations(mail_ids)
    finally:
        SERVER.stop()
        clean(user)
    invited = counts["result"]
    result["checks"]["every employer with workers invited, or skipped for its reason"] = (
        invited.invited + invited.skipped == employers.count()
    )
    result["checks"]["every link opens its own invitation"] = good_links == checked == len(mail_ids)
    return report(
        f"Invitations: the employers with workers on {args.month_end:%d/%m/%Y}",
        result,
        outage_after=args.outage_after,
        first_rows=[
            ("employers with workers", f"{employers.count():,}"),
            (
                "invited; skipped (no e-mail, a login already, invited already)",
                f"{invited.invited:,}; {invited.without_email:,}, {invited.with_login:,}, "
                f"{invited.already_invited:,}",
            ),
            ("invite_employers (one transaction)", f"{counts['seconds']:.2f} s"),
        ],
        more_rows=[("links that open their own invitation", f"{good_links:,} of {checked:,}")],
    )


if __name__ == "__main__":
    sys.exit(main())
