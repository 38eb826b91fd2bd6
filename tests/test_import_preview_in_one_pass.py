"""Issue 13: the preview of a roster or DTSEN file lists every error of the file after one check (a NIK on two
rows is an error of both rows, not a refusal of the file), on the portal's and the admin's upload pages, and in
the downloadable error file; and it says which programs each new worker gets (the file's Program column, else the
employer's programs for new workers)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import Employer, ImportBatch, Worker
from programs.models import ContributionRate
from tests import factories
from tests.test_imports import (
    DTSEN_HEADER,
    HEADER,
    check,
    codes,
    csv_file,
    dtsen_row,
    entries,
    import_,
    row,
)

pytestmark = pytest.mark.usefixtures("reference_data")
Status = ImportBatch.Status


def a_file_with_a_repeated_nik():
    """Row 2 and row 4 hold one NIK; row 3 has a wage that is no amount; row 5 is fine."""
    nik = factories.make_nik()
    return csv_file([row(nik), row(wage="banyak"), row(nik, name="Andi lagi"), row()])


def preview_errors(client, url: str) -> list[tuple[int, str]]:
    page = client.get(url, {"show": "error"})
    assert page.status_code == 200
    return sorted((entry.row, entry.code) for entry in page.context["page"])


def error_file(client, url: str) -> str:
    response = client.get(url)
    return b"".join(response.streaming_content).decode()


EXPECTED = [(2, "duplicate_nik"), (3, "not_an_amount"), (4, "duplicate_nik")]


def test_the_portal_preview_lists_the_repeated_nik_and_the_other_errors_at_once(
    client, employer_a_user, employer_a
):
    client.force_login(employer_a_user)
    response = client.post(
        reverse("portal:imports"),
        {"file": a_file_with_a_repeated_nik(), "reason": "CONTRACT_ENDED"},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == Status.VALIDATED
    assert preview_errors(client, response.url) == EXPECTED
    page = client.get(response.url)
    assert page.context["kinds"] == [("error", 3), ("new", 1)]
    report = error_file(client, reverse("portal:import_errors", kwargs={"pk": batch.pk}))
    assert report.count("NIK") >= 3  # the header, and the message of rows 2 and 4


def test_the_admin_preview_lists_the_repeated_nik_and_the_other_errors_at_once(
    client, operator, employer_a
):
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_importbatch_upload"),
        {
            "file": a_file_with_a_repeated_nik(),
            "reason": "CONTRACT_ENDED",
            "source": "ROSTER",
            "npp": employer_a.npp,
        },
    )
    batch = ImportBatch.objects.get()
    assert batch.status == Status.VALIDATED
    assert preview_errors(client, response.url) == EXPECTED
    page = client.get(response.url)
    client.post(page.context["confirm_url"], {"only_valid_rows": "1"})
    batch.refresh_from_db()
    assert (batch.status, batch.count_new, batch.count_errors) == (Status.IMPORTED, 1, 3)


def test_a_dtsen_list_with_a_repeated_nik_is_checked_whole(client, administrator):
    client.force_login(administrator)
    nik = factories.make_nik()
    content = csv_file(
        [dtsen_row(nik), dtsen_row(decile="sebelas"), dtsen_row(nik)], header=DTSEN_HEADER
    )
    response = client.post(
        reverse("admin:enrollment_importbatch_upload"),
        {
            "file": content,
            "reason": "CONTRACT_ENDED",
            "source": "DTSEN",
            "start_date": "2025-10-01",
        },
    )
    codes = preview_errors(client, response.url)
    assert [(row_number, code) for row_number, code in codes if code == "duplicate_nik"] == [
        (2, "duplicate_nik"),
        (4, "duplicate_nik"),
    ]
    assert [row_number for row_number, _code in codes if row_number == 3] == [3]


# --- the programs of new workers ----------------------------------------------------------------------------


def with_programs(*rows_and_cells) -> list:
    """``csv_file`` rows with a Program cell each."""
    return [[*row_cells, cell] for row_cells, cell in rows_and_cells]


PROGRAM_HEADER = [*HEADER, "Program"]


def programs_of(nik: str) -> list[str]:
    return sorted(Worker.objects.get(nik=nik).memberships.values_list("program__code", flat=True))


def test_the_program_column_decides_each_new_workers_programs(employer_a):
    employer_a.size = Employer.Size.MEDIUM
    employer_a.save()
    niks = [factories.make_nik() for _ in range(4)]
    rows = with_programs(
        (row(niks[0]), "JKK, JKM, JHT, JP"),
        (row(niks[1]), "jkk;jkm / jht  jp,jkp"),
        (row(niks[2]), ""),  # the employer's programs
        (row(niks[3]), "JKK, JKX"),
    )
    batch = import_(csv_file(rows, header=PROGRAM_HEADER), employer_a, only_valid_rows=True)
    assert batch.status == Status.IMPORTED
    assert programs_of(niks[0]) == ["JHT", "JKK", "JKM", "JP"]
    assert programs_of(niks[1]) == ["JHT", "JKK", "JKM", "JKP", "JP"]
    assert programs_of(niks[2]) == ["JHT", "JKK", "JKM", "JKP", "JP"]  # medium: Perpres 109/2013
    assert codes(batch) == [(5, "unknown_program")]
    assert [entry.column for entry in entries(batch, "error")] == ["Program"]
    assert "JKX" in entries(batch, "error")[0].text
    assert [entry.programs for entry in entries(batch, "new")] == [
        "JKK, JKM, JHT, JP",
        "JKK, JKM, JHT, JP, JKP",
        "JKK, JKM, JHT, JP, JKP",
    ]


@pytest.mark.parametrize(
    ("size", "chosen", "expected"),
    [
        (Employer.Size.MICRO, "", ["JKK", "JKM"]),
        (Employer.Size.SMALL, "", ["JHT", "JKK", "JKM", "JKP"]),
        (Employer.Size.LARGE, "", ["JHT", "JKK", "JKM", "JKP", "JP"]),
        (Employer.Size.LARGE, "JKK JKM JHT", ["JHT", "JKK", "JKM"]),
    ],
)
def test_a_file_without_the_program_column_gives_the_employers_programs(
    employer_a, size, chosen, expected
):
    employer_a.size, employer_a.default_programs = size, chosen
    employer_a.save()
    nik = factories.make_nik()
    batch = import_(csv_file([row(nik)]), employer_a)
    assert batch.status == Status.IMPORTED
    assert programs_of(nik) == expected


@pytest.mark.parametrize(
    ("size", "cell", "missing"),
    [
        # PP 37/2021 Pasal 4: JKP for workers of medium and large businesses in JKK, JKM, JHT and JP,
        (Employer.Size.MEDIUM, "JKK JKM JHT JKP", "JP"),
        (Employer.Size.LARGE, "JKK JKP", "JKM, JHT, JP"),
        # and of small and micro businesses in JKK, JKM and JHT.
        (Employer.Size.SMALL, "JKK JKM JKP", "JHT"),
        (Employer.Size.MICRO, "JKP", "JKK, JKM, JHT"),
    ],
)
def test_jkp_without_the_programs_it_follows_is_an_error_of_its_row(
    employer_a, size, cell, missing
):
    employer_a.size = size
    employer_a.save()
    batch = check(
        csv_file(with_programs((row(), cell), (row(), "JKK JKM JHT")), header=PROGRAM_HEADER),
        employer_a,
    )
    assert codes(batch) == [(2, "jkp_without_prerequisites")]
    text = entries(batch, "error")[0].text
    assert "PP 37/2021 Pasal 4" in text and text.endswith(f"{missing}.")


def test_the_program_cell_of_a_worker_already_on_the_roster_is_not_judged(employer_a):
    """A downloaded roster names the programs each worker holds (a worker over JP's age holds no JP); the column
    decides only new workers' programs, so its cell on a worker already on the roster is never an error."""
    employer_a.size = Employer.Size.MEDIUM
    employer_a.save()
    line = row()
    first = import_(
        csv_file(with_programs((line, "JKK JKM JHT JP JKP")), header=PROGRAM_HEADER), employer_a
    )
    assert first.status == Status.IMPORTED
    again = check(
        csv_file(with_programs((line, "JKK JKM JHT JKP")), header=PROGRAM_HEADER), employer_a
    )
    assert codes(again) == []


def test_the_admin_refuses_jkp_among_an_employers_programs_without_jht(
    client, administrator, employer_a
):
    client.force_login(administrator)
    url = reverse("admin:enrollment_employer_change", args=[employer_a.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "default_programs"
    }
    data.update(
        {
            "kelurahan": employer_a.kelurahan_id,
            "size": Employer.Size.SMALL,
            "default_programs": ["JKK", "JKM", "JKP"],
            "user_links-TOTAL_FORMS": 0,
            "user_links-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "PP 37/2021 Pasal 4" in response.content.decode()
    employer_a.refresh_from_db()
    assert employer_a.default_programs == ""


def test_a_new_employer_without_a_size_is_told_so_not_refused_by_a_server_error(
    client, administrator
):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:enrollment_employer_add"),
        {"npp": "19999999", "name": "PT Baru", "size": "", "default_programs": ["JKP"]},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "size" in errors and "default_programs" not in errors


def test_a_program_the_rules_refuse_is_an_error_of_its_row(employer_a, settings):
    nik = factories.make_nik()
    ContributionRate.objects.filter(program__code="JP").delete()
    batch = check(csv_file(with_programs((row(nik), "JKK JP")), header=PROGRAM_HEADER), employer_a)
    assert codes(batch) == [(2, "no_rate")]


def test_the_portal_preview_shows_the_programs_of_each_new_worker(
    client, employer_a_user, employer_a
):
    client.force_login(employer_a_user)
    content = csv_file(with_programs((row(), "JKK JKM"), (row(), "")), header=PROGRAM_HEADER)
    response = client.post(reverse("portal:imports"), {"file": content, "reason": "CONTRACT_ENDED"})
    page = client.get(response.url, {"show": "new"})
    html = page.content.decode()
    assert page.context["with_programs"]
    assert "JKK, JKM</td>" in html and "JKK, JKM, JHT, JKP</td>" in html


def test_the_admin_sets_an_employers_programs_for_new_workers(client, administrator, employer_a):
    client.force_login(administrator)
    url = reverse("admin:enrollment_employer_change", args=[employer_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "default_programs"
    }
    data.update(
        {
            "kelurahan": employer_a.kelurahan_id,
            "default_programs": ["JKM", "JKK"],
        }
    )
    for inline in page.context[
        "inline_admin_formsets"
    ]:  # the page's lists of logins and invitations
        management = inline.formset.management_form
        data.update(
            {f"{management.prefix}-{key}": value for key, value in management.initial.items()}
        )
    response = client.post(url, data)
    assert response.status_code == 302
    employer_a.refresh_from_db()
    assert (employer_a.default_programs, employer_a.programs_of_new_workers()) == (
        "JKK JKM",
        ("JKK", "JKM"),
    )


def test_the_template_explains_the_program_column(client, employer_a_user):
    client.force_login(employer_a_user)
    response = client.get(reverse("portal:import_template", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    roster, _codes, programs = workbook.worksheets
    assert roster["M1"].value == "Program" and roster["M2"].value == "JKK, JKM, JHT, JKP"
    assert [row_cells[0] for row_cells in programs.iter_rows(min_row=3, values_only=True)] == [
        "JKK",
        "JKM",
        "JHT",
        "JP",
        "JKP",
    ]
    assert "JHT" in programs["C2"].value
