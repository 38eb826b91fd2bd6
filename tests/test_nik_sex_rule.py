"""Issue 13: one rule, on every path, for a sex (or birth date) that disagrees with what the NIK encodes
(``enrollment.nik.judge_nik_facts``, decision 56): refused for employers' users and the portal; a warning staff
and the commands confirm, the confirmation kept on the worker (who, when, what)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import ImportBatch, PersonalDataChangeRequest, Worker
from enrollment.nik import NIK_MISMATCH
from tests import factories
from tests.test_admin import admin_url, worker_form_data
from tests.test_admin_imports import admin_import
from tests.test_import_commands_and_portal import run, write
from tests.test_imports import DTSEN_HEADER, codes, csv_file, dtsen_row, import_, row
from tests.test_portal_journeys import new_worker_form

pytestmark = pytest.mark.usefixtures("reference_data")
Status = ImportBatch.Status
# A woman's NIK (day 15 + 40) for a record that says male.
WOMANS_NIK = "7371055503920007"


def a_man_with_a_womans_nik() -> list:
    return row(WOMANS_NIK, born="1992-03-15", sex="L")


def confirmed_codes(nik: str = WOMANS_NIK) -> list[tuple[str, str]]:
    worker = Worker.objects.get(nik=nik)
    return [(entry["code"], entry["confirmed_by"]) for entry in worker.confirmed_warnings or ()]


# --- the portal: refused ----------------------------------------------------------------------------------------


def test_the_portal_form_refuses_it_and_offers_no_confirmation(client, employer_a_user):
    client.force_login(employer_a_user)
    url = reverse("portal:worker_add")
    assert "keep_as_entered" not in client.get(url).context["form"].fields
    response = client.post(url, new_worker_form(sex="L", keep_as_entered="on"))
    assert response.status_code == 200
    assert "NIK menunjukkan perempuan" in response.content.decode()
    assert not Worker.objects.filter(nik=WOMANS_NIK).exists()


def test_the_portal_refuses_a_sex_changed_to_disagree(client, employer_a_user, employer_a):
    worker = factories.make_worker(keeper=employer_a)
    factories.make_employment(worker, employer_a)
    client.force_login(employer_a_user)
    with pytest.raises(ValidationError) as refused:
        services.change_personal_data(
            worker,
            acting_user=employer_a_user,
            channel=Channel.PORTAL,
            employer=employer_a,
            sex="P",
        )
    assert refused.value.error_list[0].code == NIK_MISMATCH
    worker.refresh_from_db()
    assert worker.sex == "L"


def test_the_portal_roster_import_makes_it_an_error_of_the_row(employer_a, employer_a_user):
    batch = import_(
        csv_file([a_man_with_a_womans_nik(), row()]),
        employer_a,
        user=employer_a_user,
        only_valid_rows=True,
    )
    assert (batch.status, batch.count_new) == (Status.IMPORTED, 1)
    assert codes(batch) == [(2, NIK_MISMATCH)]
    assert not Worker.objects.filter(nik=WOMANS_NIK).exists()


def person_b_keeps_on_both_rosters(employer_a, employer_b) -> Worker:
    """A man B keeps (his record came from B), employed by A too."""
    worker = factories.make_worker(keeper=employer_b)
    factories.make_employment(worker, employer_b)
    factories.make_employment(worker, employer_a)
    return worker


def test_a_shared_persons_sex_changed_to_disagree_is_refused_not_requested(
    employer_a, employer_a_user, employer_b
):
    """A shared person's change waits for Disnaker, who could never approve one the NIK contradicts."""
    worker = person_b_keeps_on_both_rosters(employer_a, employer_b)
    with pytest.raises(ValidationError) as refused:
        services.change_personal_data(
            worker,
            acting_user=employer_a_user,
            channel=Channel.PORTAL,
            employer=employer_a,
            sex="P",
        )
    assert refused.value.error_list[0].code == NIK_MISMATCH
    assert not PersonalDataChangeRequest.objects.exists()


def test_a_roster_row_for_a_shared_person_with_a_disagreeing_sex_is_an_error_not_a_request(
    employer_a, employer_a_user, employer_b
):
    worker = person_b_keeps_on_both_rosters(employer_a, employer_b)
    line = row(worker.nik, born=worker.birth_date.isoformat(), sex="P")
    batch = import_(csv_file([line]), employer_a, user=employer_a_user, only_valid_rows=True)
    assert codes(batch) == [(2, NIK_MISMATCH)]
    assert not PersonalDataChangeRequest.objects.exists()


# --- staff and the commands: a warning confirmed and kept ---------------------------------------------------------


def test_the_admin_form_refuses_it_until_the_operator_confirms_and_keeps_the_confirmation(
    client, operator
):
    client.force_login(operator)
    url = admin_url(Worker, "add")
    data = worker_form_data(nik=WOMANS_NIK, birth_date="1992-03-15", sex="L")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "NIK menunjukkan perempuan" in response.content.decode()
    assert not Worker.objects.exists()
    response = client.post(url, {**data, "keep_as_entered": "on"})
    assert response.status_code == 302
    assert confirmed_codes() == [(NIK_MISMATCH, operator.username)]
    page = client.get(admin_url(Worker, "change", Worker.objects.get().pk)).content.decode()
    assert f"dikonfirmasi oleh {operator.username}" in page


def test_the_admins_worker_import_needs_the_confirmation_column(client, operator):
    client.force_login(operator)
    header = "nik,name,birth_date,sex,kelurahan,has_disability,confirm_warnings\n"
    line = f"{WOMANS_NIK},Andi,15/03/1992,L,73.71.01.1001,0,"
    refused = admin_import(client, Worker, f"{header}{line}\n".encode())
    assert not Worker.objects.exists()
    assert "NIK menunjukkan perempuan" in refused.content.decode()
    admin_import(client, Worker, f"{header}{line}{NIK_MISMATCH}\n".encode())
    assert confirmed_codes() == [(NIK_MISMATCH, operator.username)]


def test_the_admin_roster_upload_warns_and_the_import_keeps_the_confirmation(employer_a, operator):
    batch = import_(csv_file([a_man_with_a_womans_nik()]), employer_a, user=operator)
    assert batch.status == Status.IMPORTED
    assert codes(batch, "warning") == [(2, NIK_MISMATCH)]
    assert confirmed_codes() == [(NIK_MISMATCH, operator.username)]


def test_a_roster_row_changing_a_workers_sex_is_judged_too(employer_a, employer_a_user, operator):
    worker = factories.make_worker(nik=WOMANS_NIK, birth_date=date(1992, 3, 15), sex="P")
    factories.make_employment(worker, employer_a, start_date=date(2025, 1, 1))
    refused = import_(csv_file([a_man_with_a_womans_nik()]), employer_a, user=employer_a_user)
    assert codes(refused) == [(2, NIK_MISMATCH)]
    confirmed = import_(csv_file([a_man_with_a_womans_nik()]), employer_a, user=operator)
    assert (confirmed.status, confirmed.count_updated) == (Status.IMPORTED, 1)
    worker.refresh_from_db()
    assert worker.sex == "L"
    assert confirmed_codes() == [(NIK_MISMATCH, operator.username)]


def test_the_dtsen_list_warns_and_keeps_the_confirmation(administrator):
    line = dtsen_row(WOMANS_NIK)  # born 12-03-1990, male, on a woman's NIK of 15-03-1992
    batch = import_(
        csv_file([line], header=DTSEN_HEADER),
        None,
        source=ImportBatch.Source.DTSEN,
        user=administrator,
    )
    assert batch.status == Status.IMPORTED
    assert [code for _row, code in codes(batch, "warning")] == [NIK_MISMATCH, NIK_MISMATCH]
    assert [code for code, _by in confirmed_codes()] == [NIK_MISMATCH, NIK_MISMATCH]


def test_the_import_command_warns_and_keeps_the_confirmation(tmp_path, employer_a):
    path = write(tmp_path / "roster.csv", csv_file([a_man_with_a_womans_nik()]))
    assert run(path, source="roster", employer=employer_a.npp) == 0
    assert confirmed_codes() == [(NIK_MISMATCH, "")]


def test_the_services_refuse_it_without_a_staff_confirmation(operator, employer_a_user):
    details = {"nik": WOMANS_NIK, "name": "Andi", "birth_date": date(1992, 3, 15), "sex": "L"}
    for user, channel in ((operator, Channel.ADMIN), (employer_a_user, Channel.PORTAL)):
        with pytest.raises(ValidationError) as refused:
            services.register_worker(acting_user=user, channel=channel, **details)
        assert refused.value.error_list[0].code == NIK_MISMATCH
    with pytest.raises(ValidationError):  # an employer's confirmation counts for nothing
        services.register_worker(
            acting_user=employer_a_user,
            channel=Channel.PORTAL,
            confirm_nik_mismatch=True,
            **details,
        )
    services.register_worker(
        acting_user=operator, channel=Channel.ADMIN, confirm_nik_mismatch=True, **details
    )
    assert confirmed_codes() == [(NIK_MISMATCH, operator.username)]
