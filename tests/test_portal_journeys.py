"""The employer's journeys through the portal, over HTTP, and what bad input does (a message; nothing written)."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment import services
from enrollment.models import Employment, Membership, Worker
from programs.models import FundingScheme, Kelurahan, Program, Segment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, employer_a_user):
    client.force_login(employer_a_user)
    return client


def new_worker_form(**overrides):
    kelurahan = Kelurahan.objects.get(name="Pa'batang")
    data = {
        "nik": "7371 0555 0392 0007",  # a woman born 15-03-1992
        "name": "Nur Ma'rifah",
        "birth_date": "1992-03-15",
        "sex": "P",
        "kpj": "",
        "phone": "081234567890",
        "address": "Jl. Veteran Selatan No. 5",
        "kelurahan": kelurahan.pk,
        "occupation": "Kasir",
        "start_date": "2025-07-01",
        "monthly_wage": "3900000",
    }
    data.update(overrides)
    return data


def test_an_employer_adds_enrols_finds_and_terminates_a_worker(portal, employer_a):
    response = portal.post(reverse("portal:worker_add"), new_worker_form())
    worker = Worker.objects.get(nik="7371055503920007")
    assert response.url == reverse("portal:worker", kwargs={"pk": worker.pk})
    assert worker.employments.get().employer == employer_a

    portal.post(
        reverse("portal:worker_enrol", kwargs={"pk": worker.pk}),
        {"programs": [p.pk for p in _programs("JKK", "JKM", "JHT")], "start_date": "2025-07-01"},
    )
    contributions = dict(worker.memberships.values_list("program__code", "monthly_contribution"))
    # Risk class 1 (the factory's default): JKK 0.24 %, JKM 0.30 %, JHT 5.7 % of Rp3,900,000.
    assert contributions == {"JKK": 9_360, "JKM": 11_700, "JHT": 222_300}

    roster = portal.get(
        reverse("portal:roster"), {"q": "Ma'rifah", "covered": "yes"}
    ).content.decode()
    assert "737105••••••0007" in roster  # masked in the list
    assert "Nur Ma&#x27;rifah" in roster

    portal.post(
        reverse("portal:worker_terminate", kwargs={"pk": worker.pk}),
        {"end_date": "2025-08-31", "reason": "RESIGNED"},
    )
    assert worker.employments.get().end_date == date(2025, 8, 31)
    assert set(worker.memberships.values_list("end_date", flat=True)) == {date(2025, 8, 31)}
    assert "737105••••••0007" not in portal.get(reverse("portal:roster")).content.decode()
    ended = portal.get(reverse("portal:roster"), {"status": "ended"}).content.decode()
    assert "737105••••••0007" in ended


def _programs(*codes):
    from programs.models import Program

    return Program.objects.filter(code__in=codes)


def test_a_nik_known_elsewhere_in_the_city_is_linked_not_duplicated(portal, employer_a, employer_b):
    existing = factories.make_worker(
        name="Rahmat Daeng Naba", birth_date=date(1985, 1, 2), phone="081298765432"
    )
    factories.make_employment(existing, employer_b)
    response = portal.post(
        reverse("portal:worker_add"),
        new_worker_form(
            nik=existing.nik,
            name="Rahmat Daeng Naba",  # with the phone on record: proof of identity (tests/test_identity_proof.py)
            phone="0812 9876 5432",
            birth_date="1985-01-02",
            sex="L",
        ),
        follow=True,
    )
    assert Worker.objects.filter(nik=existing.nik).count() == 1
    assert existing.employments.filter(employer=employer_a, end_date__isnull=True).exists()
    assert "sudah terdaftar di Makassar" in response.content.decode()


def test_an_employer_edits_a_worker_and_sees_the_change_in_its_history(portal, employer_a):
    worker = factories.make_worker(name="Andi")
    factories.make_employment(worker, employer_a)
    form = {
        f"worker-{k}": v
        for k, v in new_worker_form(name="Andi Wijaya", sex="L", birth_date="1990-03-12").items()
    }
    form.update({"job-start_date": "2024-01-01", "job-monthly_wage": "4100000"})
    form.update({"worker-seen_version": "1", "job-seen_version": "1"})  # as the form showed them
    response = portal.post(
        reverse("portal:worker_edit", kwargs={"pk": worker.pk}), form, follow=True
    )
    worker.refresh_from_db()
    assert worker.name == "Andi Wijaya"
    assert worker.employments.get().monthly_wage == 4_100_000
    page = response.content.decode()
    assert "Andi → Andi Wijaya" in page
    history = worker.history.latest()
    assert (
        history.history_user.username,
        history.history_channel,
        history.history_employer_id,
    ) == (
        "employer_dewi",
        "PORTAL",
        employer_a.pk,
    )


def test_an_employer_cannot_set_the_dtsen_decile(portal, employer_a):
    """The decile comes from the national DTSEN list and decides city funding: Disnaker's, not the employer's."""
    worker = factories.make_worker(name="Andi", dtsen_decile=3)
    factories.make_employment(worker, employer_a)
    edit = reverse("portal:worker_edit", kwargs={"pk": worker.pk})
    assert "dtsen_decile" not in portal.get(edit).content.decode()
    form = {f"worker-{k}": v for k, v in new_worker_form(sex="L", birth_date="1990-03-12").items()}
    form.update({"worker-dtsen_decile": "10", "job-start_date": "2024-01-01"})
    form.update({"worker-seen_version": "1", "job-seen_version": "1"})  # as the form showed them
    form["job-monthly_wage"] = "4100000"
    portal.post(edit, form, follow=True)
    worker.refresh_from_db()
    assert (worker.name, worker.dtsen_decile) == ("Nur Ma'rifah", 3)  # saved, but not the decile


def test_the_home_page_counts_covered_and_not_yet_covered(portal, employer_a):
    covered, missing_jkm = factories.make_worker(), factories.make_worker()
    for worker in (covered, missing_jkm):
        factories.make_employment(worker, employer_a)
        factories.make_membership(worker, "JKK", employer=employer_a)
    factories.make_membership(covered, "JKM", employer=employer_a)
    summary = portal.get(reverse("portal:home")).context["summary"]
    assert (summary["on_roster"], summary["covered"], summary["not_covered"]) == (2, 1, 1)


def test_the_xlsx_roster_keeps_nik_and_kpj_as_text(portal, employer_a):
    worker = factories.make_worker(kpj="01234567890")
    factories.make_employment(worker, employer_a)
    response = portal.get(reverse("portal:roster_download", kwargs={"file_format": "xlsx"}))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).active
    nik_cell, kpj_cell = sheet.cell(row=2, column=1), sheet.cell(row=2, column=3)
    assert (nik_cell.value, nik_cell.data_type, nik_cell.number_format) == (worker.nik, "s", "@")
    assert (kpj_cell.value, kpj_cell.data_type) == ("01234567890", "s")


def test_a_formula_in_a_name_is_neutralised_in_downloads(portal, employer_a):
    worker = factories.make_worker(name='=HYPERLINK("http://x")')
    factories.make_employment(worker, employer_a)
    csv_text = b"".join(
        portal.get(
            reverse("portal:roster_download", kwargs={"file_format": "csv"})
        ).streaming_content
    )
    assert "'=HYPERLINK" in csv_text.decode("utf-8-sig")


def test_the_roster_page_query_count_does_not_grow_with_the_roster(portal, employer_a):
    def queries_for_roster() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(reverse("portal:roster")).status_code == 200
        return len(captured)

    def add_workers(count):
        for _ in range(count):
            worker = factories.make_worker()
            factories.make_employment(worker, employer_a)
            factories.make_membership(worker, "JKK", employer=employer_a)

    add_workers(3)
    few = queries_for_roster()
    add_workers(30)
    assert queries_for_roster() == few


def test_a_worker_page_query_count_does_not_grow_with_history(portal, employer_a):
    worker = factories.make_worker()
    employment = factories.make_employment(worker, employer_a)
    url = reverse("portal:worker", kwargs={"pk": worker.pk})
    with CaptureQueriesContext(connection) as first:
        portal.get(url)
    for program in ("JKK", "JKM", "JHT"):
        factories.make_membership(worker, program, employer=employer_a)
    factories.make_claim(worker, employer=employer_a)
    Employment.objects.filter(pk=employment.pk).update(monthly_wage=1)
    with CaptureQueriesContext(connection) as second:
        portal.get(url)
    assert len(second) == len(first)


# --- Bad input: a clear message, nothing written ------------------------------------------------


def _add_is_refused(portal, **overrides) -> str:
    before = (Worker.objects.count(), Employment.objects.count())
    response = portal.post(reverse("portal:worker_add"), new_worker_form(**overrides))
    assert response.status_code == 200
    assert (Worker.objects.count(), Employment.objects.count()) == before
    return response.content.decode()


def test_an_invalid_nik_is_explained(portal):
    page = _add_is_refused(portal, nik="7371055503920000")
    assert "Empat digit terakhir NIK adalah nomor urut mulai 0001; 0000 tidak ada." in page


def test_a_nik_from_excel_scientific_notation_is_explained(portal):
    page = _add_is_refused(portal, nik="7,37106E+15")
    assert "telah diubah menjadi angka oleh spreadsheet" in page


def test_a_future_birth_date_is_refused(portal):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    page = _add_is_refused(portal, birth_date=future)
    assert "Tanggal lahir tidak boleh di masa depan." in page


def test_a_sex_that_disagrees_with_the_nik_is_refused_and_only_disnaker_confirms_it(portal):
    page = _add_is_refused(portal, sex="L")
    assert "NIK menunjukkan perempuan (tanggal + 40), tetapi data mencatat laki-laki." in page
    assert "Disnaker" in page
    _add_is_refused(portal, sex="L", keep_as_entered="on")
    assert not Worker.objects.filter(nik="7371055503920007").exists()


def test_a_double_submitted_add_writes_one_worker_and_one_employment(portal):
    portal.post(reverse("portal:worker_add"), new_worker_form())
    page = _add_is_refused(portal)
    assert "Pekerja ini sudah ada dalam daftar pekerja pemberi kerja ini." in page


def test_an_end_date_before_the_start_is_refused(portal, employer_a):
    worker = factories.make_worker()
    employment = factories.make_employment(worker, employer_a, start_date=date(2025, 3, 1))
    response = portal.post(
        reverse("portal:worker_terminate", kwargs={"pk": worker.pk}),
        {"end_date": "2025-02-28", "reason": "RESIGNED"},
    )
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in response.content.decode()
    employment.refresh_from_db()
    assert employment.end_date is None


def test_a_double_submitted_termination_changes_nothing_the_second_time(portal, employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    url = reverse("portal:worker_terminate", kwargs={"pk": worker.pk})
    portal.post(url, {"end_date": "2025-08-31", "reason": "RESIGNED"})
    history_rows = Employment.history.count()
    response = portal.post(url, {"end_date": "2025-09-30", "reason": "DISMISSED"}, follow=True)
    assert "tidak lagi ada dalam daftar pekerja Anda" in response.content.decode()
    assert worker.employments.get().end_date == date(2025, 8, 31)
    assert Employment.history.count() == history_rows


def test_enrolling_twice_in_the_same_period_is_refused_whole(portal, employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    url = reverse("portal:worker_enrol", kwargs={"pk": worker.pk})
    portal.post(url, {"programs": [p.pk for p in _programs("JKK")], "start_date": "2025-07-01"})
    response = portal.post(
        url, {"programs": [p.pk for p in _programs("JKK", "JKM")], "start_date": "2025-08-01"}
    )
    assert (
        "Pekerja ini sudah memiliki kepesertaan JKK pada periode tersebut."
        in response.content.decode()
    )
    assert list(worker.memberships.values_list("program__code", flat=True)) == ["JKK"]


def test_a_get_never_changes_anything(portal, employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    for name in ("portal:worker_terminate", "portal:worker_enrol", "portal:worker_edit"):
        assert (
            portal.get(
                reverse(name, kwargs={"pk": worker.pk}), {"end_date": "2025-01-01"}
            ).status_code
            == 200
        )
    assert worker.employments.get().end_date is None
    assert not Membership.objects.exists()


def test_the_roster_pages_keep_the_filters(portal, employer_a):
    for _ in range(51):
        factories.make_employment(factories.make_worker(), employer_a)
    page = portal.get(reverse("portal:roster"), {"status": "active"}).content.decode()
    assert "halaman 1 dari 2" in page
    assert "?status=active&amp;page=2" in page


def test_the_workers_history_names_what_changed_in_words_in_a_fixed_number_of_queries(
    portal, employer_a, employer_a_user
):
    worker = factories.make_worker(name="Andi")
    done = {"acting_user": employer_a_user, "channel": "PORTAL"}
    employment = services.hire_worker(
        worker, employer_a, start_date=date(2025, 7, 1), monthly_wage=3_900_000, **done
    )
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code="JKK")],
        segment=Segment.objects.get(code="FORMAL"),
        funding_scheme=FundingScheme.objects.get(code="EMPLOYER"),
        start_date=date(2025, 7, 1),
        wage=3_900_000,
        employer=employer_a,
    )
    services.enrol_worker(worker, request, **done)
    url = reverse("portal:worker", kwargs={"pk": worker.pk})

    def shown_with_wage_changes(count: int) -> tuple[str, int]:
        for wage in range(4_000_000, 4_000_000 + count * 1_000, 1_000):
            services.update_employment(
                employment, start_date=date(2025, 7, 1), monthly_wage=wage, **done
            )
        with CaptureQueriesContext(connection) as queries:
            page = portal.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
        return page, len(queries)

    _page, queries_with_two = shown_with_wage_changes(2)
    services.terminate_employment(employment, end_date=date(2025, 8, 31), reason="RESIGNED", **done)
    page, queries_with_twelve = shown_with_wage_changes(10)
    assert queries_with_twelve == queries_with_two
    assert "Rp3.900.000 → Rp4.000.000" in page
    assert "alasan berhenti: — → Mengundurkan diri" in page
    assert "tanggal berakhir: — → 31/08/2025" in page
    assert "kepesertaan JKK" in page and "hubungan kerja mulai 01/07/2025" in page
    assert "RESIGNED" not in page and "#" + str(employment.pk) not in page
