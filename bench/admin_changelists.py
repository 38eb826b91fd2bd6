"""Time the admin's busiest pages against a seeded database (``seed_demo --scale 1`` for the published scale).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_admin_bench \\
        .venv/bin/python bench/admin_changelists.py [--runs 5] [--output report.md]

Runs with DEBUG off, as in production (``bench/common.py``). Logs in as ``bench_admin``, a superuser it creates
if missing, and fetches each page with Django's test client: one warm-up, then ``--runs`` timed requests.
Prints a Markdown report: the machine and its load, the table sizes, and per page the median and maximum time
and the number of queries.
"""

import argparse
import math
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Page, measure_all, report, signed_in_client  # noqa: E402  (sets Django up)
from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Count, Exists, OuterRef  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from enrollment.models import Claim, Employer, Employment, Membership, Worker  # noqa: E402
from programs.models import Kecamatan, Segment  # noqa: E402

BENCH_USER = "bench_admin"


def changelist(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def pages() -> list[Page]:
    """The pages to time, with search terms and filter values taken from the data itself."""
    # A worker with rows in every inline, and the employer with the longest roster.
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
    largest = (
        Employment.objects.filter(end_date__isnull=True)
        .values("employer")
        .annotate(size=Count("pk"))
        .order_by("-size")
        .first()
    )
    employer = Employer.objects.get(pk=largest["employer"])
    name_part = sample.name.split()[0]
    employer_part = employer.name.split()[-1]
    kecamatan = Kecamatan.objects.order_by("code").first()
    segment = Segment.objects.get(code="RENTAN")
    worker_kecamatan = {"worker__kelurahan__kecamatan__id__exact": kecamatan.pk}

    per_model = {
        Worker: {
            "NIK search": {"q": sample.nik},
            "name search": {"q": name_part},
            "segment filter": {"segment": segment.pk},
            "kecamatan filter": {"kelurahan__kecamatan__id__exact": kecamatan.pk},
        },
        Employer: {
            "NPP search": {"q": employer.npp},
            "name search": {"q": employer_part},
            "kecamatan filter": {"kelurahan__kecamatan__id__exact": kecamatan.pk},
        },
        Employment: {
            "NIK search": {"q": sample.nik},
            "name search": {"q": name_part},
            "roster of an employer": {"employer__id__exact": employer.pk, "state": "active"},
            "kecamatan filter": {"employer__kelurahan__kecamatan__id__exact": kecamatan.pk},
        },
        Membership: {
            "NIK search": {"q": sample.nik},
            "name search": {"q": name_part},
            "segment filter": {"segment__id__exact": segment.pk},
            "kecamatan filter": worker_kecamatan,
        },
        Claim: {
            "NIK search": {"q": sample.nik},
            "name search": {"q": name_part},
            "segment filter": {"segment__id__exact": segment.pk},
            "kecamatan filter": worker_kecamatan,
        },
    }
    result = []
    for model, cases in per_model.items():
        with translation.override("en"):
            label = str(model._meta.verbose_name_plural)
        # Page 100, or the last page of a table that has fewer.
        page = min(100, math.ceil(model.objects.count() / 100))
        result.append(Page(f"{label}: first page", changelist(model)))
        result.append(Page(f"{label}: show counts", changelist(model, _facets=1)))
        result.append(Page(f"{label}: page {page}", changelist(model, p=page)))
        result += [
            Page(f"{label}: {case}", changelist(model, **params)) for case, params in cases.items()
        ]
    result.append(
        Page(
            "worker page (with inlines)",
            reverse("admin:enrollment_worker_change", args=[sample.pk]),
        )
    )
    autocomplete = {"app_label": "enrollment", "model_name": "membership", "field_name": "worker"}
    result.append(
        Page(
            "worker autocomplete: name",
            f"{reverse('admin:autocomplete')}?{urlencode({**autocomplete, 'term': name_part})}",
        )
    )
    return result


def bench_client():
    user, _created = User.objects.update_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True, "is_active": True}
    )
    return signed_in_client(user)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)

    timings = measure_all(bench_client(), pages(), args.runs)
    text = report(timings, args.runs)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main())
