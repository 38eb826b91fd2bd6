"""The roster file's round trip through a spreadsheet: the portal's CSV download, re-saved as Excel or LibreOffice
in the Indonesian locale saves it, and imported again, changes nothing, unless the clerk changed something.

How such a re-save changes the file (what the clerk never typed):
- dates: ``31/08/2025`` and ``2025-08-31`` become ``31/08/25`` (the locale's short date);
- phones and KPJ numbers become numbers: ``081234567890`` is ``81234567890``, ``01234567890`` is ``1234567890``;
- the NIK, kept as text, gets the apostrophe that keeps it so: ``'7371…``;
- ``;`` separates the cells (the locale's decimal comma), and the text is Windows-1252, not UTF-8.
"""

import csv
import io
import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from enrollment.models import Employment, Worker
from programs.models import Kelurahan
from tests import factories
from tests.test_imports import entries, import_

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DMY_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


@pytest.fixture
def roster(employer_a):
    """Three workers whose record employer A keeps: a phone with its 0, a KPJ with a leading 0, a landline."""
    kelurahan = Kelurahan.objects.order_by("code").first()
    people = [
        ("Nur Ma'rifah", "P", date(1992, 3, 15), "01234567890", "081234567890", date(2024, 2, 1)),
        (
            "Sulaiman Çelik",
            "L",
            date(1985, 11, 30),
            "12345678901",
            "085298765432",
            date(2025, 8, 31),
        ),
        ("Andi Pratama", "L", date(2001, 1, 5), None, "0411872345", date(2019, 12, 2)),
    ]
    for name, sex, born, kpj, phone, start in people:
        worker = factories.make_worker(
            name=name,
            sex=sex,
            birth_date=born,
            kpj=kpj,
            phone=phone,
            address="Jl. Veteran Selatan No. 5",
            kelurahan=kelurahan,
            keeper=employer_a,
        )
        factories.make_employment(worker, employer_a, start_date=start, monthly_wage=3_900_000)
    return employer_a


def downloaded(client) -> list[list[str]]:
    response = client.get(reverse("portal:roster_download", kwargs={"file_format": "csv"}))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def resaved_by_a_spreadsheet(rows: list[list[str]]) -> ContentFile:
    """The file as Excel in the Indonesian locale saves it (module docstring)."""
    header, *body = rows
    nik, kpj, phone = (header.index(name) for name in ("NIK", "No KPJ", "No HP"))
    resaved = [header]
    for cells in body:
        cells = [_short_date(cell) for cell in cells]
        cells[nik] = "'" + cells[nik]
        for number in (kpj, phone):
            cells[number] = cells[number].lstrip("0")
        resaved.append(cells)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(resaved)
    return ContentFile(buffer.getvalue().encode("cp1252"), name="roster.csv")


def _short_date(cell: str) -> str:
    if match := ISO_DATE.match(cell):
        year, month, day = match.groups()
        return f"{day}/{month}/{year[2:]}"
    if match := DMY_DATE.match(cell):
        day, month, year = match.groups()
        return f"{day}/{month}/{year[2:]}"
    return cell


def test_the_file_is_really_changed_by_the_re_save(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    rows = downloaded(client)
    resaved = resaved_by_a_spreadsheet(rows).read().decode("cp1252")
    nur = next(line for line in resaved.splitlines() if "Nur Ma'rifah" in line)
    # NIK with its apostrophe; KPJ and phone without their zeros; both dates with two-digit years.
    assert nur.startswith("'737105550392")  # region and birth date; the serial is the factory's
    assert ";1234567890;15/03/92;P;81234567890;" in nur
    assert ";01/02/24;" in nur


def test_a_re_saved_download_imports_with_no_update_and_no_error(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    before = list(Worker.objects.order_by("pk").values())
    batch = import_(resaved_by_a_spreadsheet(downloaded(client)), roster, user=employer_a_user)
    assert (batch.count_new, batch.count_updated, batch.count_unchanged, batch.count_errors) == (
        0,
        0,
        3,
        0,
    )
    assert list(Worker.objects.order_by("pk").values()) == before


def test_one_real_change_in_a_re_saved_download_is_exactly_one_update(
    client, employer_a_user, roster
):
    client.force_login(employer_a_user)
    rows = downloaded(client)
    header = rows[0]
    andi = next(cells for cells in rows if cells[header.index("Nama")] == "Andi Pratama")
    andi[header.index("Upah Bulanan")] = "4200000"
    batch = import_(resaved_by_a_spreadsheet(rows), roster, user=employer_a_user)
    assert (batch.count_new, batch.count_updated, batch.count_unchanged, batch.count_errors) == (
        0,
        1,
        2,
        0,
    )
    wages = dict(Employment.objects.values_list("worker__name", "monthly_wage"))
    assert wages == {
        "Nur Ma'rifah": 3_900_000,
        "Sulaiman Çelik": 3_900_000,
        "Andi Pratama": 4_200_000,
    }
    kpjs = dict(Worker.objects.values_list("name", "kpj"))
    assert kpjs["Nur Ma'rifah"] == "01234567890"  # its zero kept


def resaved_month_first(rows: list[list[str]]) -> ContentFile:
    """The file as a spreadsheet with US regional settings saves it: dates month first, ``03/15/92``."""
    header, *body = rows
    resaved = [header]
    for cells in body:
        resaved.append([_month_first(cell) for cell in cells])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(resaved)
    return ContentFile(buffer.getvalue().encode("utf-8"), name="roster.csv")


def _month_first(cell: str) -> str:
    if match := DMY_DATE.match(cell):
        day, month, year = match.groups()
        return f"{month}/{day}/{year[2:]}"
    return cell


def test_a_download_re_saved_month_first_is_refused_not_read_day_first(
    client, employer_a_user, roster
):
    """Andi's birth date 05/01/2001 becomes 01/05/01, which reads as a real date either way (5 January or
    1 May); the other rows' 03/15/92 and 11/30/85 can only be month first. The column is month first, so no
    date of it is read day first: every row is refused, none is "updated" to a swapped date."""
    client.force_login(employer_a_user)
    before = list(Worker.objects.order_by("pk").values())
    batch = import_(resaved_month_first(downloaded(client)), roster, user=employer_a_user)
    assert (batch.count_new, batch.count_updated, batch.count_unchanged, batch.count_errors) == (
        0,
        0,
        0,
        3,
    )
    assert list(Worker.objects.order_by("pk").values()) == before


def test_a_date_only_month_first_reads_is_named_so(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    batch = import_(resaved_month_first(downloaded(client)), roster, user=employer_a_user)
    by_row = {entry.row: entry.code for entry in entries(batch, "error")}
    # Nur (row 2 or later): 03/15/92 only month first; Andi: 01/05/01 either way, in a month-first column.
    assert set(by_row.values()) <= {"month_first_date", "month_first_column"}
    assert "month_first_column" in by_row.values() and "month_first_date" in by_row.values()
