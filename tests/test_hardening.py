"""No request holds the database, and every page says how browsers and caches may treat it.

- Headers on every page type: Content-Security-Policy, Referrer-Policy, Permissions-Policy; ``Cache-Control:
  no-store, private`` on every page of a signed-in user and on the login pages; static files keep theirs.
- ``check --deploy`` is clean with the production environment of the README.
- A web request's statement is cut after ``WEB_STATEMENT_TIMEOUT_SECONDS`` (PostgreSQL) and answered with a page.
- "Show counts" on the large admin lists counts nothing per filter choice.
- Every portal, report and admin page costs the same number of queries with N and with 3N rows.
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from berjasa.urls import urlpatterns as project_urlpatterns
from enrollment.models import (
    Claim,
    Employer,
    Employment,
    IdentityProofAttempt,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
)
from privacy.models import AccessRecord
from tests import factories

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent
AUGUST = "period_type=month&year=2025&month=8"


# --- Headers ------------------------------------------------------------------------------------------------


def page_urls(worker_pk: int) -> dict[str, tuple[str, str]]:
    """Each page type: (persona, URL)."""
    return {
        "login": ("anonymous", reverse("login")),
        "password reset": ("anonymous", reverse("password_reset")),
        "admin login": ("anonymous", reverse("admin:login")),
        "portal home": ("employer_a_user", reverse("portal:home")),
        "portal roster": ("employer_a_user", reverse("portal:roster")),
        "portal worker": ("employer_a_user", reverse("portal:worker", args=[worker_pk])),
        "portal add form": ("employer_a_user", reverse("portal:worker_add")),
        "portal edit form": ("employer_a_user", reverse("portal:worker_edit", args=[worker_pk])),
        "portal download": ("employer_a_user", reverse("portal:roster_download", args=["csv"])),
        "reports dashboard": ("manager", f"{reverse('reports:dashboard')}?{AUGUST}"),
        "report download": (
            "manager",
            f"{reverse('reports:download', args=['coverage', 'csv'])}?{AUGUST}",
        ),
        "admin index": ("administrator", reverse("admin:index")),
        "admin changelist": ("administrator", reverse("admin:enrollment_worker_changelist")),
        "admin change form": (
            "administrator",
            reverse("admin:enrollment_worker_change", args=[worker_pk]),
        ),
        "admin export": ("administrator", reverse("admin:enrollment_worker_export")),
        "error page": ("employer_a_user", "/portal/workers/999999/"),
    }


@pytest.fixture
def worker(employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    return worker


PAGE_TYPES = list(page_urls(worker_pk=0))


def get_as(client, request, persona: str, url: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client.get(url)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_page_type_carries_the_security_headers(client, request, worker, page_type):
    persona, url = page_urls(worker.pk)[page_type]
    response = get_as(client, request, persona, url)
    assert response.status_code in (200, 404)
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    # Signed in, or a page where a password is typed: kept by no cache.
    assert response["Cache-Control"] == "no-store, private"


def test_static_files_keep_their_own_cache_headers(settings, client, administrator):
    settings.WHITENOISE_USE_FINDERS = True  # WhiteNoise serves the files without collectstatic
    client.force_login(administrator)
    response = client.get("/static/berjasa/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_anonymous_public_page_is_not_marked_no_store(client):
    response = client.get(reverse("home"))  # a redirect to the login page
    assert response.status_code == 302
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_style():
    """CSP allows scripts and styles from our static files only: none written into a template."""
    offenders = []
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        for bad in ("<style", " style=", "onclick=", "onload=", "onchange=", "onsubmit="):
            if bad in text:
                offenders.append(f"{template.relative_to(BASE_DIR)}: {bad.strip()}")
        for line in text.splitlines():
            if "<script" in line and "src=" not in line and "application/json" not in line:
                offenders.append(f"{template.relative_to(BASE_DIR)}: inline <script>")
    assert offenders == []


# --- check --deploy -------------------------------------------------------------------------------------------

PRODUCTION_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "k3#v9Lq2@xWm7Rz!pT4eY8uN1cB6hJ0sD5fG-only-for-this-test-q8Zr2",
    "ALLOWED_HOSTS": "berjasa.makassarkota.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://berjasa.makassarkota.go.id",
    "DATABASE_URL": "postgres://berjasa@127.0.0.1:5432/berjasa",
}


def test_check_deploy_is_clean_with_the_production_environment():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "SECURE_", "DATABASE_URL"))
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={**environment, **PRODUCTION_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "WARNING" not in completed.stderr + completed.stdout
    assert "System check identified no issues" in completed.stdout


def test_production_redirects_to_https_with_hsts(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    assert client.get("/accounts/login/").url.startswith("https://")
    secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- Statement timeout ----------------------------------------------------------------------------------------


def sleeping_view(request):
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(3)")
    return HttpResponse("woke up")


urlpatterns = [
    *project_urlpatterns,
    path("sleep/", sleeping_view),
]  # the error page links the others


@pytest.fixture
def web_process(settings):
    """The database connection as the web process opens it (berjasa.wsgi calls limit_web_statements)."""
    from django.db.backends.signals import connection_created

    from berjasa.security import _set_statement_timeout, limit_web_statements

    settings.WEB_STATEMENT_TIMEOUT_SECONDS = 1
    connection.close()
    limit_web_statements()
    yield
    connection_created.disconnect(
        _set_statement_timeout, dispatch_uid="berjasa.web_statement_timeout"
    )
    connection.close()  # the next test opens a connection without the limit


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite is the development database: no statement timeout (docs/deployment.md)",
)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.urls("tests.test_hardening")
def test_a_web_request_running_longer_than_the_timeout_is_cut_with_an_error_page(
    web_process, client
):
    client.raise_request_exception = False
    response = client.get("/sleep/")
    assert response.status_code == 503
    assert "terlalu lama" in response.content.decode()
    with connection.cursor() as cursor:  # the connection is free again, and still limited
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1s"
        cursor.execute("SELECT 1")


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_streamed_roster_download_still_works_under_the_timeout(
    web_process, client, employer_a_user, employer_a
):
    for _ in range(3):
        factories.make_employment(factories.make_worker(), employer_a)
    client.force_login(employer_a_user)
    response = client.get(reverse("portal:roster_download", args=["csv"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).count(b"\n") == 4


def test_commands_keep_no_statement_timeout():
    """Only wsgi.py and asgi.py call limit_web_statements: manage.py (commands, db_worker) never does."""
    callers = [
        str(path.relative_to(BASE_DIR))
        for path in BASE_DIR.glob("*/**/*.py")
        if ".venv" not in path.parts and "limit_web_statements()" in path.read_text().splitlines()
    ]
    assert sorted(callers) == ["berjasa/asgi.py", "berjasa/wsgi.py"]
    assert "limit_web_statements" not in (BASE_DIR / "manage.py").read_text()


# --- Facet counts ---------------------------------------------------------------------------------------------

# Lists over tables that grow with the city (and the per-model history of their records).
LARGE_LISTS = [
    Employer,
    Worker,
    Employment,
    Membership,
    Claim,
    ImportBatch,
    PersonalDataChangeRequest,
    IdentityProofAttempt,
    AccessRecord,
    AccessAttempt,
    AccessFailureLog,
    AccessLog,
]


@pytest.mark.parametrize("model", LARGE_LISTS, ids=lambda model: model.__name__)
def test_show_counts_counts_nothing_per_filter_choice_on_large_lists(client, administrator, model):
    client.force_login(administrator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"_facets": "1"}).status_code == 200
    counting = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert len(counting) <= 1  # the paginator's count of the page's rows, nothing per filter
    assert all(sql.upper().count("COUNT(") == 1 for sql in counting)


# --- Query counts that do not grow with the rows --------------------------------------------------------------


def grow(employer: Employer, focus: Worker, count: int, step: int) -> None:
    """``count`` more workers on the employer's roster (a job, JKK and JKM, a claim each), and ``count`` more
    records in the focus worker's own history (ended jobs, memberships of past years, claims)."""
    for index in range(count):
        worker = factories.make_worker()
        factories.make_employment(worker, employer)
        factories.make_membership(worker, "JKK", employer=employer)
        factories.make_membership(worker, "JKM", employer=employer)
        factories.make_claim(worker, employer=employer)
        year = 1990 + step * 20 + index
        factories.make_employment(
            focus,
            employer,
            start_date=date(year, 1, 1),
            end_date=date(year, 6, 30),
            termination_reason="CONTRACT_ENDED",
        )
        factories.make_membership(
            focus, "JKM", employer=employer, start_date=date(year, 1, 1), end_date=date(year, 6, 30)
        )
        factories.make_claim(focus, employer=employer)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def portal_and_report_urls(focus: Worker, batch: ImportBatch) -> list[tuple[str, str]]:
    portal = [
        reverse("portal:home"),
        reverse("portal:roster"),
        reverse("portal:roster") + "?status=all&sort=-start",
        reverse("portal:worker", args=[focus.pk]),
        reverse("portal:worker_edit", args=[focus.pk]),
        reverse("portal:worker_enrol", args=[focus.pk]),
        reverse("portal:worker_terminate", args=[focus.pk]),
        reverse("portal:worker_add"),
        reverse("portal:roster_download", args=["csv"]),
        reverse("portal:roster_download", args=["xlsx"]),
        reverse("portal:imports"),
        reverse("portal:import_batch", args=[batch.pk]),
    ]
    reports = [f"{reverse('reports:dashboard')}?{AUGUST}"] + [
        f"{reverse('reports:download', args=[identifier, fmt])}?{AUGUST}"
        for identifier in ("coverage", "kecamatan-ranking", "coverage-trend")
        for fmt in ("csv", "xlsx")
    ]
    return [("employer_a_user", url) for url in portal] + [("manager", url) for url in reports]


def admin_urls(focus: Worker, user) -> list[str]:
    """Every changelist the user may read, and the change page of one of its rows (the focus worker's own
    where it has one)."""
    urls = []
    related = {
        Worker: focus,
        Employment: focus.employments.first(),
        Membership: focus.memberships.first(),
        Claim: focus.claims.first(),
    }
    for model in admin.site._registry:
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        obj = related.get(model) or model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return urls


def test_no_page_costs_more_queries_with_more_rows(
    client, request, employer_a, employer_a_user, manager, administrator
):
    from tests.test_imports import csv_file, row

    focus = factories.make_worker(name="Fokus")
    factories.make_employment(focus, employer_a, start_date=date(2025, 1, 1))
    client.force_login(employer_a_user)
    client.post(reverse("portal:imports"), {"file": csv_file([row()]), "reason": "CONTRACT_ENDED"})
    batch = ImportBatch.objects.get()
    pages = portal_and_report_urls(focus, batch)
    grow(employer_a, focus, 3, step=0)
    pages += [("administrator", url) for url in admin_urls(focus, administrator)]

    def measure() -> dict[str, int]:
        counts = {}
        for persona, url in pages:
            client.force_login(request.getfixturevalue(persona))
            query_count(client, url)  # caches (content types, sessions) warmed
            counts[url] = query_count(client, url)
        return counts

    few = measure()
    grow(employer_a, focus, 6, step=1)
    assert measure() == few
