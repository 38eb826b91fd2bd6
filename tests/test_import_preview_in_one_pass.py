"""Issue 13: the preview of a roster or DTSEN file lists every error of the file after one check (a NIK on two
rows is an error of both rows, not a refusal of the file), on the portal's and the admin's upload pages, and in
the downloadable error file."""

import pytest
from django.urls import reverse

from enrollment.models import ImportBatch
from tests import factories
from tests.test_imports import DTSEN_HEADER, csv_file, dtsen_row, row

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
