"""Every admin URL, for every role, against README's roles table.

| role | admin |
|---|---|
| Administrator | everything, including users and roles (and their history) |
| Operator | data entry and imports (employers, workers, employments, memberships, claims, import uploads); reads the
  reference data and reports; no user management, no hard deletes, no history pages |
| Manager, employer, anonymous | no admin: sent to the admin's login page |

The URLs are read from ``admin.site._registry`` and each ModelAdmin's and the site's URL patterns, so a model
registered tomorrow is walked too; a model this file does not classify fails the test until it says what each
role may do with it. Expected statuses are written from the table above, never read from the code.
"""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, reverse

from enrollment.models import (
    Claim,
    Employer,
    EmployerUser,
    Employment,
    ImportBatch,
    Membership,
    Worker,
)
from tests import factories

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
ROLES = ["administrator", "operator", "manager", "employer_a_user", "anonymous"]

# What operators do with each model of the admin: "enter" (list, add, change), "decide" (list, look, change
# by actions), "read" (list and look), or nothing (403). Models not named are the operator's "nothing"; enrollment models must be named.
OPERATOR = {
    "enrollment.employer": "enter",
    "enrollment.worker": "enter",
    "enrollment.employment": "enter",
    "enrollment.membership": "enter",
    "enrollment.claim": "enter",
    "enrollment.importbatch": "read",  # rows written by uploads (an upload is data entry: see CUSTOM)
    "enrollment.employeruser": "read",  # linking a login to an employer is user management
    # employers' changes to shared persons: Disnaker decides them (by the admin's actions)
    "enrollment.personaldatachangerequest": "decide",
    "enrollment.identityproofattempt": "decide",
    "programs.program": "read",
    "programs.benefittype": "read",
    "programs.fundingscheme": "read",
    "programs.segment": "read",
    "programs.contributionrate": "read",
    "programs.kecamatan": "read",
    "programs.kelurahan": "read",
    "programs.coveragetarget": "read",
    "reports.workforceestimate": "read",
    "reports.reportsnapshot": "read",
    # the BPJS loop (decision 60): files produced by the hand-over, rejections resolved by the admin's actions;
    # the column mapping is administrators' alone (decision 61)
    "bpjs.registrationfile": "read",
    "bpjs.rejectedmembership": "decide",
    "bpjs.columnmapping": "nothing",
    # BPJS's statements are uploaded (data entry: see CUSTOM) and read; their lines are the discrepancy list,
    # settled by the admin's actions
    "bpjs.statement": "read",
    "bpjs.statementline": "decide",
    # the outbox (decision 71): operators read it and send a failed mail again (an action, its own permission)
    "mailing.outgoingmail": "read",
    # the monthly roster confirmations: employers make them, Disnaker reopens one by the admin's action
    "compliance.rosterconfirmation": "decide",
    # invitations to the portal: written by the employers' action "Invite to the portal" (an operator may),
    # re-sent and revoked by the list's actions, never edited or deleted
    "invitations.invitation": "decide",
}
MUST_BE_CLASSIFIED = (
    "enrollment",
    "programs",
    "reports",
    "bpjs",
    "mailing",
    "compliance",
    "invitations",
)
# Records written by code, never added by hand, administrators included.
WRITTEN_BY_CODE = {
    "enrollment.importbatch",
    "reports.reportsnapshot",
    "enrollment.personaldatachangerequest",
    "enrollment.identityproofattempt",
    "privacy.accessrecord",
    "django_tasks_database.dbtaskresult",
    "axes.accessfailurelog",
    "axes.accesslog",
    "axes.accessattempt",  # its rows are failed logins; an administrator lifts a lock by an action
    "bpjs.registrationfile",  # produced by the hand-over
    "bpjs.columnmapping",  # one row per field of bpjs.columns.FIELDS: edited, never added
    "bpjs.rejectedmembership",  # BPJS's answers make them
    "bpjs.statement",  # uploaded through the import engine
    "bpjs.statementline",  # written by applying a statement
    "mailing.outgoingmail",  # queued by code; never changed or deleted by hand
    "compliance.rosterconfirmation",  # confirmed by employers in the portal
    "invitations.invitation",  # written by inviting (services), never by hand
}
# Records made by uploading a file into the import engine (the "upload" views).
UPLOADED = {"enrollment.importbatch", "bpjs.statement"}
# Of those, the ones an administrator may delete (housekeeping of login logs and finished jobs).
DELETED_BY_ADMINISTRATORS = {
    "axes.accessfailurelog",
    "axes.accesslog",
    "axes.accessattempt",
    "django_tasks_database.dbtaskresult",
}
# Views besides list/add/change/delete/history: the permission they need ("add": the role may add the model's
# records; "view": may look at them; "upload": the operator's data entry), and whether GET is refused (POST).
CUSTOM = {
    "import": ("add", False),
    "process_import": ("add", True),
    "export": ("view", False),
    "upload": ("upload", False),
    "template": ("upload", False),  # the roster template, downloaded from the upload page
    "review": ("view", False),
    "errors": ("errors", False),
    "confirm": ("upload", True),
    "cancel": ("upload", True),
    "recheck": ("upload", True),  # an interrupted import checked again
    "password_change": ("change", False),  # auth.user's password page
    "link": ("change", True),  # an identity-proof attempt resolved by Disnaker
    "dismiss": ("change", True),
    # an authenticator's secret (its key, its QR code) is shown to nobody after enrolment
    "config": ("secret", False),
    "qrcode": ("secret", False),
    "produce": ("handover", False),  # a BPJS registration file, produced from a form
    "response": ("handover", False),  # BPJS's response, uploaded into the import engine
    "download": ("view", False),  # a registration file's CSV or XLSX
    "columns_template": ("view", False),  # a BPJS file's template with the mapping's headings
}


def label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def may(role: str, model, action: str) -> bool:
    """Whether ``role`` may take ``action`` (view, add, change, delete, history, upload) on ``model``."""
    key = label(model)
    if action == "secret":
        return False
    if role == "administrator":
        if action == "add" and key in WRITTEN_BY_CODE:
            return False
        if action == "delete" and key in WRITTEN_BY_CODE - DELETED_BY_ADMINISTRATORS:
            return False
        return action not in ("upload", "errors") or key in UPLOADED

    if role == "operator":
        kind = OPERATOR.get(key)
        if action == "handover":
            return key == "bpjs.registrationfile"
        if action == "upload":
            return key in UPLOADED
        if action in ("view", "errors"):
            return kind in ("enter", "decide", "read")
        if action == "change":
            return kind in ("enter", "decide")
        if action == "add":
            return kind == "enter"
        return False  # no hard deletes, no history pages
    return False


def expected(role: str, model, action: str, *, post_only: bool = False, method: str = "GET") -> int:
    """The status of a GET (or, for views that only take a POST, of an empty POST)."""
    if role not in ("administrator", "operator"):
        return LOGIN  # not staff: the admin's login page
    if post_only and method == "GET":
        return NOT_ALLOWED  # whoever asks: a GET changes nothing
    if not may(role, model, action):
        return FORBIDDEN
    if action == "errors":
        return NOT_FOUND  # the batch of the fixture has no error report
    return OK


@pytest.fixture
def records(employer_a, employer_a_user, administrator):
    """A row of each model of the project and of the accounts, so their change, delete and history pages
    are walked (models of log tables without rows are walked by their lists and add pages)."""
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    # rejected by BPJS: the work list of rejections (bpjs.rejectedmembership) lists it too
    factories.make_membership(
        worker,
        "JKK",
        employer=employer_a,
        bpjs_status="REJECTED",
        bpjs_reason="NIK tidak ditemukan",
    )
    factories.make_claim(worker, employer=employer_a)
    ImportBatch.objects.create(
        source=ImportBatch.Source.ROSTER, employer=employer_a, file_name="x.csv"
    )
    from django.core.files.base import ContentFile

    from bpjs.models import RegistrationFile

    RegistrationFile.objects.create(  # its page and its downloads are walked too
        reference="REG-2025-08-0001",
        csv_file=ContentFile(b"NIK\n", name="REG-2025-08-0001.csv"),
        xlsx_file=ContentFile(b"PK", name="REG-2025-08-0001.xlsx"),
    )
    from reports.models import ReportSnapshot, WorkforceEstimate

    WorkforceEstimate.objects.get_or_create(
        year=2025, kind=WorkforceEstimate.Kind.EMPLOYED, kecamatan=None, defaults={"workers": 1}
    )
    if not ReportSnapshot.objects.exists():
        from reports.periods import parse_period
        from reports.snapshots import generate_snapshot

        generate_snapshot(parse_period("2025-08"), user=administrator)
    from compliance.services import confirm_month

    confirm_month(employer_a, date(2025, 8, 1), acting_user=employer_a_user)
    from invitations.services import invite_employers

    employer_a.email = "personalia@angin-mamiri.test"
    employer_a.save()
    employer_a.user_links.all().delete()  # no login yet: invited
    invite_employers(type(employer_a).objects.filter(pk=employer_a.pk), acting_user=administrator)
    factories.link_employer_user(employer_a_user, employer_a)
    from tests.conftest import totp_device_for

    totp_device_for(administrator)
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.get_or_create(user=administrator, name="backup")
    from mailing.models import OutgoingMail

    OutgoingMail.objects.create(kind="claim_status", recipient="hrd@x.test", employer=employer_a)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name, prefix + str(pattern.pattern)


def _fill(route: str, obj) -> str | None:
    """The route with its parameters filled for ``obj``; None when it needs one and there is none."""
    version = None
    if "version_id>" in route or route.count("([^/]+)") == 2:
        history = getattr(type(obj), "history", None) if obj is not None else None
        if history is None:
            return None
        version = obj.history.first().history_id
    if re.search(r"<[^>]+>", route) and obj is None:
        return None
    route = re.sub(r"<(?:path:|int:)?(?:object_id|pk|id)>", str(obj.pk) if obj else "", route)
    route = re.sub(r"<(?:int:)?version_id>", str(version), route)
    route = route.replace("<str:file_format>", "xlsx").replace("<str:kind>", "response")
    if "([^/]+)" in route:  # django-simple-history's version page, a regular expression
        route = route.replace("/^(", "/(").removesuffix("$")
        route = route.replace("([^/]+)", str(obj.pk), 1).replace("([^/]+)", str(version), 1)
    return "/admin/" + route


STANDARD = {
    "changelist": "view",
    "add": "add",
    "change": "view",
    "delete": "delete",
    "history": "history",
}


def admin_requests() -> list[tuple[str, object, str, bool]]:
    """(url, model or None, action, post only) for every URL of the admin."""
    requests = []
    for model, model_admin in admin.site._registry.items():
        key = label(model)
        assert key in OPERATOR or not key.startswith(MUST_BE_CLASSIFIED), (
            f"{key}: say in OPERATOR what operators may do with it"
        )
        obj = model._default_manager.order_by("pk").first()
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for name, route in _walk(model_admin.get_urls()):
            suffix = name.removeprefix(prefix).removeprefix("auth_user_")
            if suffix == "simple_history":
                action, post_only = "history", False
            elif suffix in STANDARD:
                action, post_only = STANDARD[suffix], False
            else:
                assert suffix in CUSTOM, f"{name}: say in CUSTOM what permission it needs"
                action, post_only = CUSTOM[suffix]
            url = _fill(f"{model._meta.app_label}/{model._meta.model_name}/{route}", obj)
            if url is not None:
                requests.append((url, model, action, post_only))
    return requests


def site_requests(role: str) -> list[tuple[str, int]]:
    """The site's own pages: the index and app indexes for staff; every app index with a model the role may
    look at is 200, the others 404 (Django hides an app that offers nothing)."""
    staff = role in ("administrator", "operator")
    pages = [
        ("/admin/", OK if staff else LOGIN),
        ("/admin/password_change/", OK if staff else LOGIN),
        ("/admin/jsi18n/", OK if staff else LOGIN),
        ("/admin/login/", OK if role == "anonymous" else (LOGIN if staff else OK)),
    ]
    apps = {model._meta.app_label for model in admin.site._registry}
    for app in sorted(apps):
        visible = any(
            may(role, model, "view")
            for model in admin.site._registry
            if model._meta.app_label == app
        )
        status = (OK if visible else NOT_FOUND) if staff else LOGIN
        pages.append((f"/admin/{app}/", status))
    return pages


def test_every_admin_url_is_classified():
    urls = {name for name, _route in _walk(admin.site.get_urls())}
    known_site = {
        "index",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "autocomplete",
    }
    known_site |= {"jsi18n", "view_on_site", "app_list"}
    per_model = {
        name
        for model_admin in admin.site._registry.values()
        for name, _route in _walk(model_admin.get_urls())
    }
    assert urls - per_model - known_site == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_answers_each_role_as_the_roles_table_says(client, request, records, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    wrong = []
    for url, model, action, post_only in admin_requests():
        for method in ("GET", "POST") if post_only else ("GET",):
            response = client.post(url) if method == "POST" else client.get(url)
            want = expected(role, model, action, post_only=post_only, method=method)
            got = response.status_code
            if method == "POST" and want == OK:
                to_login = got == LOGIN and response.url.startswith("/admin/login/")
                if got == FORBIDDEN or to_login or got >= 500:  # let in: anything but a refusal
                    wrong.append(f"POST {url} ({action}): {got}, expected it to be let in")
            elif got != want:
                wrong.append(f"{method} {url} ({action}): {got}, expected {want}")
            elif want == LOGIN:
                assert response.url.startswith("/admin/login/"), url
    for url, want in site_requests(role):
        response = client.get(url)
        if response.status_code != want:
            wrong.append(f"{url}: {response.status_code}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_operators_see_no_history_button(client, operator, records):
    client.force_login(operator)
    for model in (Worker, Employer, Employment, Membership, Claim, EmployerUser, ImportBatch):
        obj = model._default_manager.first()
        page = client.get(
            reverse(f"admin:enrollment_{model._meta.model_name}_change", args=[obj.pk])
        )
        assert page.status_code == 200
        assert b"historylink" not in page.content, model


def test_administrators_see_the_history_button(client, administrator, records):
    client.force_login(administrator)
    worker = Worker.objects.first()
    page = client.get(reverse("admin:enrollment_worker_change", args=[worker.pk]))
    assert b"historylink" in page.content


def test_operators_read_the_outbox_and_send_again_but_change_nothing(operator, administrator):
    held = operator.get_all_permissions()
    assert {p for p in held if p.startswith("mailing.")} == {
        "mailing.view_outgoingmail",
        "mailing.retry_outgoingmail",
    }
    assert "mailing.retry_outgoingmail" in administrator.get_all_permissions()


def test_operators_hold_no_delete_history_or_user_permission(operator):
    held = {p.split(".", 1)[1] for p in operator.get_all_permissions()}
    assert not [p for p in held if p.startswith("delete_")]
    assert not [p for p in held if "historical" in p]
    assert not [p for p in held if p.endswith(("_user", "_group", "_permission"))]
    assert {group.name for group in Group.objects.filter(user=operator)} == {"operator"}
