"""Phone numbers in their one stored form (enrollment.phones, decision 35), on every path that writes one.

The stored form is the national number, digits only: ``0`` followed by the number after +62. Indonesian mobile
numbers start 08 and have 10 to 13 digits; landlines start with the area code (Makassar 0411, Jakarta 021).
"""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from enrollment import services
from enrollment.models import PersonalDataChangeRequest, Worker
from enrollment.phones import normalize_phone
from tests import factories
from tests.test_admin import worker_form_data
from tests.test_admin_imports import admin_import
from tests.test_imports import csv_file, import_, row, xlsx_file
from tests.test_portal_journeys import new_worker_form

pytestmark = pytest.mark.django_db

STORED = [
    # (as typed, stored form, the form it is in)
    ("081234567890", "081234567890", "the stored form itself"),
    ("+62 812-3456-7890", "081234567890", "international, with dashes"),
    ("+6281234567890", "081234567890", "international, no spaces"),
    ("62 812 3456 7890", "081234567890", "country code without +"),
    ("0062 812 3456 7890", "081234567890", "00 as the international prefix"),
    ("+62 (0)812 3456 7890", "081234567890", "the trunk 0 in brackets"),
    ("0812.3456.7890", "081234567890", "dots"),
    ("(0812) 3456 7890", "081234567890", "brackets"),
    ("0812 3456 7890", "081234567890", "spaces"),
    ("81234567890", "081234567890", "a spreadsheet number cell: the 0 lost"),
    (81234567890, "081234567890", "an XLSX number cell (int)"),
    (81234567890.0, "081234567890", "an XLSX number cell (float)"),
    ("'081234567890", "081234567890", "a spreadsheet's apostrophe"),
    ("\u2019+62 812 3456 7890", "081234567890", "a typographic apostrophe"),
    ("\uff10\uff18\uff11\uff12 3456 7890", "081234567890", "fullwidth digits"),
    ("0812345678", "0812345678", "an old 10-digit mobile number"),
    ("0812 3456 78901", "0812345678901", "a 13-digit mobile number"),
    ("(0411) 872345", "0411872345", "a Makassar landline"),
    ("+62 411 872345", "0411872345", "a Makassar landline, international"),
    ("411872345", "0411872345", "a Makassar landline, the 0 lost"),
    ("021 1234 5678", "02112345678", "a Jakarta landline"),
    ("", "", "blank"),
    ("  ", "", "spaces only"),
    (None, "", "nothing"),
]

REFUSED = [
    # (as typed, rule, why)
    ("0812", "phone_length", "too short for anyone's number"),
    ("0812 3456 7", "phone_length", "a mobile number with 9 digits"),
    ("0812 3456 789012", "phone_length", "a mobile number with 14 digits"),
    ("0411 1234", "phone_length", "a landline with 8 digits"),
    ("0411 1234 56789", "phone_length", "a landline with 12 digits"),
    ("1234567890", "phone_length", "no Indonesian number starts with 1"),
    ("0812 3456 789O", "phone_characters", "the letter O"),
    ("0812-3456-7890 ext 12", "phone_characters", "an extension"),
    ("tidak ada", "phone_characters", "words"),
    ("0812#3456", "phone_characters", "a sign"),
    ("+65 9123 4567", "phone_foreign", "Singapore"),
    ("+1 415 555 0100", "phone_foreign", "the United States"),
    ("0065 9123 4567", "phone_foreign", "00 and a foreign country code"),
]


@pytest.mark.parametrize(("raw", "stored", "form"), STORED, ids=[case[2] for case in STORED])
def test_every_indonesian_form_is_stored_one_way(raw, stored, form):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(("raw", "rule", "why"), REFUSED, ids=[case[2] for case in REFUSED])
def test_what_is_no_indonesian_phone_number_is_refused_with_its_rule(raw, rule, why):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    assert caught.value.code == rule


def test_the_refusals_speak_to_a_clerk_in_indonesian():
    messages = {}
    for raw in ("0812", "0812 3456 789O", "+65 9123 4567"):
        with translation.override("id"), pytest.raises(ValidationError) as caught:
            normalize_phone(raw)
        messages[raw] = caught.value.messages[0]
    assert messages == {
        "0812": "“0812” bukan nomor telepon Indonesia: nomor HP terdiri dari 10 sampai 13 digit dan diawali 08 "
        "(atau +62 8), nomor telepon rumah diawali kode wilayahnya, misalnya 0411.",
        "0812 3456 789O": "Nomor telepon hanya boleh berisi angka, spasi, titik, tanda hubung, tanda kurung, dan "
        "tanda + di depan; “0812 3456 789O” mengandung karakter lain.",
        "+65 9123 4567": "“+65 9123 4567” adalah nomor telepon luar negeri; hanya nomor Indonesia (diawali 08, +62 "
        "atau 62) yang dapat dicatat.",
    }


# --- the paths that write a phone ------------------------------------------------------------------------------


@pytest.fixture
def portal(client, employer_a_user):
    client.force_login(employer_a_user)
    return client


def test_the_portal_add_form_stores_the_stored_form(portal, reference_data):
    response = portal.post(reverse("portal:worker_add"), new_worker_form(phone="+62 812-3456-7890"))
    assert response.status_code == 302
    assert Worker.objects.get().phone == "081234567890"


def test_the_portal_add_form_refuses_a_foreign_number_on_the_phone_field(portal, reference_data):
    response = portal.post(reverse("portal:worker_add"), new_worker_form(phone="+65 9123 4567"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]
    assert not Worker.objects.exists()


def test_the_portal_edit_of_the_same_number_in_another_form_changes_nothing(portal, employer_a):
    worker = factories.make_worker(phone="081234567890")
    factories.make_employment(worker, employer_a)
    history_rows = worker.history.count()
    services.change_personal_data(
        worker, acting_user=None, channel="PORTAL", employer=employer_a, phone="+62 812 3456 7890"
    )
    assert worker.history.count() == history_rows


def test_a_shared_persons_number_in_another_form_asks_for_no_change(employer_a, employer_b):
    worker = factories.make_worker(phone="081234567890")
    factories.make_employment(worker, employer_a)
    factories.make_employment(worker, employer_b)
    result = services.change_personal_data(
        worker, acting_user=None, channel="PORTAL", employer=employer_a, phone="(0812) 3456 7890"
    )
    assert result is None
    assert not PersonalDataChangeRequest.objects.exists()


def test_a_shared_persons_new_number_is_requested_in_the_stored_form(employer_a, employer_b):
    worker = factories.make_worker(phone="081234567890")
    factories.make_employment(worker, employer_a)
    factories.make_employment(worker, employer_b)
    request = services.change_personal_data(
        worker, acting_user=None, channel="PORTAL", employer=employer_a, phone="+62 813 1111 2222"
    )
    assert request.changes == {"phone": ["081234567890", "081311112222"]}


def test_the_admin_form_stores_the_stored_form_and_refuses_letters(
    client, operator, reference_data
):
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_worker_add"), worker_form_data(phone="62 812 3456 7890")
    )
    assert response.status_code == 302
    assert Worker.objects.get().phone == "081234567890"
    refused = client.post(
        reverse("admin:enrollment_worker_add"),
        worker_form_data(nik="7371051203900043", phone="0812 3456 789O"),
    )
    assert list(refused.context["adminform"].form.errors) == ["phone"]


def test_the_services_store_the_stored_form(administrator):
    worker = factories.make_worker()
    services.update_worker(worker, acting_user=administrator, channel="COMMAND", phone="8123456790")
    worker.refresh_from_db()
    assert worker.phone == "08123456790"
    with pytest.raises(ValidationError) as caught:
        services.update_worker(
            worker, acting_user=administrator, channel="COMMAND", phone="+65 9123 4567"
        )
    assert list(caught.value.message_dict) == ["phone"]


def test_the_admin_import_of_the_same_number_in_another_form_is_unchanged(
    client, operator, reference_data
):
    worker = factories.make_worker(phone="081234567890", birth_date=date(1990, 3, 12), name="Andi")
    client.force_login(operator)
    content = (
        "nik,name,birth_date,sex,phone,kelurahan,has_disability\n"
        f"{worker.nik},Andi,12/03/1990,L,+62 812-3456-7890,73.71.01.1001,0\n"
    ).encode()
    admin_import(client, Worker, content)
    worker.refresh_from_db()
    assert worker.phone == "081234567890"
    assert worker.history.count() == 1  # the creation only


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_roster_import_stores_new_workers_numbers_in_the_stored_form(employer_a, make_file):
    batch = import_(make_file([row(phone="+62 812-3456-7890")]), employer_a)
    assert (batch.count_new, batch.count_errors) == (1, 0)
    assert Worker.objects.get().phone == "081234567890"


@pytest.mark.parametrize(
    "phone",
    ["+62 812-3456-7890", "62 812 3456 7890", "0812.3456.7890", "(0812) 3456 7890", "81234567890"],
)
def test_a_roster_import_of_the_same_number_in_another_form_is_unchanged(employer_a, phone):
    worker = factories.make_worker(
        phone="081234567890", name="Citra Dewi", address="Jl. Somba Opu 1"
    )
    factories.make_employment(
        worker, employer_a, start_date=date(2025, 1, 1), monthly_wage=4_000_000
    )
    Worker.objects.filter(pk=worker.pk).update(keeper=employer_a, occupation="Kasir")
    batch = import_(csv_file([row(worker.nik, phone=phone, kelurahan="")]), employer_a)
    assert (batch.count_updated, batch.count_unchanged, batch.count_errors) == (0, 1, 0)


def test_a_roster_import_refuses_a_number_that_is_none_on_its_cell(employer_a):
    batch = import_(csv_file([row(phone="0812"), row(phone="+65 9123 4567")]), employer_a)
    assert (batch.count_new, batch.count_errors) == (0, 2)


# --- the migration of the numbers already stored -----------------------------------------------------------------


def test_the_migration_writes_stored_numbers_in_the_stored_form_and_leaves_what_it_cannot_read(
    capsys,
):
    as_typed = {
        "081234567890": "081234567890",
        "+62 812-3456-7891": "081234567891",
        "8123456792": "08123456792",
        "(0411) 872345": "0411872345",
        "": "",
        "tidak ada": "tidak ada",  # left, and counted
    }
    workers = {}
    for typed in as_typed:
        worker = factories.make_worker()
        Worker.objects.filter(pk=worker.pk).update(phone=typed)  # as an older version stored it
        workers[typed] = worker.pk
    migration = importlib.import_module("enrollment.migrations.0014_normalise_phones")
    migration.normalise_phones(
        apps, SimpleNamespace(connection=connection)
    )  # what it uses of the editor
    stored = dict(Worker.objects.values_list("pk", "phone"))
    assert {typed: stored[pk] for typed, pk in workers.items()} == as_typed
    assert "3 written in the stored form; 1 left as they were" in capsys.readouterr().out


def test_an_xlsx_number_cell_that_lost_the_zero_is_the_recorded_number(employer_a):
    worker = factories.make_worker(
        phone="081234567890", name="Citra Dewi", address="Jl. Somba Opu 1"
    )
    factories.make_employment(
        worker, employer_a, start_date=date(2025, 1, 1), monthly_wage=4_000_000
    )
    Worker.objects.filter(pk=worker.pk).update(keeper=employer_a, occupation="Kasir")
    batch = import_(xlsx_file([row(worker.nik, phone=81234567890, kelurahan="")]), employer_a)
    assert (batch.count_updated, batch.count_unchanged, batch.count_errors) == (0, 1, 0)
