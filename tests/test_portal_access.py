"""The access matrix: every portal URL × every role × an object of the user's own employer and of another.

Allowed: 200. Everything else: 404 (never a 403 that confirms the record exists), or the login page for anonymous
users. A view that stops using the visible-to-user querysets fails here.
"""

import pytest
from django.urls import get_resolver, reverse

from enrollment.models import Employment
from tests import factories

pytestmark = pytest.mark.django_db

# name, takes a worker id, extra kwargs
PORTAL_URLS = [
    ("portal:home", False, {}),
    ("portal:roster", False, {}),
    ("portal:roster_download", False, {"file_format": "csv"}),
    ("portal:roster_download", False, {"file_format": "xlsx"}),
    ("portal:worker_add", False, {}),
    ("portal:worker", True, {}),
    ("portal:worker_edit", True, {}),
    ("portal:worker_enrol", True, {}),
    ("portal:worker_terminate", True, {}),
]
WORKER_URLS = [(name, kwargs) for name, takes_worker, kwargs in PORTAL_URLS if takes_worker]
EMPLOYER_WIDE_URLS = [
    (name, kwargs) for name, takes_worker, kwargs in PORTAL_URLS if not takes_worker
]


@pytest.fixture
def roster(employer_a, employer_b):
    """One worker on each employer's roster."""
    worker_a = factories.make_worker(name="Andi Anwar")
    worker_b = factories.make_worker(name="Budi Baso")
    factories.make_employment(worker_a, employer_a)
    factories.make_employment(worker_b, employer_b)
    return {"a": worker_a, "b": worker_b}


def test_the_matrix_names_every_portal_url():
    portal = get_resolver().url_patterns
    names = set()
    for pattern in portal:
        if getattr(pattern, "namespace", None) == "portal":
            names |= {f"portal:{p.name}" for p in pattern.url_patterns}
    assert names - {"portal:choose_employer"} == {name for name, _, _ in PORTAL_URLS}


@pytest.mark.parametrize(("name", "kwargs"), [(n, k) for n, _, k in PORTAL_URLS])
def test_anonymous_users_are_sent_to_the_login_page(client, roster, name, kwargs):
    if "pk" not in kwargs and name in dict(WORKER_URLS):
        kwargs = {**kwargs, "pk": roster["a"].pk}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["administrator", "operator", "manager"])
@pytest.mark.parametrize(("name", "kwargs"), [(n, k) for n, _, k in PORTAL_URLS])
def test_staff_and_managers_get_nothing_from_the_portal(
    client, request, roster, persona, name, kwargs
):
    client.force_login(request.getfixturevalue(persona))
    if name in dict(WORKER_URLS):
        kwargs = {**kwargs, "pk": roster["a"].pk}
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), EMPLOYER_WIDE_URLS)
def test_an_employer_user_opens_its_own_portal_pages(client, employer_a_user, roster, name, kwargs):
    client.force_login(employer_a_user)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), WORKER_URLS)
@pytest.mark.parametrize(
    ("persona", "own", "foreign"), [("employer_a_user", "a", "b"), ("employer_b_user", "b", "a")]
)
def test_an_employer_user_sees_its_own_worker_and_not_the_other(
    client, request, roster, name, kwargs, persona, own, foreign
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name, kwargs={**kwargs, "pk": roster[own].pk})).status_code == 200
    assert client.get(reverse(name, kwargs={**kwargs, "pk": roster[foreign].pk})).status_code == 404


@pytest.mark.parametrize(
    "name", ["portal:worker_edit", "portal:worker_enrol", "portal:worker_terminate"]
)
def test_posting_to_another_employers_worker_is_a_404_and_changes_nothing(
    client, employer_a_user, roster, name
):
    client.force_login(employer_a_user)
    before = list(Employment.objects.values_list("pk", "end_date", "monthly_wage").order_by("pk"))
    data = {
        "end_date": "2025-08-31",
        "reason": "RESIGNED",
        "programs": [],
        "start_date": "2025-08-01",
        "worker-name": "Diubah",
        "job-monthly_wage": "1",
    }
    response = client.post(reverse(name, kwargs={"pk": roster["b"].pk}), data)
    assert response.status_code == 404
    assert (
        list(Employment.objects.values_list("pk", "end_date", "monthly_wage").order_by("pk"))
        == before
    )
    assert roster["b"].memberships.count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_download_holds_only_the_employers_own_roster(
    client, employer_a_user, roster, file_format
):
    client.force_login(employer_a_user)
    response = client.get(reverse("portal:roster_download", kwargs={"file_format": file_format}))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "xlsx":
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(content), read_only=True).active
        niks = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    else:
        lines = content.decode("utf-8-sig").splitlines()[1:]
        niks = {line.split(",")[0] for line in lines}
    assert niks == {roster["a"].nik}


def test_the_roster_lists_only_the_employers_own_workers(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    page = client.get(reverse("portal:roster")).content.decode()
    assert roster["a"].nik in page
    assert roster["b"].nik not in page
    assert roster["b"].name not in page


def test_an_employer_cannot_choose_an_employer_it_is_not_linked_to(
    client, employer_a_user, employer_b, roster
):
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:choose_employer"), {"employer": employer_b.pk})
    assert response.status_code == 404
    assert roster["a"].nik in client.get(reverse("portal:roster")).content.decode()


def test_a_login_linked_to_two_employers_chooses_and_sees_only_the_chosen_one(
    client, employer_a_user, employer_b, roster
):
    factories.link_employer_user(employer_a_user, employer_b)
    client.force_login(employer_a_user)
    assert client.get(reverse("portal:home")).url == reverse("portal:choose_employer")
    client.post(reverse("portal:choose_employer"), {"employer": employer_b.pk})
    page = client.get(reverse("portal:roster")).content.decode()
    assert roster["b"].nik in page
    assert roster["a"].nik not in page
    assert client.get(reverse("portal:worker", kwargs={"pk": roster["a"].pk})).status_code == 404


@pytest.mark.parametrize("persona", ["employer_a_user", "manager"])
def test_employers_and_managers_get_nothing_from_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/enrollment/worker/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
