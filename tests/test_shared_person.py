"""A person two employers share: employer A tries every portal path to learn or change what employer B recorded.

The person is on both rosters; B entered their contact data through its portal (so B keeps the record). Whatever
A does (add form, roster import, search and filters, worker page and history, edit form, downloads, the import's
preview and error file), B's phone, address, occupation and kelurahan are in no response and no file, and the
record is unchanged: A's change waits as a change request.
"""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import ImportBatch, Worker
from programs.models import Kelurahan
from tests import factories

pytestmark = pytest.mark.django_db

B_PHONE = "081399887766"
B_ADDRESS = "Jl. Rahasia Losari No. 77"
B_OCCUPATION = "Juru Masak Istana"
BIRTH = date(1988, 4, 21)


@pytest.fixture
def b_kelurahan(reference_data):
    return Kelurahan.objects.order_by("-code").first()


@pytest.fixture
def shared(client, employer_a, employer_a_user, employer_b, employer_b_user, b_kelurahan):
    """Siti, added by B's user through the portal with B's contact data, and also on A's roster."""
    nik = factories.make_nik(BIRTH, "P")
    client.force_login(employer_b_user)
    response = client.post(
        reverse("portal:worker_add"),
        {
            "nik": nik,
            "name": "Siti Aminah",
            "kpj": "12345678901",
            "birth_date": BIRTH.isoformat(),
            "sex": "P",
            "phone": B_PHONE,
            "address": B_ADDRESS,
            "kelurahan": b_kelurahan.pk,
            "occupation": B_OCCUPATION,
            "has_disability": "on",
            "start_date": "2024-02-01",
            "monthly_wage": "4200000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    worker = Worker.objects.get(nik=nik)
    assert worker.keeper == employer_b
    factories.make_employment(worker, employer_a)
    client.logout()
    client.force_login(employer_a_user)
    return worker


def _secrets(kelurahan) -> list[str]:
    return [B_PHONE, B_ADDRESS, B_OCCUPATION, kelurahan.code, kelurahan.code.replace(".", "")]


def assert_nothing_learned(text: str, kelurahan) -> None:
    for secret in _secrets(kelurahan):
        assert secret not in text, f"{secret!r} was shown to employer A"


def _listed(worker: Worker, body: str) -> bool:
    """Whether the roster page lists the worker (by the link to their page: NIKs may be masked in lists)."""
    return f'href="{reverse("portal:worker", kwargs={"pk": worker.pk})}"' in body


def _record(worker: Worker) -> tuple:
    """The worker's row and its history, to compare before and after."""
    row = Worker.objects.filter(pk=worker.pk).values().get()
    row.pop("updated_at")
    return row, Worker.history.filter(id=worker.pk).count()


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def _xlsx_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return "\n".join(
        "|".join("" if cell is None else str(cell) for cell in row)
        for row in sheet.iter_rows(values_only=True)
    )


def _pending_requests(worker):
    from enrollment.models import PersonalDataChangeRequest

    return PersonalDataChangeRequest.objects.filter(
        worker=worker, status=PersonalDataChangeRequest.Status.PENDING
    )


def test_the_keeper_b_sees_its_contact_data_everywhere(
    client, shared, employer_b_user, b_kelurahan
):
    client.force_login(employer_b_user)
    page = client.get(reverse("portal:worker", kwargs={"pk": shared.pk})).content.decode()
    edit = client.get(reverse("portal:worker_edit", kwargs={"pk": shared.pk})).content.decode()
    download = client.get(reverse("portal:roster_download", kwargs={"file_format": "csv"}))
    for body in (page, edit, _body(download)):
        assert B_PHONE in body and B_ADDRESS in body and B_OCCUPATION in body
    assert b_kelurahan.code in _body(
        client.get(reverse("portal:roster_download", kwargs={"file_format": "csv"}))
    )


def test_the_worker_page_and_its_history_show_a_only_the_identity(client, shared, b_kelurahan):
    body = client.get(reverse("portal:worker", kwargs={"pk": shared.pk})).content.decode()
    assert shared.nik in body and "Siti Aminah" in body and "12345678901" in body
    assert_nothing_learned(body, b_kelurahan)
    assert b_kelurahan.name not in body


def test_the_roster_row_shows_no_kelurahan_of_b(client, shared, b_kelurahan):
    body = client.get(reverse("portal:roster")).content.decode()
    assert _listed(shared, body)
    assert f"<td>{b_kelurahan.name}</td>" not in body
    assert_nothing_learned(body, b_kelurahan)


@pytest.mark.parametrize("query", [B_PHONE, B_ADDRESS, B_OCCUPATION, "Losari No. 77"])
def test_searching_the_roster_by_bs_contact_data_finds_nobody(client, shared, query):
    body = client.get(reverse("portal:roster"), {"q": query}).content.decode()
    assert not _listed(shared, body)


def test_filtering_the_roster_by_bs_kelurahan_does_not_find_the_person(client, shared, b_kelurahan):
    assert _listed(shared, client.get(reverse("portal:roster"), {"status": "all"}).content.decode())
    body = client.get(reverse("portal:roster"), {"kelurahan": b_kelurahan.pk}).content.decode()
    assert not _listed(shared, body)


def test_the_edit_form_shows_no_contact_values_of_b(client, shared, b_kelurahan):
    body = client.get(reverse("portal:worker_edit", kwargs={"pk": shared.pk})).content.decode()
    assert "Siti Aminah" in body
    assert_nothing_learned(body, b_kelurahan)
    assert f'value="{b_kelurahan.pk}" selected' not in body


def test_an_edit_of_a_shared_person_changes_nothing_and_waits_as_a_request(
    client, shared, b_kelurahan
):
    before = _record(shared)
    response = client.post(
        reverse("portal:worker_edit", kwargs={"pk": shared.pk}),
        {
            "worker-name": "Siti Aminah Diubah",
            "worker-kpj": "12345678901",
            "worker-birth_date": BIRTH.isoformat(),
            "worker-sex": "P",
            "worker-phone": "089999999999",
            "worker-address": "Jl. Lain No. 1",
            "worker-kelurahan": Kelurahan.objects.order_by("code").first().pk,
            "worker-occupation": "Satpam",
            "worker-has_disability": "",
            "job-start_date": "2024-01-01",
            "job-monthly_wage": "3900000",
            **_seen_versions(client, shared),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert _record(shared) == before
    assert _pending_requests(shared).count() == 1
    body = response.content.decode()
    assert_nothing_learned(body, b_kelurahan)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_downloads_hold_no_contact_values_of_b(client, shared, b_kelurahan, file_format):
    response = client.get(reverse("portal:roster_download", kwargs={"file_format": file_format}))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = _xlsx_text(content) if file_format == "xlsx" else content.decode("utf-8-sig")
    assert shared.nik in text and "Siti Aminah" in text
    assert_nothing_learned(text, b_kelurahan)


def _upload(client, content: bytes, name: str) -> ImportBatch:
    response = client.post(
        reverse("portal:imports"),
        {"file": SimpleUploadedFile(name, content), "reason": "CONTRACT_ENDED"},
        follow=True,
    )
    assert response.status_code == 200
    return ImportBatch.objects.order_by("-pk").first()


def test_an_import_with_bs_person_and_changed_data_learns_and_changes_nothing(
    client, shared, b_kelurahan
):
    before = _record(shared)
    other = Kelurahan.objects.order_by("code").first()
    csv = (
        "NIK,Nama,Tanggal Lahir,Jenis Kelamin,No HP,Alamat,Kode Kelurahan,Pekerjaan,"
        "Tanggal Mulai Kerja,Upah Bulanan\n"
        f"{shared.nik},Siti Aminah Baru,{BIRTH.isoformat()},P,087770001111,Jl. Baru 2,{other.code},Satpam,"
        "2024-01-01,3900000\n"
        "1234,Salah,1990-03-12,L,2025-01-01,4000000\n"
    ).encode()
    batch = _upload(client, csv, "roster.csv")
    assert batch.status == ImportBatch.Status.VALIDATED
    preview = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk}))
    assert_nothing_learned(preview.content.decode(), b_kelurahan)
    for kind in ("updated", "warning", "error", "requested"):
        page = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk}), {"show": kind})
        assert_nothing_learned(page.content.decode(), b_kelurahan)
    errors = client.get(reverse("portal:import_errors", kwargs={"pk": batch.pk}))
    assert_nothing_learned(_body(errors), b_kelurahan)
    client.post(
        reverse("portal:import_confirm", kwargs={"pk": batch.pk}), {"only_valid_rows": "on"}
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert _record(shared) == before
    assert _pending_requests(shared).count() == 1


def test_the_add_form_with_bs_persons_nik_reveals_nothing_and_changes_nothing(
    client, shared, b_kelurahan
):
    before = _record(shared)
    response = client.post(
        reverse("portal:worker_add"),
        {
            "nik": shared.nik,
            "name": "Orang Lain",
            "birth_date": BIRTH.isoformat(),
            "sex": "P",
            "kelurahan": Kelurahan.objects.order_by("code").first().pk,
            "start_date": "2025-01-01",
            "monthly_wage": "4000000",
        },
        follow=True,
    )
    assert_nothing_learned(response.content.decode(), b_kelurahan)
    assert _record(shared) == before


def test_the_downloaded_roster_imported_again_changes_nothing(client, shared):
    before = _record(shared)
    download = client.get(reverse("portal:roster_download", kwargs={"file_format": "xlsx"}))
    content = b"".join(download.streaming_content)
    batch = _upload(client, content, "roster.xlsx")
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.count_new, batch.count_updated, batch.count_errors) == (0, 0, 0)
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    assert _record(shared) == before
    assert not _pending_requests(shared).exists()


# --- Who may change a shared person ---------------------------------------------------------------------------


def _seen_versions(client, worker) -> dict:
    """The versions the edit page shows (the worker's, the job's), as the browser posts them back."""
    page = client.get(reverse("portal:worker_edit", kwargs={"pk": worker.pk}))
    return {
        form["seen_version"].html_name: form["seen_version"].value()
        for form in page.context["forms"]
    }


def _edit(client, worker, **changes):
    data = {
        "worker-name": worker.name,
        "worker-kpj": worker.kpj or "",
        "worker-birth_date": worker.birth_date.isoformat(),
        "worker-sex": worker.sex,
        "job-start_date": "2024-01-01",
        "job-monthly_wage": "3900000",
        **_seen_versions(client, worker),
    }
    data.update({f"worker-{name}": value for name, value in changes.items()})
    return client.post(reverse("portal:worker_edit", kwargs={"pk": worker.pk}), data, follow=True)


def test_an_exclusive_workers_change_applies_at_once_and_the_employer_keeps_the_record(
    client, employer_a, employer_a_user
):
    worker = factories.make_worker(name="Rudi Hartono", phone="081100001111")
    factories.make_employment(worker, employer_a)
    client.force_login(employer_a_user)
    response = _edit(
        client,
        worker,
        name="Rudi Hartono Putra",
        phone="081200002222",
        kelurahan=worker.kelurahan_id,
        occupation="Sopir",
    )
    assert response.redirect_chain[-1][0] == reverse("portal:worker", kwargs={"pk": worker.pk})
    worker.refresh_from_db()
    assert (worker.name, worker.phone, worker.keeper) == (
        "Rudi Hartono Putra",
        "081200002222",
        employer_a,
    )
    assert not _pending_requests(worker).exists()


def test_the_requester_sees_its_pending_request_and_a_second_one_is_refused(client, shared):
    _edit(client, shared, name="Siti Aminah Saleh")
    page = client.get(reverse("portal:worker", kwargs={"pk": shared.pk})).content.decode()
    assert "Siti Aminah Saleh" in page
    response = _edit(client, shared, name="Siti Aminah Lagi")
    assert response.redirect_chain == []  # the form again, with the refusal
    assert _pending_requests(shared).count() == 1


def test_b_confirms_an_identity_change_of_a_and_it_applies(
    client, shared, employer_a, employer_b_user
):
    _edit(client, shared, name="Siti Aminah Saleh")
    change_request = _pending_requests(shared).get()
    assert change_request.changes == {"name": ["Siti Aminah", "Siti Aminah Saleh"]}
    client.force_login(employer_b_user)
    listed = client.get(reverse("portal:change_requests")).content.decode()
    assert "Siti Aminah Saleh" in listed
    client.post(
        reverse("portal:change_request_decide", kwargs={"pk": change_request.pk}),
        {"decision": "approve"},
    )
    shared.refresh_from_db()
    assert shared.name == "Siti Aminah Saleh"
    assert (
        shared.phone == B_PHONE and shared.keeper.npp == "20000002"
    )  # identity only: B keeps the record
    change_request.refresh_from_db()
    assert change_request.status == "APPROVED" and change_request.decided_by == employer_b_user
    # A second click (double submit) is refused with a message, and changes nothing more.
    again = client.post(
        reverse("portal:change_request_decide", kwargs={"pk": change_request.pk}),
        {"decision": "reject"},
    )
    assert again.status_code == 404
    change_request.refresh_from_db()
    assert change_request.status == "APPROVED"


def test_another_employer_never_sees_or_decides_a_contact_change(client, shared, employer_b_user):
    _edit(client, shared, phone="089911112222")
    change_request = _pending_requests(shared).get()
    assert not change_request.identity_only
    client.force_login(employer_b_user)
    assert "089911112222" not in client.get(reverse("portal:change_requests")).content.decode()
    response = client.post(
        reverse("portal:change_request_decide", kwargs={"pk": change_request.pk}),
        {"decision": "approve"},
    )
    assert response.status_code == 404
    shared.refresh_from_db()
    assert shared.phone == B_PHONE


def test_disnaker_approves_a_contact_change_and_the_requester_keeps_the_record(
    shared, administrator, employer_a
):
    from enrollment import services

    change_request = services.change_personal_data(
        shared, acting_user=None, channel="PORTAL", employer=employer_a, phone="089911112222"
    )
    services.decide_change_request(
        change_request, approve=True, acting_user=administrator, channel="ADMIN"
    )
    shared.refresh_from_db()
    assert (shared.phone, shared.keeper, shared.address) == ("089911112222", employer_a, B_ADDRESS)


def test_a_stale_request_is_refused_and_changes_nothing(shared, administrator, employer_a):
    from django.core.exceptions import ValidationError

    from enrollment import services

    change_request = services.change_personal_data(
        shared, acting_user=None, channel="PORTAL", employer=employer_a, name="Siti A."
    )
    services.change_personal_data(
        shared, acting_user=administrator, channel="ADMIN", name="Siti Aminah Binti Ali"
    )
    with pytest.raises(ValidationError):
        services.decide_change_request(
            change_request, approve=True, acting_user=administrator, channel="ADMIN"
        )
    shared.refresh_from_db()
    assert shared.name == "Siti Aminah Binti Ali"
    change_request.refresh_from_db()
    assert change_request.status == "PENDING"


@pytest.mark.parametrize("persona", ["administrator", "operator"])
def test_disnaker_approves_from_the_admins_changelist(client, request, shared, employer_a, persona):
    from enrollment import services

    change_request = services.change_personal_data(
        shared, acting_user=None, channel="PORTAL", employer=employer_a, address="Jl. Baru No. 9"
    )
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:enrollment_personaldatachangerequest_changelist")
    assert "Jl. Baru No. 9" in client.get(url).content.decode()
    client.post(
        url,
        {"action": "approve_change_requests", "_selected_action": [change_request.pk]},
        follow=True,
    )
    shared.refresh_from_db()
    change_request.refresh_from_db()
    assert (shared.address, shared.keeper, change_request.status) == (
        "Jl. Baru No. 9",
        employer_a,
        "APPROVED",
    )


def test_disnakers_correction_in_the_admin_applies_at_once_and_keeps_the_keeper(
    client, shared, administrator, employer_b
):
    from enrollment import services

    services.change_personal_data(
        shared, acting_user=administrator, channel="ADMIN", phone="082200002222"
    )
    shared.refresh_from_db()
    assert (shared.phone, shared.keeper) == ("082200002222", employer_b)


def test_the_demo_data_gets_a_shared_person_with_a_pending_request_once(
    employer_a, employer_a_user, employer_b
):
    from enrollment.demo.sharing import ensure_shared_person

    worker = factories.make_worker(name="Abdul Rahman", keeper=employer_b)
    factories.make_employment(worker, employer_b)
    first = ensure_shared_person(employer_a, employer_b, acting_user=employer_a_user)
    again = ensure_shared_person(employer_a, employer_b, acting_user=employer_a_user)
    assert first == again
    assert (first.worker, first.employer, first.status) == (worker, employer_a, "PENDING")
    assert first.changes == {"name": ["Abdul Rahman", "Abdul Nur Rahman"]}
    assert worker.employments.filter(employer=employer_a, end_date__isnull=True).count() == 1


def test_the_migration_makes_the_sole_employer_the_keeper(employer_a, employer_b):
    from importlib import import_module

    from django.db import connection

    migration = import_module("enrollment.migrations.0012_shared_person")
    only_a = factories.make_worker()
    both = factories.make_worker()
    nobody = factories.make_worker()
    factories.make_employment(only_a, employer_a, end_date=date(2024, 6, 30))
    factories.make_employment(only_a, employer_a, start_date=date(2024, 8, 1))
    factories.make_employment(both, employer_a)
    factories.make_employment(both, employer_b)
    with connection.cursor() as cursor:
        cursor.execute(migration.SOLE_EMPLOYER_KEEPS)
    keepers = dict(Worker.objects.values_list("pk", "keeper_id"))
    assert keepers[only_a.pk] == employer_a.pk
    assert keepers[both.pk] is None
    assert keepers[nobody.pk] is None


def test_pages_with_shared_persons_cost_the_same_queries_with_more_of_them(
    client, shared, employer_a, employer_b, employer_b_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrollment import services

    def add_shared(count: int) -> None:
        for _ in range(count):
            worker = factories.make_worker(keeper=employer_b)
            factories.make_employment(worker, employer_b)
            factories.make_employment(worker, employer_a)
            services.change_personal_data(
                worker, acting_user=None, channel="PORTAL", employer=employer_a, name="Nama Baru"
            )

    def counts(login) -> list[int]:
        client.force_login(login)
        found = []
        for url in (
            reverse("portal:roster"),
            reverse("portal:roster_download", kwargs={"file_format": "csv"}),
            reverse("portal:change_requests"),
        ):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            found.append(len(captured))
        return found

    add_shared(2)
    a_user = shared.employments.get(employer=employer_a).employer.user_links.get().user
    before = counts(a_user), counts(employer_b_user)
    add_shared(6)
    assert (counts(a_user), counts(employer_b_user)) == before
