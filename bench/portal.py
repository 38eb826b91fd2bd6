"""Time the employer portal for the employer with the longest roster (``seed_demo --scale 1``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_bench .venv/bin/python bench/portal.py [--runs 5]

Logs in as ``bench_employer``, an employer user it creates and links to the largest employer, and times the
portal's pages: home, roster (first page, a deep page, a search, the filters), a worker's page, the edit and
enrol forms, and the roster downloads. Prints a Markdown report (machine, table sizes, median/p95/max ms, queries, SQL and CPU ms).
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Page, measure_all, report, signed_in_client  # noqa: E402  (sets Django up)
from django.db.models import Count, Q  # noqa: E402
from django.urls import reverse  # noqa: E402

from berjasa.accounts import ensure_user_with_role  # noqa: E402
from berjasa.roles import Role  # noqa: E402
from enrollment.models import Employer, Employment  # noqa: E402
from programs.models import Program  # noqa: E402

BENCH_USER = "bench_employer"


def largest_employer() -> Employer:
    return (
        Employer.objects.annotate(
            roster=Count("employments", filter=Q(employments__end_date__isnull=True))
        )
        .order_by("-roster")
        .first()
    )


def pages(employer: Employer) -> list[Page]:
    roster = Employment.objects.filter(employer=employer, end_date__isnull=True).select_related(
        "worker"
    )
    sample = roster.order_by("pk").first()
    worker = sample.worker
    size = roster.count()
    kelurahan = worker.kelurahan_id
    jp = Program.objects.get(code="JP").pk

    def url(name: str, query: dict | None = None, **kwargs) -> str:
        base = reverse(name, kwargs=kwargs or None)
        return f"{base}?{urlencode(query)}" if query else base

    return [
        Page("home", url("portal:home")),
        Page(f"roster, page 1 of {size:,} workers", url("portal:roster")),
        Page("roster, last page", url("portal:roster", {"page": "last"})),
        Page("roster, search by name", url("portal:roster", {"q": worker.name.split()[0]})),
        Page("roster, search by NIK prefix", url("portal:roster", {"q": worker.nik[:10]})),
        Page("roster, not yet covered", url("portal:roster", {"covered": "no"})),
        Page(
            "roster, program JP + kelurahan",
            url("portal:roster", {"program": jp, "kelurahan": kelurahan}),
        ),
        Page("roster, sorted by start date", url("portal:roster", {"sort": "-start"})),
        Page("worker page", url("portal:worker", pk=worker.pk)),
        Page("edit form", url("portal:worker_edit", pk=worker.pk)),
        Page("enrol form", url("portal:worker_enrol", pk=worker.pk)),
        Page(
            f"roster download CSV ({size:,} rows)", url("portal:roster_download", file_format="csv")
        ),
        Page(
            f"roster download XLSX ({size:,} rows)",
            url("portal:roster_download", file_format="xlsx"),
        ),
    ]


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)

    employer = largest_employer()
    user = ensure_user_with_role(
        BENCH_USER, Role.EMPLOYER, password="bench-employer-only-1", employers=[employer]
    )
    client = signed_in_client(user)
    timings = measure_all(client, pages(employer), args.runs)
    text = report(
        timings,
        args.runs,
        preface=[f"Employer: the largest roster, {employer.name} ({employer.npp})."],
    )
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main())
