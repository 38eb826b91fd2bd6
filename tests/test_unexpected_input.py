"""Every unexpected input is a message, never a 500: NIKs in any script, with separators, letters, invisible or
control characters, or far too long, in every form, search box, filter and file; nothing written on a refusal.

The rule (``enrollment.nik``): a decimal digit of any script (Unicode category Nd) is that ASCII digit; spaces,
dots, dashes and invisible format characters are separators; anything else (superscripts, circled digits,
letters, NUL) is refused with the NIK's message.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from enrollment.models import Employment, ImportBatch, Worker
from enrollment.nik import normalize_nik
from tests import factories
from tests.test_admin_imports import admin_import
from tests.test_imports import DTSEN_HEADER, codes, csv_file, dtsen_row, import_, row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NIK = "7371055503920007"  # a woman born 15-03-1992
FULLWIDTH = "７３７１０５５５０３９２０００７"
ARABIC_INDIC = "٧٣٧١٠٥٥٥٠٣٩٢٠٠٠٧"
PERSIAN = "۷۳۷۱۰۵۵۵۰۳۹۲۰۰۰۷"
DEVANAGARI = "७३७१०५५५०३९२०००७"

ACCEPTED = {
    "ascii": NIK,
    "spaces": "7371 0555 0392 0007",
    "dots": "7371.0555.0392.0007",
    "dashes": "7371-0555-0392-0007",
    "no-break spaces": "7371\u00a00555\u00a00392\u00a00007",
    "zero-width spaces": "7371\u200b0555\u200b0392\u200b0007",
    "fullwidth": FULLWIDTH,
    "arabic-indic": ARABIC_INDIC,
    "persian": PERSIAN,
    "devanagari": DEVANAGARI,
    "mixed scripts": "7371０５５５0392٠٠٠7",
}
REFUSED = {
    "superscript one": "737¹055503920007",
    "superscripts": "⁷³⁷¹⁰⁵⁵⁵⁰³⁹²⁰⁰⁰⁷",
    "circled digit": "737①055503920007",
    "letter O": "7371O55503920007",
    "NUL": "7371055503920007\x00",
    "very long": "7" * 10_000,
    "only a zero-width space": "\u200b",
}


# --- the rule itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_nik_in_any_script_of_decimal_digits_is_the_ascii_nik(raw):
    assert normalize_nik(raw) == NIK


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_anything_else_is_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as refusal:
        normalize_nik(raw)
    assert refusal.value.messages and all(refusal.value.messages)


# --- forms ----------------------------------------------------------------------------------------------------


@pytest.fixture
def portal(client, employer_a_user):
    client.force_login(employer_a_user)
    return client


def portal_form(nik: str) -> dict:
    from tests.test_portal_journeys import new_worker_form

    return new_worker_form(nik=nik)


def admin_form(nik: str) -> dict:
    from tests.test_admin import worker_form_data

    return worker_form_data(nik=nik, name="Nur Ma'rifah", birth_date="1992-03-15", sex="P")


def refusal_shown(response) -> bool:
    admin_form = response.context.get("adminform")
    form = admin_form.form if admin_form else response.context["form"]
    return response.status_code == 200 and bool(form.errors)


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_the_portal_add_form_refuses_with_a_message_and_writes_nothing(portal, raw):
    response = portal.post(reverse("portal:worker_add"), portal_form(raw))
    assert refusal_shown(response)
    assert not Worker.objects.exists() and not Employment.objects.exists()


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_the_admin_worker_form_refuses_with_a_message_and_writes_nothing(client, operator, raw):
    client.force_login(operator)
    response = client.post(reverse("admin:enrollment_worker_add"), admin_form(raw))
    assert refusal_shown(response)
    assert not Worker.objects.exists()


@pytest.mark.parametrize("raw", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_portal_add_form_stores_the_ascii_nik(portal, raw):
    response = portal.post(reverse("portal:worker_add"), portal_form(raw))
    assert response.status_code == 302
    assert list(Worker.objects.values_list("nik", flat=True)) == [NIK]


@pytest.mark.parametrize("raw", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
def test_the_admin_worker_form_stores_the_ascii_nik(client, operator, raw):
    client.force_login(operator)
    response = client.post(reverse("admin:enrollment_worker_add"), admin_form(raw))
    assert response.status_code == 302
    assert list(Worker.objects.values_list("nik", flat=True)) == [NIK]


@pytest.mark.parametrize("raw", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
def test_a_nik_in_another_script_is_never_a_second_person(client, operator, raw, employer_a):
    factories.make_worker(nik=NIK, birth_date=date(1992, 3, 15), sex="P", name="Nur Ma'rifah")
    client.force_login(operator)
    response = client.post(reverse("admin:enrollment_worker_add"), admin_form(raw))
    assert response.status_code == 200  # the NIK is taken: a message on the form
    assert list(Worker.objects.values_list("nik", flat=True)) == [NIK]


# --- files ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_a_roster_upload_refuses_the_row_and_writes_nothing(portal, raw):
    response = portal.post(
        reverse("portal:imports"),
        {"file": csv_file([row(raw)]), "reason": "CONTRACT_ENDED"},
    )
    assert response.status_code in (200, 302)
    batch = ImportBatch.objects.get()
    # The row is refused, or (a NUL byte) the whole file, with its message.
    assert batch.count_errors == 1 or (batch.status == ImportBatch.Status.REFUSED and batch.message)
    assert batch.count_new == 0 and not Worker.objects.exists()


@pytest.mark.parametrize("raw", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
def test_a_roster_upload_reads_digits_of_another_script(portal, raw):
    portal.post(
        reverse("portal:imports"),
        {"file": csv_file([row(raw, born="1992-03-15", sex="P")]), "reason": "CONTRACT_ENDED"},
    )
    batch = ImportBatch.objects.get()
    assert (batch.count_errors, batch.count_new) == (0, 1)


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_the_admin_worker_import_refuses_the_row_and_writes_nothing(client, administrator, raw):
    client.force_login(administrator)
    content = f"nik,name,birth_date,sex,kelurahan\n{raw},Nur,1992-03-15,P,73.71.01.1001\n"
    response = admin_import(client, Worker, content.encode())
    assert response.status_code == 200
    assert not Worker.objects.exists()


# --- search boxes and filters ---------------------------------------------------------------------------------

ODD_QUERIES = [*ACCEPTED.values(), *REFUSED.values(), "'; DROP TABLE x; --", "%", "_", "\\"]
ADMIN_LISTS = ["employer", "worker", "employment", "membership", "claim", "importbatch"]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_the_portal_roster_search_never_fails(portal, employer_a, query):
    response = portal.get(reverse("portal:roster"), {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADMIN_LISTS)
@pytest.mark.parametrize("query", ODD_QUERIES)
def test_the_admin_searches_never_fail(client, administrator, model, query):
    client.force_login(administrator)
    response = client.get(reverse(f"admin:enrollment_{model}_changelist"), {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["０３９２", "٠٣٩٢", "7371 ０５５５"])
def test_a_search_in_other_digits_finds_the_worker(
    portal, client, administrator, employer_a, query
):
    worker = factories.make_worker(nik=NIK, birth_date=date(1992, 3, 15), sex="P")
    factories.make_employment(worker, employer_a)
    prefix = query if query.startswith("7371") else "7371 0555 " + query
    assert portal.get(reverse("portal:roster"), {"q": prefix}).context["page"].object_list
    client.force_login(administrator)
    found = client.get(reverse("admin:enrollment_worker_changelist"), {"q": prefix})
    assert list(found.context["cl"].result_list) == [worker]


BAD_PORTAL_PARAMETERS = [
    {"segment": "abc"},
    {"program": "abc"},
    {"kelurahan": "99999999"},
    {"status": "\x00"},
    {"covered": "maybe"},
    {"sort": "zzz"},
    {"page": "xyz"},
    {"page": "-1"},
    {"page": "99999"},
]


@pytest.mark.parametrize("params", BAD_PORTAL_PARAMETERS, ids=str)
def test_bad_portal_filters_are_a_page_not_a_500(portal, employer_a, params):
    assert portal.get(reverse("portal:roster"), params).status_code in (200, 302)


BAD_ADMIN_PARAMETERS = [
    {"segment": "abc"},
    {"program": "abc"},
    {"segment_group": "\x00"},
    {"kelurahan__kecamatan__id__exact": "abc"},
    {"o": "99"},
    {"o": "abc"},
    {"p": "xyz"},
    {"p": "99999"},
    {"status": "zz"},
    {"nosuchfield": "1"},
    {"submitted_date__gte": "kemarin"},
]


@pytest.mark.parametrize("model", ADMIN_LISTS)
@pytest.mark.parametrize("params", BAD_ADMIN_PARAMETERS, ids=str)
def test_bad_admin_filters_are_a_page_not_a_500(client, administrator, model, params):
    client.force_login(administrator)
    response = client.get(reverse(f"admin:enrollment_{model}_changelist"), params)
    assert response.status_code in (200, 302)


def test_a_file_that_is_not_a_spreadsheet_is_a_message(portal):
    junk = ContentFile(b"\x00\xff\xfe garbage \x00" * 100, name="roster.xlsx")
    response = portal.post(reverse("portal:imports"), {"file": junk, "reason": "CONTRACT_ENDED"})
    assert response.status_code in (200, 302)
    assert not Worker.objects.exists()


def _every_changelist() -> list[str]:
    return [
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"q": "Andi\x00"}, {"name\x00": "x"}], ids=repr)
@pytest.mark.parametrize("url_name", _every_changelist())
def test_a_nul_character_in_any_admin_list_is_not_a_500(client, administrator, url_name, params):
    """PostgreSQL refuses a NUL in a text: a search or filter value holding one is read without it."""
    client.force_login(administrator)
    assert client.get(reverse(url_name), params).status_code in (200, 302)


# --- a spreadsheet's apostrophe and the region codes 00, on every path -------------------------------------------

NO_PLACE = {"regency 00": "7300055503920007", "district 00": "7371005503920007"}


@pytest.mark.parametrize(
    "mark", ["'", "\u2019", "\u2018"], ids=["apostrophe", "right quote", "left quote"]
)
def test_the_portal_add_form_drops_the_apostrophe_of_nik_kpj_and_phone(portal, mark):
    form = portal_form(mark + NIK) | {"kpj": mark + "12345678901", "phone": mark + "081234567890"}
    assert portal.post(reverse("portal:worker_add"), form).status_code == 302
    assert list(Worker.objects.values_list("nik", "kpj", "phone")) == [
        (NIK, "12345678901", "081234567890")
    ]


@pytest.mark.parametrize(
    "mark", ["'", "\u2019", "\u2018"], ids=["apostrophe", "right quote", "left quote"]
)
def test_the_admin_worker_form_drops_the_apostrophe_of_nik_kpj_and_phone(client, operator, mark):
    client.force_login(operator)
    form = admin_form(mark + NIK) | {"kpj": mark + "12345678901", "phone": mark + "081234567890"}
    assert client.post(reverse("admin:enrollment_worker_add"), form).status_code == 302
    assert list(Worker.objects.values_list("nik", "kpj", "phone")) == [
        (NIK, "12345678901", "081234567890")
    ]


@pytest.mark.parametrize("raw", NO_PLACE.values(), ids=NO_PLACE.keys())
def test_the_forms_refuse_region_code_00(portal, client, operator, raw):
    assert refusal_shown(portal.post(reverse("portal:worker_add"), portal_form(raw)))
    client.force_login(operator)
    assert refusal_shown(client.post(reverse("admin:enrollment_worker_add"), admin_form(raw)))
    assert not Worker.objects.exists()


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_roster_import_drops_the_apostrophe_and_refuses_region_00(employer_a, make_file):
    rows = [
        row("'" + NIK, born="1992-03-15", sex="P", kpj="'12345678901", phone="'081234567890"),
        row(NO_PLACE["regency 00"], born="1992-03-15", sex="P"),
        row(NO_PLACE["district 00"], born="1992-03-15", sex="P"),
    ]
    batch = import_(make_file(rows), employer_a, only_valid_rows=True)
    assert codes(batch) == [(3, "nik_regency"), (4, "nik_district")]
    worker = Worker.objects.get()
    assert (worker.nik, worker.kpj, worker.phone) == (NIK, "12345678901", "081234567890")


def test_a_dtsen_import_drops_the_apostrophe(reference_data):
    batch = import_(
        csv_file([dtsen_row("\u2019" + NIK)], header=DTSEN_HEADER),
        None,
        source=ImportBatch.Source.DTSEN,
    )
    assert (batch.count_new, batch.count_errors) == (1, 0)
    assert list(Worker.objects.values_list("nik", flat=True)) == [NIK]


def test_the_admin_worker_import_drops_the_apostrophe(client, administrator):
    client.force_login(administrator)
    content = f"nik,name,birth_date,sex,kelurahan\n'{NIK},Nur,1992-03-15,P,73.71.01.1001\n"
    admin_import(client, Worker, content.encode())
    assert list(Worker.objects.values_list("nik", flat=True)) == [NIK]


@pytest.mark.parametrize("query", ["'7371 0555", "\u20197371055503920007", "'7371O"])
def test_a_search_with_an_apostrophe_finds_the_worker_by_nik(
    portal, client, administrator, employer_a, query
):
    worker = factories.make_worker(nik=NIK, birth_date=date(1992, 3, 15), sex="P")
    factories.make_employment(worker, employer_a)
    expected = [] if "O" in query else [worker]
    found = portal.get(reverse("portal:roster"), {"q": query}).context["page"].object_list
    assert [employment.worker for employment in found] == expected
    client.force_login(administrator)
    listed = client.get(reverse("admin:enrollment_worker_changelist"), {"q": query})
    assert list(listed.context["cl"].result_list) == expected
