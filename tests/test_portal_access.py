"""The access matrix: every portal URL × every role × an object of the user's own employer and of another.

Allowed: 200. Everything else: 404 (never a 403 that confirms the record exists), or the login page for anonymous
users. A view that stops using the visible-to-user querysets fails here.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from berjasa.formatting import mask_nik
from enrollment.imports import batches
from enrollment.models import Employment, ImportBatch, PersonalDataChangeRequest
from tests import factories

pytestmark = pytest.mark.django_db

# name, the object it takes ("worker", "batch" or None), extra kwargs
PORTAL_URLS = [
    ("portal:home", None, {}),
    ("portal:roster", None, {}),
    ("portal:roster_download", None, {"file_format": "csv"}),
    ("portal:roster_download", None, {"file_format": "xlsx"}),
    ("portal:worker_add", None, {}),
    ("portal:worker", "worker", {}),
    ("portal:worker_edit", "worker", {}),
    ("portal:worker_enrol", "worker", {}),
    ("portal:worker_terminate", "worker", {}),
    ("portal:imports", None, {}),
    ("portal:import_template", None, {"file_format": "csv"}),
    ("portal:import_template", None, {"file_format": "xlsx"}),
    ("portal:import_batch", "batch", {}),
    ("portal:import_errors", "batch", {}),
    ("portal:import_confirm", "batch", {}),
    ("portal:import_cancel", "batch", {}),
    ("portal:import_recheck", "batch", {}),
    ("portal:change_requests", None, {}),
    ("portal:monthly", None, {}),
    ("portal:change_request_decide", "change_request", {}),
    ("portal:change_request_withdraw", "change_request", {}),
    ("portal:team", None, {}),
    ("portal:team_activity", None, {}),
    ("portal:team_invite", "team", {}),
    ("portal:team_invitation_revoke", "invitation", {}),
    ("portal:team_remove", "member", {}),
    ("portal:team_make_main_contact", "member", {}),
]
# Actions: POST only (a GET is refused), checked with a POST.
POST_ONLY = {
    "portal:import_confirm",
    "portal:import_cancel",
    "portal:import_recheck",
    "portal:change_request_decide",
    "portal:change_request_withdraw",
    "portal:team_invite",
    "portal:team_invitation_revoke",
    "portal:team_remove",
    "portal:team_make_main_contact",
}
# The team's actions: on a login or an invitation of the employer (the main contact's; tests/test_team.py).
TEAM_URLS = [(name, takes) for name, takes, _ in PORTAL_URLS if takes in ("member", "invitation")]
WORKER_URLS = [(name, kwargs) for name, takes, kwargs in PORTAL_URLS if takes == "worker"]
BATCH_URLS = [(name, kwargs) for name, takes, kwargs in PORTAL_URLS if takes == "batch"]
EMPLOYER_WIDE_URLS = [(name, kwargs) for name, takes, kwargs in PORTAL_URLS if takes is None]
ROSTER_CSV = (
    "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Tanggal Mulai Kerja,Upah Bulanan\n"
    "{nik},Citra Dewi,1990-03-12,L,2025-01-01,4000000\n"
    "1234,Salah,1990-03-12,L,2025-01-01,4000000\n"
)


@pytest.fixture
def roster(employer_a, employer_b, employer_a_user, employer_b_user):
    """One worker on each employer's roster, and one checked upload (with an error row) of each."""
    worker_a = factories.make_worker(name="Andi Anwar")
    worker_b = factories.make_worker(name="Budi Baso")
    factories.make_employment(worker_a, employer_a)
    factories.make_employment(worker_b, employer_b)
    return {
        "a": worker_a,
        "b": worker_b,
        # Each employer's pending request about its own worker (tests/test_shared_person.py: who decides).
        "change_request_a": PersonalDataChangeRequest.objects.create(
            worker=worker_a, employer=employer_a, changes={"name": ["Andi Anwar", "Andi"]}
        ),
        "change_request_b": PersonalDataChangeRequest.objects.create(
            worker=worker_b, employer=employer_b, changes={"name": ["Budi Baso", "Budi"]}
        ),
        "batch_a": _checked_upload(employer_a),
        "batch_b": _checked_upload(employer_b),
        **_teams(employer_a, employer_b),
    }


def _teams(employer_a, employer_b):
    """Each employer's user is its main contact, with a colleague and an open invitation."""
    from django.contrib.auth.models import Group, User

    from enrollment.models import EmployerUser
    from invitations.services import invite_colleague

    team = {}
    mains = dict(
        EmployerUser.objects.filter(employer__in=[employer_a, employer_b]).values_list(
            "employer_id", "user"
        )
    )
    EmployerUser.objects.filter(employer__in=[employer_a, employer_b]).update(is_main_contact=True)
    for key, employer in (("a", employer_a), ("b", employer_b)):
        member = User.objects.create_user(f"rekan_{key}", email=f"rekan_{key}@x.test")
        member.groups.add(Group.objects.get(name="employer"))
        factories.link_employer_user(member, employer)
        main = User.objects.get(pk=mains[employer.pk])
        team[f"member_{key}"] = member
        team[f"invitation_{key}"] = invite_colleague(
            employer, f"calon_{key}@x.test", acting_user=main
        )
    return team


def _checked_upload(employer):
    content = ROSTER_CSV.format(nik=factories.make_nik()).encode()
    batch = batches.stage_upload(
        ContentFile(content, name="roster.csv"),
        source=ImportBatch.Source.ROSTER,
        acting_user=None,
        employer=employer,
    )
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.error_file
    return batch


def _object_kwargs(roster, name, kwargs, whose):
    takes = {n: t for n, t, _ in PORTAL_URLS}[name]
    if takes == "worker":
        return {**kwargs, "pk": roster[whose].pk}
    if takes in ("batch", "change_request", "member", "invitation"):
        return {**kwargs, "pk": roster[f"{takes}_{whose}"].pk}
    return kwargs


def test_the_matrix_names_every_portal_url():
    portal = get_resolver().url_patterns
    names = set()
    for pattern in portal:
        if getattr(pattern, "namespace", None) == "portal":
            names |= {f"portal:{p.name}" for p in pattern.url_patterns}
    assert names - {"portal:choose_employer"} == {name for name, _, _ in PORTAL_URLS}


def _request(client, name, kwargs, data=None):
    url = reverse(name, kwargs=kwargs)
    return client.post(url, data or {}) if name in POST_ONLY else client.get(url)


@pytest.mark.parametrize(("name", "kwargs"), [(n, k) for n, _, k in PORTAL_URLS])
def test_anonymous_users_are_sent_to_the_login_page(client, roster, name, kwargs):
    response = _request(client, name, _object_kwargs(roster, name, kwargs, "a"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["administrator", "operator", "manager"])
@pytest.mark.parametrize(("name", "kwargs"), [(n, k) for n, _, k in PORTAL_URLS])
def test_staff_and_managers_get_nothing_from_the_portal(
    client, request, roster, persona, name, kwargs
):
    client.force_login(request.getfixturevalue(persona))
    response = _request(client, name, _object_kwargs(roster, name, kwargs, "a"))
    assert response.status_code == 404


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


@pytest.mark.parametrize(("name", "kwargs"), BATCH_URLS)
@pytest.mark.parametrize(
    ("persona", "own", "foreign"), [("employer_a_user", "a", "b"), ("employer_b_user", "b", "a")]
)
def test_an_employer_user_reaches_its_own_upload_and_not_the_other(
    client, request, roster, name, kwargs, persona, own, foreign
):
    client.force_login(request.getfixturevalue(persona))
    before = _batch_states()
    foreign_response = _request(client, name, _object_kwargs(roster, name, kwargs, foreign))
    assert foreign_response.status_code == 404
    assert _batch_states() == before
    own_response = _request(client, name, _object_kwargs(roster, name, kwargs, own))
    assert own_response.status_code == (302 if name in POST_ONLY else 200)


@pytest.mark.parametrize("name", sorted(POST_ONLY - {"portal:team_invite"}))  # a GET: test_team.py
def test_actions_on_an_upload_refuse_a_get(client, employer_a_user, roster, name):
    client.force_login(employer_a_user)
    response = client.get(reverse(name, kwargs={"pk": roster["batch_a"].pk}))
    assert response.status_code == 405
    assert _batch_states()[roster["batch_a"].pk] == ImportBatch.Status.VALIDATED


@pytest.mark.parametrize(("name", "takes"), TEAM_URLS)
@pytest.mark.parametrize(
    ("persona", "own", "foreign"), [("employer_a_user", "a", "b"), ("employer_b_user", "b", "a")]
)
def test_a_main_contact_acts_on_its_own_team_and_not_the_other(
    client, request, roster, name, takes, persona, own, foreign
):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.post(reverse(name, kwargs={"pk": roster[f"{takes}_{foreign}"].pk})).status_code
        == 404
    )
    assert client.post(reverse(name, kwargs={"pk": roster[f"{takes}_{own}"].pk})).status_code == 302


def _batch_states():
    return dict(ImportBatch.objects.values_list("pk", "status"))


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
    assert mask_nik(roster["a"].nik) in page
    assert roster["b"].nik not in page
    assert roster["b"].name not in page


def test_an_employer_cannot_choose_an_employer_it_is_not_linked_to(
    client, employer_a_user, employer_b, roster
):
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:choose_employer"), {"employer": employer_b.pk})
    assert response.status_code == 404
    assert mask_nik(roster["a"].nik) in client.get(reverse("portal:roster")).content.decode()


def test_a_login_linked_to_two_employers_chooses_and_sees_only_the_chosen_one(
    client, employer_a_user, employer_b, roster
):
    factories.link_employer_user(employer_a_user, employer_b)
    client.force_login(employer_a_user)
    assert client.get(reverse("portal:home")).url == reverse("portal:choose_employer")
    client.post(reverse("portal:choose_employer"), {"employer": employer_b.pk})
    page = client.get(reverse("portal:roster")).content.decode()
    assert mask_nik(roster["b"].nik) in page
    assert roster["a"].nik not in page
    assert client.get(reverse("portal:worker", kwargs={"pk": roster["a"].pk})).status_code == 404
    # Every page offers to switch back; a login of one employer is never offered it.
    switch = f'href="{reverse("portal:choose_employer")}"'
    assert switch in page
    assert switch in client.get(reverse("portal:imports")).content.decode()


def test_a_login_of_one_employer_is_not_offered_to_switch(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    switch = f'href="{reverse("portal:choose_employer")}"'
    for name in ("portal:home", "portal:roster", "portal:imports"):
        assert switch not in client.get(reverse(name)).content.decode()


@pytest.mark.parametrize("persona", ["employer_a_user", "manager"])
def test_employers_and_managers_get_nothing_from_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/enrollment/worker/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
