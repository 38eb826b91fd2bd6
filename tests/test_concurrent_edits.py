"""Two people edit the same record: the one who saves a form opened before the other's save is refused, told what
changed (which field, from what to what, by whom, when), and the first change survives (decision 45).

Each person opens the page (GET) and posts back what the page showed with their own change, as a browser does.
"""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from berjasa.roles import Role
from enrollment.admin.actions import seen_version_name
from enrollment.models import Claim, Employment, Membership
from enrollment.visibility import NOT_SHOWN
from tests import factories
from tests.test_imports import csv_file, import_, row

pytestmark = pytest.mark.usefixtures("reference_data")

STALE = "diubah oleh orang lain setelah Anda membuka formulir ini, sehingga perubahan Anda tidak disimpan"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def second_user_of(employer, username: str) -> User:
    user = User.objects.create_user(username=username, password="rahasia-yang-panjang-2")
    user.groups.add(Group.objects.get(name=Role.EMPLOYER.value))
    factories.link_employer_user(user, employer)
    return user


def as_shown(form) -> dict:
    """What a browser posts back for a form it was shown, untouched."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = value.isoformat() if isinstance(value, date) else str(value)
    return data


def opened(client: Client, url: str) -> dict:
    """The page's forms as shown, merged into one POST (the portal's edit page shows two)."""
    response = client.get(url)
    assert response.status_code == 200
    forms = response.context.get("forms") or [
        response.context["adminform"].form,
        *(inline.formset.management_form for inline in response.context["inline_admin_formsets"]),
    ]
    data = {}
    for form in forms:
        data |= as_shown(form)
    return data


def errors_of(response) -> str:
    assert response.status_code == 200, "the save was accepted"
    return response.content.decode()


def second_save_after_first(
    url: str, first: tuple[Client, dict], second: tuple[Client, dict]
) -> str:
    """Both open the page; the first saves with its change; then the second saves the page it opened with its
    own change: the page the second gets back."""
    (first_client, first_change), (second_client, second_change) = first, second
    firsts_form, seconds_form = opened(first_client, url), opened(second_client, url)
    assert first_client.post(url, {**firsts_form, **first_change}).status_code == 302
    return errors_of(second_client.post(url, {**seconds_form, **second_change}))


# --- The portal ------------------------------------------------------------------------------------------


@pytest.fixture
def kept(employer_a):
    """A worker employer A alone employs, whose record it keeps."""
    worker = factories.make_worker(name="Andi Pratama", phone="081111111111", keeper=employer_a)
    factories.make_employment(worker, employer_a)
    return worker


def test_in_the_portal_a_stale_edit_is_refused_and_the_first_change_survives(
    employer_a, employer_a_user, kept
):
    dewi, fajar = signed_in(employer_a_user), signed_in(second_user_of(employer_a, "fajar"))
    url = reverse("portal:worker_edit", kwargs={"pk": kept.pk})
    page = second_save_after_first(
        url, (dewi, {"worker-phone": "082222222222"}), (fajar, {"worker-address": "Jl. Baru 9"})
    )
    assert STALE in page
    assert "employer_dewi: pekerja diubah" in page  # who changed it
    assert "telepon 081111111111 → 082222222222" in page  # what, from what to what
    assert f'href="{url}">Buka formulir dengan data terkini' in page
    kept.refresh_from_db()
    assert (kept.phone, kept.address) == (
        "082222222222",
        "",
    )  # Dewi's change stands, Fajar's is not applied
    assert kept.version == 2

    # Reloading the page shows the record as it is now; Fajar's change, made again, is saved.
    again = fajar.post(url, {**opened(fajar, url), "worker-address": "Jl. Baru 9"})
    assert again.status_code == 302
    kept.refresh_from_db()
    assert (kept.phone, kept.address) == ("082222222222", "Jl. Baru 9")


def test_a_stale_edit_of_the_job_is_refused_too(employer_a, employer_a_user, administrator, kept):
    dewi = signed_in(employer_a_user)
    url = reverse("portal:worker_edit", kwargs={"pk": kept.pk})
    form = opened(dewi, url)
    employment = kept.employments.get()
    admin_url = reverse("admin:enrollment_employment_change", args=[employment.pk])
    clerk = signed_in(administrator)
    assert (
        clerk.post(admin_url, {**opened(clerk, admin_url), "monthly_wage": "4500000"}).status_code
        == 302
    )

    page = errors_of(dewi.post(url, {**form, "worker-occupation": "Kasir"}))
    assert STALE in page
    assert "Rp3.900.000 → Rp4.500.000" in page
    kept.refresh_from_db()
    assert kept.occupation == "Pedagang"  # nothing of the refused form was written
    assert kept.employments.get().monthly_wage == 4_500_000


def test_an_import_between_opening_and_saving_makes_the_form_stale(
    employer_a, employer_a_user, kept
):
    dewi = signed_in(employer_a_user)
    url = reverse("portal:worker_edit", kwargs={"pk": kept.pk})
    form = opened(dewi, url)
    roster = [  # the record as it is, but for the phone number
        row(
            kept.nik,
            name=kept.name,
            phone="083333333333",
            address="",
            occupation=kept.occupation,
            kelurahan=kept.kelurahan.code,
            start="2024-01-01",
            wage="3900000",
        )
    ]
    batch = import_(csv_file(roster), employer_a, user=employer_a_user)
    assert batch.count_updated == 1
    kept.refresh_from_db()
    assert (kept.phone, kept.version) == ("083333333333", 2)  # the bulk UPDATE counted the write

    page = errors_of(dewi.post(url, {**form, "worker-occupation": "Kasir"}))
    assert STALE in page
    assert "telepon 081111111111 → 083333333333" in page
    kept.refresh_from_db()
    assert (kept.phone, kept.occupation) == ("083333333333", "Pedagang")


def test_a_stale_edit_of_a_shared_person_shows_no_contact_field_to_an_employer_that_does_not_keep_them(
    employer_a, employer_b, employer_b_user, administrator, kept
):
    factories.make_employment(kept, employer_b)  # B employs the person too; A keeps the record
    eko, clerk = signed_in(employer_b_user), signed_in(administrator)
    url = reverse("portal:worker_edit", kwargs={"pk": kept.pk})
    ekos_form = opened(eko, url)
    assert "081111111111" not in str(ekos_form)
    admin_url = reverse("admin:enrollment_worker_change", args=[kept.pk])
    disnakers_change = {"phone": "084444444444", "name": "Andi Pratama Daeng"}
    assert (
        clerk.post(admin_url, {**opened(clerk, admin_url), **disnakers_change}).status_code == 302
    )

    page = errors_of(eko.post(url, {**ekos_form, "worker-kpj": "12345678901"}))
    assert STALE in page
    assert "nama Andi Pratama → Andi Pratama Daeng" in page  # identity: every employer reads it
    assert f"telepon {NOT_SHOWN} → {NOT_SHOWN}" in page  # contact: named, its values not shown
    assert "084444444444" not in page and "081111111111" not in page
    assert not kept.change_requests.exists()  # nor was a change request made from the stale form


# --- The admin -------------------------------------------------------------------------------------------


@pytest.fixture
def clerks(administrator, operator) -> tuple[Client, Client]:
    return signed_in(administrator), signed_in(operator)


def test_in_the_admin_a_stale_worker_form_is_refused_and_the_first_change_survives(clerks):
    ani, budi = clerks
    worker = factories.make_worker(phone="081111111111")
    url = reverse("admin:enrollment_worker_change", args=[worker.pk])
    page = second_save_after_first(
        url, (ani, {"phone": "082222222222"}), (budi, {"occupation": "Nelayan"})
    )

    assert STALE in page
    assert "admin_ani: pekerja diubah" in page
    assert "telepon 081111111111 → 082222222222" in page
    worker.refresh_from_db()
    assert (worker.phone, worker.occupation) == ("082222222222", "Pedagang")


def test_in_the_admin_a_stale_employment_form_is_refused(clerks):
    ani, budi = clerks
    employment = factories.make_employment(factories.make_worker(), factories.make_employer())
    url = reverse("admin:enrollment_employment_change", args=[employment.pk])
    page = second_save_after_first(
        url, (ani, {"monthly_wage": "4500000"}), (budi, {"start_date": "2024-02-01"})
    )

    assert STALE in page
    assert "Rp3.900.000 → Rp4.500.000" in page
    employment.refresh_from_db()
    assert (employment.start_date, employment.monthly_wage) == (date(2024, 1, 1), 4_500_000)


def listed_versions(client: Client, model) -> dict:
    """The changelist as shown: each listed row's version, carried by its action checkbox."""
    opts = model._meta
    page = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    ).content.decode()
    return dict(re.findall(r'name="(seen_version_\d+)" value="(\d+)"', page))


def act(client: Client, model, action: str, obj, shown: dict, **answers):
    opts = model._meta
    data = {"action": action, "_selected_action": [obj.pk], **shown}
    if answers:
        data |= {"apply": "1", **answers}
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), data, follow=True
    )


def test_in_the_admin_ending_a_membership_from_a_stale_list_is_refused(clerks):
    ani, budi = clerks
    membership = factories.make_membership(factories.make_worker())
    anis_list, budis_list = listed_versions(ani, Membership), listed_versions(budi, Membership)
    assert budis_list[seen_version_name(membership)] == "1"

    act(ani, Membership, "end_memberships", membership, anis_list, end_date="2025-06-30")
    page = act(budi, Membership, "end_memberships", membership, budis_list, end_date="2025-12-31")

    assert STALE in page.content.decode()
    assert "tanggal berakhir — → 30/06/2025" in page.content.decode()  # Ani's end date, named
    membership.refresh_from_db()
    assert membership.end_date == date(2025, 6, 30)


def test_in_the_admin_moving_a_claim_from_a_stale_list_is_refused(clerks):
    ani, budi = clerks
    claim = factories.make_claim(factories.make_worker())
    anis_list, budis_list = listed_versions(ani, Claim), listed_versions(budi, Claim)

    act(ani, Claim, "mark_verified", claim, anis_list)
    page = act(budi, Claim, "mark_rejected", claim, budis_list).content.decode()

    assert STALE in page
    assert "status Diajukan → Terverifikasi" in page
    claim.refresh_from_db()
    assert (
        claim.status == Claim.Status.VERIFIED
    )  # Budi rejected a claim he saw submitted: not applied


def test_an_action_on_a_fresh_list_still_works(clerks):
    ani, _budi = clerks
    employment = factories.make_employment(factories.make_worker(), factories.make_employer())
    shown = listed_versions(ani, Employment)
    act(
        ani,
        Employment,
        "terminate_employments",
        employment,
        shown,
        end_date="2025-06-30",
        reason="RESIGNED",
    )
    employment.refresh_from_db()
    assert (employment.end_date, employment.version) == (date(2025, 6, 30), 2)
