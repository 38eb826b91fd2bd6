"""Dates in files (enrollment.imports.cells.parse_date, decision 36): the forms a clerk's spreadsheet writes, and
two-digit years read only where one century fits what the date is.

The windows: a birth date lies from this day 99 years ago to this day 10 years ago; an event (a job's start or
end, a membership, a claim) from this day 60 years ago to this day in 10 years. Each is shorter than 100 years,
so at most one of 19YY and 20YY fits; when none does, the date is refused, never guessed.
"""

from datetime import date, datetime

import pytest
from django.utils import translation

from enrollment.imports.cells import CellError, DateKind, parse_date
from enrollment.models import Employment, Worker
from tests import factories
from tests.test_admin_imports import admin_import
from tests.test_imports import codes, csv_file, import_, row

TODAY = date(2026, 12, 7)
BIRTH, EVENT = DateKind.BIRTH, DateKind.EVENT

READ = [
    # (cell, kind, date, why) — with TODAY 7-12-2026
    ("2025-08-31", EVENT, date(2025, 8, 31), "ISO"),
    ("2025-08-31 00:00:00", EVENT, date(2025, 8, 31), "ISO with a time"),
    ("31/08/2025", EVENT, date(2025, 8, 31), "day/month/year"),
    ("31-08-2025", EVENT, date(2025, 8, 31), "dashes"),
    ("31.08.2025", EVENT, date(2025, 8, 31), "dots"),
    ("1/8/2025", EVENT, date(2025, 8, 1), "one-digit day and month"),
    (datetime(2025, 8, 31, 0, 0), EVENT, date(2025, 8, 31), "a spreadsheet date cell"),  # noqa: DTZ001 (naive, as openpyxl reads one)
    ("31/08/25", EVENT, date(2025, 8, 31), "event: 2025 fits, 1925 is more than 60 years ago"),
    ("31-08-25", EVENT, date(2025, 8, 31), "dashes, two digits"),
    ("31.08.25", EVENT, date(2025, 8, 31), "dots, two digits"),
    ("07/12/36", EVENT, date(2036, 12, 7), "event: the last day of the window, 10 years ahead"),
    ("07/12/66", EVENT, date(1966, 12, 7), "event: the first day of the window, 60 years ago"),
    ("01/01/80", EVENT, date(1980, 1, 1), "event: 2080 is more than 10 years ahead"),
    ("12/03/90", BIRTH, date(1990, 3, 12), "birth: 2090 is in the future"),
    ("05/09/05", BIRTH, date(2005, 9, 5), "birth: 1905 is more than 99 years ago"),
    (
        "07/12/16",
        BIRTH,
        date(2016, 12, 7),
        "birth: exactly 10 years ago, the last day of the window",
    ),
    (
        "07/12/27",
        BIRTH,
        date(1927, 12, 7),
        "birth: exactly 99 years ago, the first day of the window",
    ),
    ("29/02/00", BIRTH, date(2000, 2, 29), "birth: 29 February exists in 2000 only"),
    ("31/08/1925", BIRTH, date(1925, 8, 31), "four digits are never doubted"),
]

UNCLEAR = [
    # (cell, kind, why no century fits)
    ("31/08/25", BIRTH, "2025 is a year-old child, 1925 a person of 101"),
    ("08/12/16", BIRTH, "2016 is one day short of 10 years ago, 1916 more than 99 years ago"),
    ("06/12/27", BIRTH, "1927 is one day more than 99 years ago, 2027 in the future"),
    ("01/01/50", EVENT, "1950 is more than 60 years ago, 2050 more than 10 years ahead"),
    ("08/12/36", EVENT, "2036 is one day more than 10 years ahead, 1936 too long ago"),
    ("06/12/66", EVENT, "1966 is one day more than 60 years ago, 2066 too far ahead"),
]

REFUSED = [
    # (cell, rule)
    ("31/02/25", "impossible_date"),
    ("29/02/23", "impossible_date"),
    ("31/08-25", "not_a_date"),  # two different separators
    ("31/08/025", "not_a_date"),  # a three-digit year
    ("08/31/2025", "month_first_date"),  # month/day (US settings): there is no month 31
    ("Agustus 2025", "not_a_date"),
]


@pytest.mark.parametrize(("cell", "kind", "expected", "why"), READ, ids=[case[3] for case in READ])
def test_a_date_cell_is_read(cell, kind, expected, why):
    assert parse_date(cell, kind, TODAY) == expected


@pytest.mark.parametrize(("cell", "kind", "why"), UNCLEAR, ids=[case[2] for case in UNCLEAR])
def test_a_two_digit_year_no_century_fits_is_refused(cell, kind, why):
    with pytest.raises(CellError) as caught:
        parse_date(cell, kind, TODAY)
    assert caught.value.code == "unclear_century"


@pytest.mark.parametrize(("cell", "code"), REFUSED)
def test_what_is_no_date_is_refused(cell, code):
    with pytest.raises(CellError) as caught:
        parse_date(cell, EVENT, TODAY)
    assert caught.value.code == code


def test_the_refusal_names_both_centuries_in_indonesian():
    with translation.override("id"), pytest.raises(CellError) as caught:
        parse_date("31/08/25", BIRTH, TODAY)
    assert caught.value.message == (
        "“31/08/25” memakai tahun dua digit, dan tidak ada abad yang membuatnya tanggal lahir yang masuk akal "
        "(31/08/1925 atau 31/08/2025; tanggal lahir berada antara 99 dan 10 tahun yang lalu). Tulis tahunnya "
        "dengan empat digit."
    )


# --- through the imports --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_roster_import_reads_each_column_as_its_kind(employer_a):
    # Chosen to hold whatever today is until 2035: 1990 and 2025 fit; 31/08/25 is no birth date, 01/01/50 no start.
    batch = import_(
        csv_file(
            [
                row(born="12.03.90", start="01/08/25"),
                row(born="31/08/25", start="01/08/25"),  # a birth date no century fits
                row(born="12/03/90", start="01/01/50"),  # a start no century fits
            ]
        ),
        employer_a,
        only_valid_rows=True,
    )
    assert codes(batch) == [(3, "unclear_century"), (4, "unclear_century")]
    worker = Worker.objects.get()
    assert worker.birth_date == date(1990, 3, 12)
    assert Employment.objects.get().start_date == date(2025, 8, 1)


@pytest.mark.django_db
def test_the_admin_import_reads_a_birth_date_as_a_birth_date(client, operator, reference_data):
    client.force_login(operator)
    nik = factories.make_nik(date(2005, 9, 5))
    content = (
        f"nik,name,birth_date,sex,kelurahan,has_disability\n{nik},Andi,05/09/05,L,73.71.01.1001,0\n"
    )
    admin_import(client, Worker, content.encode())
    assert Worker.objects.get(nik=nik).birth_date == date(2005, 9, 5)


@pytest.mark.django_db
def test_the_admin_import_refuses_an_unclear_birth_year(client, operator, reference_data):
    client.force_login(operator)
    nik = factories.make_nik(date(2025, 8, 31))
    content = (
        f"nik,name,birth_date,sex,kelurahan,has_disability\n{nik},Andi,31/08/25,L,73.71.01.1001,0\n"
    )
    response = admin_import(client, Worker, content.encode())
    assert "31/08/25" in response.content.decode()
    assert not Worker.objects.exists()
