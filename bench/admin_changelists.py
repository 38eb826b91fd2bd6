"""Time every changelist of the admin against a seeded database (``seed_demo --scale 1`` for the published scale).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_admin_bench \\
        .venv/bin/python bench/admin_changelists.py [--runs 5] [--only enrollment.Worker] [--output report.md]

Runs with DEBUG off, as in production (``bench/common.py``). Logs in as ``bench_admin``, a superuser it creates
if missing, and fetches each page with Django's test client: one warm-up, then ``--runs`` timed requests. The
pages come from the admin site's registry (``bench/admin_pages.py``): every changelist with each filter choice,
each pair of filters, the facet counts where allowed, a search per search field and each sort; besides them a
deep page of each long list, a worker's page with its inlines, its history and the worker autocomplete.
Prints a Markdown report: the machine and its load before and after, the table sizes, per page the median, p95
and maximum time, the number of queries, the SQL and processor time, and the pages over the limit (1 s).
"""

import argparse
import math
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Page, measure_all, report, signed_in_client  # noqa: E402  (sets Django up)

# isort: split
from admin_pages import changelist_pages, changelist_url  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.urls import reverse  # noqa: E402

from enrollment.models import Claim, Employment, Membership, Worker  # noqa: E402

BENCH_USER = "bench_admin"
LIMIT_MS = 1000
DEEP_PAGE = 100


def worker_pages() -> list[Page]:
    """A worker with rows in every inline: its page, its history, and the autocomplete by its name."""
    sample = (
        Worker.objects.filter(
            *(
                Exists(model.objects.filter(worker=OuterRef("pk")))
                for model in (Employment, Membership, Claim)
            )
        )
        .order_by("pk")
        .first()
    )
    if sample is None:
        raise SystemExit("No worker has employments, memberships and claims: run seed_demo first.")
    autocomplete = {
        "app_label": "enrollment",
        "model_name": "membership",
        "field_name": "worker",
        "term": sample.name.split()[0],
    }
    return [
        Page(
            "worker page (with inlines)",
            reverse("admin:enrollment_worker_change", args=[sample.pk]),
        ),
        Page("worker history", reverse("admin:enrollment_worker_history", args=[sample.pk])),
        Page(
            "worker autocomplete: name",
            f"{reverse('admin:autocomplete')}?{urlencode(autocomplete)}",
        ),
    ]


def deep_pages(models) -> list[Page]:
    """Page 100 (or the last) of each list longer than one page: the OFFSET a clerk paging on pays."""
    result = []
    for model in models:
        per_page = admin.site._registry[model].list_per_page
        last = math.ceil(model._default_manager.count() / per_page)
        if last > 1:
            page = min(DEEP_PAGE, last)
            result.append(
                Page(f"{model._meta.label}: page {page}", f"{changelist_url(model)}?p={page}")
            )
    return result


def pages(user, only: list[str]) -> list[Page]:
    def wanted(label: str) -> bool:
        return not only or any(label.startswith(prefix) for prefix in only)

    models = [model for model in admin.site._registry if wanted(model._meta.label)]
    result = [
        Page(page.name, page.url)
        for page in changelist_pages(admin.site, user)
        if wanted(page.name)
    ]
    result += deep_pages(sorted(models, key=lambda model: model._meta.label))
    if Worker in models:
        result += worker_pages()
    return result


def bench_user() -> User:
    user, _created = User.objects.update_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True, "is_active": True}
    )
    return user


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="LABEL",
        help="only the pages of models whose label starts so (enrollment.Worker); repeatable",
    )
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)

    load_before = ", ".join(f"{load:.2f}" for load in os.getloadavg())
    user = bench_user()
    timings = measure_all(signed_in_client(user), pages(user, args.only), args.runs)
    slow = [timing for timing in timings if timing.p95_ms > LIMIT_MS]
    preface = [
        f"Load average before the run: {load_before} (the table above: after).",
        "",
        f"{len(timings)} pages; over {LIMIT_MS} ms at p95: "
        + (", ".join(f"{t.page.name} ({t.p95_ms:.0f} ms)" for t in slow) if slow else "none"),
    ]
    text = report(timings, args.runs, preface)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main())
