"""Time the admin's delete pages of the rows most referred to, against a seeded database, without writing to it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_bench .venv/bin/python bench/admin_delete_pages.py

Every page is rendered inside a READ ONLY transaction by the ModelAdmin's own ``delete_view`` (a GET: the
confirmation or the refusal), for a superuser that exists only in memory, so it runs against a database others
are using. After one warm-up page, prints per page: the time, the size of the page, the number of queries and
what it says.
"""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PLAIN_STATIC  # noqa: E402  (sets Django up)
from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from enrollment.models import Employer, Employment, Membership, Worker  # noqa: E402
from programs.models import FundingScheme, Kelurahan, Program, Segment  # noqa: E402


def most_referred(model, related, field: str):
    """The row of ``model`` that most rows of ``related`` refer to through ``field``."""
    top = related.objects.values(field).annotate(n=Count("pk")).order_by("-n").first()
    return model.objects.get(pk=top[field])


def delete_page(obj) -> tuple[float, int, int, str]:
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = User(username="bench", is_superuser=True, is_staff=True, is_active=True)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = model_admin.delete_view(request, str(obj.pk))
        response.render()
        elapsed = time.perf_counter() - started
    said = re.search(r'<p class="errornote">(.*?)</p>', response.content.decode(), re.S)
    return elapsed, len(response.content), len(queries), said.group(1).strip() if said else "—"


@PLAIN_STATIC
def main() -> None:
    translation.activate("id")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        rows = [
            Segment.objects.get(code="FORMAL"),
            most_referred(FundingScheme, Membership, "funding_scheme"),
            Program.objects.get(code="JKK"),
            most_referred(Kelurahan, Worker, "kelurahan"),
            most_referred(Employer, Employment, "employer"),
        ]
        delete_page(rows[-1])  # warm-up: templates, translations, the app list
        print("| page | time | size | queries | says |")
        print("|---|---|---|---|---|")
        for obj in rows:
            elapsed, size, count, said = delete_page(obj)
            name = f"{obj._meta.verbose_name} {obj}"
            print(f"| {name} | {elapsed:.2f} s | {size / 1024:.0f} KiB | {count} | {said} |")


if __name__ == "__main__":
    main()
