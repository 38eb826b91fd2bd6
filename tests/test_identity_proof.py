"""Linking a person the city already knows proves identity: the portal form, the roster upload, the throttle,
the record of every attempt and Disnaker's work list (issue 10).

The person is on employer B's roster; employer A's user tries to add them by NIK.
"""

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from enrollment import services
from enrollment.models import Channel, Employment, ImportBatch, Worker
from programs.models import Kelurahan
from tests import factories
from tests.test_imports import check, codes, csv_file, import_, row

pytestmark = pytest.mark.django_db

REFUSAL = "tidak cocok dengan catatan kota untuk NIK ini"
THROTTLED = "Coba lagi satu jam lagi"
BORN = date(1988, 7, 21)


@pytest.fixture
def person(employer_b):
    """Employed by B: what A must not learn by typing the NIK."""
    worker = factories.make_worker(
        name="Muhammad Rizal Ramadhan",
        birth_date=BORN,
        sex="L",
        kpj="12345678901",
        phone="081355501234",
        address="Jl. Cendrawasih No. 12",
        occupation="Teknisi Listrik",
    )
    factories.make_employment(worker, employer_b)
    return worker


@pytest.fixture
def portal(client, employer_a_user):
    client.force_login(employer_a_user)
    return client


def add_form(person: Worker, **overrides) -> dict:
    data = {
        "nik": person.nik,
        "name": "Muhammad Rizal Ramadhan",
        "birth_date": BORN.isoformat(),
        "sex": "L",
        "kpj": "",
        "phone": "",
        "address": "Jl. Lain 1",
        "kelurahan": Kelurahan.objects.order_by("code").first().pk,
        "occupation": "Kasir",
        "start_date": "2025-07-01",
        "monthly_wage": "3900000",
    }
    data.update(overrides)
    return data


def snapshot(person: Worker) -> dict:
    return {
        "worker": list(Worker.objects.filter(pk=person.pk).values()),
        "employments": Employment.objects.count(),
    }


def attempts():
    from enrollment.models import IdentityProofAttempt

    return IdentityProofAttempt.objects.order_by("pk")


# --- the portal's add form ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "proof",
    [
        {"kpj": "12345678901"},
        {"phone": "+62 813-5550-1234"},
        {"name": "muh. rizal  RAMADHAN, S.T.", "phone": "81355501234"},
        {"name": "Muhammad Rizal Ramadan", "kpj": "12345678901"},  # one letter off
        {"kpj": "12345678901", "phone": "0811111111"},  # the phone on record may be outdated
    ],
)
def test_the_right_details_link_the_person(portal, employer_a, person, proof):
    response = portal.post(reverse("portal:worker_add"), add_form(person, **proof))
    assert response.status_code == 302
    assert response.url == reverse("portal:worker", kwargs={"pk": person.pk})
    assert person.employments.filter(employer=employer_a, end_date__isnull=True).exists()
    assert Worker.objects.filter(nik=person.nik).count() == 1


@pytest.mark.parametrize(
    "details",
    [
        {"name": "Budi Santoso", "kpj": "12345678901"},  # any name, the birth date the NIK encodes
        {"name": "Ahmad Rizal Ramadhan", "kpj": "12345678901"},  # another given name
        {"kpj": "12345678900"},  # a wrong KPJ
        {
            "kpj": "12345678900",
            "phone": "081355501234",
        },  # a wrong KPJ is not outweighed by the phone
        {"phone": "081355501299"},  # a wrong phone
        {},  # no KPJ, no phone
        {"kpj": "12345678901", "birth_date": "1988-07-22"},
        {"kpj": "12345678901", "sex": "P"},
    ],
)
def test_wrong_or_missing_details_are_refused_with_nothing_written_or_revealed(
    portal, employer_a, person, details
):
    before = snapshot(person)
    form = add_form(person, **details)
    response = portal.post(reverse("portal:worker_add"), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSAL in html
    assert "Disnaker" in html
    typed = " ".join(map(str, form.values()))
    for secret in ("Muhammad Rizal Ramadhan", "081355501234", "Cendrawasih", "Teknisi Listrik"):
        assert secret in typed or secret not in html
    assert "12345678901" in typed or "12345678901" not in html
    assert reverse("portal:worker", kwargs={"pk": person.pk}) not in html
    assert snapshot(person) == before
    assert not Employment.objects.filter(employer=employer_a).exists()


def test_the_refusal_does_not_say_which_detail_was_wrong(portal, person):
    wrong_name = portal.post(
        reverse("portal:worker_add"), add_form(person, name="Budi", kpj="12345678901")
    )
    wrong_kpj = portal.post(reverse("portal:worker_add"), add_form(person, kpj="99999999999"))
    assert _errors(wrong_name) == _errors(wrong_kpj)


def _errors(response) -> list[str]:
    return [str(message) for message in response.context["form"].non_field_errors()]


def test_a_person_with_neither_kpj_nor_phone_on_record_is_linked_by_disnaker_only(
    portal, employer_a, employer_b
):
    worker = factories.make_worker(name="Siti Aminah", birth_date=BORN, sex="P")
    factories.make_employment(worker, employer_b)
    response = portal.post(
        reverse("portal:worker_add"),
        add_form(worker, name="Siti Aminah", sex="P", phone="081100001111"),
    )
    assert REFUSAL in response.content.decode()
    assert not Employment.objects.filter(employer=employer_a).exists()


def test_every_attempt_is_recorded_and_a_match_with_its_employment(
    portal, employer_a, employer_a_user, person
):
    portal.post(reverse("portal:worker_add"), add_form(person, name="Budi", kpj="123"))
    refused = attempts().get()
    assert (refused.outcome, refused.user, refused.employer, refused.nik, refused.worker) == (
        "REFUSED",
        employer_a_user,
        employer_a,
        person.nik,
        person,
    )
    assert (refused.channel, refused.name_matched, refused.kpj_matched) == ("PORTAL", False, False)
    assert (refused.birth_date_matched, refused.sex_matched, refused.phone_matched) == (
        True,
        True,
        None,
    )
    assert (refused.offered_name, refused.offered_kpj) == ("Budi", "123")
    assert (refused.start_date, refused.monthly_wage) == (date(2025, 7, 1), 3_900_000)
    assert refused.resolution == ""

    portal.post(reverse("portal:worker_add"), add_form(person, kpj="12345678901"))
    refused, matched = attempts()
    assert matched.outcome == "MATCHED"
    assert matched.employment == Employment.objects.get(employer=employer_a)
    assert (matched.offered_name, matched.offered_kpj, matched.offered_phone) == ("", "", "")
    # The employer proved it after all: the refusal leaves Disnaker's list, and what was typed is erased.
    assert (refused.resolution, refused.offered_name, refused.offered_kpj) == ("LINKED", "", "")


def test_a_nik_new_to_the_city_is_added_without_an_attempt(portal, employer_a):
    response = portal.post(
        reverse("portal:worker_add"),
        add_form(Worker(nik=factories.make_nik(BORN, "L")), name="Orang Baru"),
    )
    assert response.status_code == 302
    assert not attempts().exists()


# --- the throttle ---------------------------------------------------------------------------------------------


@override_settings(IDENTITY_PROOF_FAILURES_PER_HOUR=3)
def test_after_the_limit_even_the_right_details_are_refused_unchecked(portal, employer_a, person):
    for _ in range(3):
        portal.post(reverse("portal:worker_add"), add_form(person, kpj="1"))
    response = portal.post(reverse("portal:worker_add"), add_form(person, kpj="12345678901"))
    html = response.content.decode()
    assert THROTTLED in html and "Disnaker" in html
    assert "Muhammad Rizal Ramadhan" not in html.replace(
        'value="Muhammad Rizal Ramadhan"', ""
    )  # only the user's own input
    assert not Employment.objects.filter(employer=employer_a).exists()
    assert [a.outcome for a in attempts()] == ["REFUSED"] * 3 + ["THROTTLED"]
    assert attempts().last().name_matched is None  # not checked


@override_settings(IDENTITY_PROOF_FAILURES_PER_HOUR=2)
def test_the_limit_counts_per_employer_across_its_users(
    client, employer_a, employer_a_user, person
):
    other = factories.make_worker(name="Lain", birth_date=BORN)
    from django.contrib.auth.models import Group, User

    colleague = User.objects.create_user(username="employer_fajar", password="x-long-password-1")
    colleague.groups.add(Group.objects.get(name="employer"))
    factories.link_employer_user(colleague, employer_a)
    client.force_login(employer_a_user)
    for _ in range(2):
        client.post(reverse("portal:worker_add"), add_form(other, kpj="1"))
    client.force_login(colleague)
    response = client.post(reverse("portal:worker_add"), add_form(person, kpj="12345678901"))
    assert THROTTLED in response.content.decode()


@override_settings(IDENTITY_PROOF_FAILURES_PER_HOUR=2)
def test_the_limit_lifts_an_hour_after_the_failures(portal, employer_a, person):
    from datetime import timedelta

    for _ in range(2):
        portal.post(reverse("portal:worker_add"), add_form(person, kpj="1"))
    attempts().update(created_at=attempts().first().created_at - timedelta(minutes=61))
    response = portal.post(reverse("portal:worker_add"), add_form(person, kpj="12345678901"))
    assert response.status_code == 302


# --- the roster upload ----------------------------------------------------------------------------------------


def _row(person, **values):
    values.setdefault("born", BORN.isoformat())
    return row(person.nik, **values)


def test_an_uploaded_row_with_wrong_details_is_a_row_error_and_writes_nothing(
    employer_a, employer_a_user, person
):
    before = snapshot(person)
    batch = import_(
        csv_file([_row(person, name="Budi Santoso", kpj="12345678901", phone="")]),
        employer_a,
        user=employer_a_user,
    )
    assert codes(batch, "error") == [(2, "identity_not_proven")]
    assert batch.status == ImportBatch.Status.VALIDATED
    assert snapshot(person) == before
    assert [(a.outcome, a.channel, a.import_batch_id, a.row_number) for a in attempts()] == [
        ("REFUSED", Channel.IMPORT, batch.pk, 2)
    ]


def test_an_uploaded_row_with_the_right_details_links_the_person(
    employer_a, employer_a_user, person
):
    batch = import_(
        csv_file([_row(person, name="H. Muh. Rizal Ramadhan", phone="+62 813 5550 1234")]),
        employer_a,
        user=employer_a_user,
    )
    assert batch.status == ImportBatch.Status.IMPORTED
    employment = person.employments.get(employer=employer_a)
    person.refresh_from_db()
    assert (person.name, person.address) == ("Muhammad Rizal Ramadhan", "Jl. Cendrawasih No. 12")
    (attempt,) = attempts()
    assert (attempt.outcome, attempt.employment, attempt.import_batch_id) == (
        "MATCHED",
        employment,
        batch.pk,
    )


def test_only_the_valid_rows_leaves_the_refused_one_out_and_records_it_once(
    employer_a, employer_a_user, person
):
    batch = import_(
        csv_file([_row(person, name="Budi", phone="081100001111"), row(name="Orang Baru")]),
        employer_a,
        user=employer_a_user,
        only_valid_rows=True,
    )
    assert batch.status == ImportBatch.Status.IMPORTED
    assert not person.employments.filter(employer=employer_a).exists()
    assert Employment.objects.filter(employer=employer_a).count() == 1
    assert [a.outcome for a in attempts()] == ["REFUSED"]


@override_settings(IDENTITY_PROOF_FAILURES_PER_HOUR=1)
def test_an_upload_beyond_the_limit_is_refused_unchecked_row_by_row(
    employer_a, employer_a_user, person
):
    other = factories.make_worker(name="Lain Orang", birth_date=BORN, kpj="555")
    batch = check(
        csv_file([_row(other, name="Salah"), _row(person, kpj="12345678901")]),
        employer_a,
        user=employer_a_user,
    )
    assert codes(batch, "error") == [(2, "identity_not_proven"), (3, "identity_throttled")]
    assert [a.outcome for a in attempts()] == ["REFUSED", "THROTTLED"]


def test_disnakers_roster_upload_links_directly(employer_a, administrator, person):
    batch = import_(csv_file([_row(person, name="Nama Lain")]), employer_a, user=administrator)
    assert batch.status == ImportBatch.Status.IMPORTED
    assert person.employments.filter(employer=employer_a).exists()
    assert not attempts().exists()


def test_an_upload_through_the_portal_checks_identity(client, employer_a_user, employer_a, person):
    client.force_login(employer_a_user)
    client.post(
        reverse("portal:imports"),
        {"file": csv_file([_row(person, name="Budi")]), "reason": "CONTRACT_ENDED"},
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}), {"only_valid_rows": "1"})
    assert not person.employments.filter(employer=employer_a).exists()
    page = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk}), {"show": "error"})
    html = page.content.decode()
    assert REFUSAL in html
    assert "Muhammad Rizal Ramadhan" not in html and "081355501234" not in html


# --- the service ------------------------------------------------------------------------------------------------


def test_the_service_refuses_an_employer_user_and_lets_disnaker_link(
    employer_a, employer_a_user, operator, person
):
    from enrollment.identity import IdentityNotProven

    fields = {"name": "Nama Asal", "birth_date": BORN, "sex": "L"}
    with pytest.raises(IdentityNotProven):
        services.register_worker(
            acting_user=employer_a_user,
            channel=Channel.PORTAL,
            nik=person.nik,
            employer=employer_a,
            start_date=date(2025, 7, 1),
            monthly_wage=3_900_000,
            **fields,
        )
    assert not person.employments.filter(employer=employer_a).exists()
    assert attempts().get().outcome == "REFUSED"  # kept although the service raised
    worker, created = services.register_worker(
        acting_user=operator,
        channel=Channel.ADMIN,
        nik=person.nik,
        employer=employer_a,
        start_date=date(2025, 7, 1),
        monthly_wage=3_900_000,
        **fields,
    )
    assert (worker, created) == (person, False)
    assert person.employments.filter(employer=employer_a).exists()


def test_a_person_already_on_the_roster_needs_no_proof_and_is_not_added_twice(
    portal, employer_a, person
):
    factories.make_employment(person, employer_a)
    response = portal.post(reverse("portal:worker_add"), add_form(person, name="Siapa Saja"))
    assert "sudah ada dalam daftar pekerja" in response.content.decode()
    assert not attempts().exists()


# --- Disnaker's work list ----------------------------------------------------------------------------------


@pytest.fixture
def refused(portal, person):
    portal.post(
        reverse("portal:worker_add"), add_form(person, name="Rizal R.", phone="0811 1234 567")
    )
    return attempts().get()


def test_the_work_list_shows_open_refusals_only(client, operator, refused, portal, person):
    factories.make_worker(name="Lain", birth_date=BORN)
    client.force_login(operator)
    response = client.get(reverse("admin:enrollment_identityproofattempt_changelist"))
    assert response.status_code == 200
    assert "Pemeriksaan identitas yang perlu diselesaikan" in response.content.decode()
    assert list(response.context["cl"].result_list) == [refused]


def test_a_clerk_sees_the_attempt_beside_the_record(client, operator, refused):
    client.force_login(operator)
    url = reverse("admin:enrollment_identityproofattempt_change", args=[refused.pk])
    html = client.get(url).content.decode()
    for shown in ("Rizal R.", "Muhammad Rizal Ramadhan", "08111234567", "081355501234"):
        assert shown in html
    assert "CV Losari Jaya" in html  # the person's employer now, to call
    assert reverse("admin:enrollment_identityproofattempt_link", args=[refused.pk]) in html


def test_a_clerk_links_the_person_with_the_start_and_wage_the_employer_gave(
    client, operator, refused, employer_a, person
):
    client.force_login(operator)
    url = reverse("admin:enrollment_identityproofattempt_link", args=[refused.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"note": "Dikonfirmasi lewat telepon dengan pekerja."})
    assert response.status_code == 302
    employment = person.employments.get(employer=employer_a)
    assert (employment.start_date, employment.monthly_wage) == (date(2025, 7, 1), 3_900_000)
    assert employment.history.get().history_channel == Channel.ADMIN
    refused.refresh_from_db()
    assert (refused.resolution, refused.resolved_by, refused.employment) == (
        "LINKED",
        operator,
        employment,
    )
    assert refused.resolution_note == "Dikonfirmasi lewat telepon dengan pekerja."
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get(object_id=str(refused.pk)).user == operator
    assert (refused.offered_name, refused.offered_phone) == ("", "")
    assert client.post(url).status_code == 302  # a second click changes nothing
    assert person.employments.filter(employer=employer_a).count() == 1


def test_a_clerk_dismisses_with_a_reason_only(client, administrator, refused, employer_a):
    client.force_login(administrator)
    url = reverse("admin:enrollment_identityproofattempt_dismiss", args=[refused.pk])
    client.post(url, {"note": "  "})
    refused.refresh_from_db()
    assert refused.resolution == ""
    client.post(url, {"note": "Pemberi kerja tidak dapat menunjukkan kontrak kerja."})
    refused.refresh_from_db()
    assert (refused.resolution, refused.resolved_by) == ("DISMISSED", administrator)
    assert not Employment.objects.filter(employer=employer_a).exists()


def test_only_disnaker_resolves(client, manager, employer_a_user, refused):
    url = reverse("admin:enrollment_identityproofattempt_link", args=[refused.pk])
    for user in (manager, employer_a_user):
        client.force_login(user)
        client.post(url)
    refused.refresh_from_db()
    assert refused.resolution == ""
