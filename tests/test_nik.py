"""Every NIK rule of DOMAIN.md, with the Indonesian message a clerk sees."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enrollment.nik import nik_facts, nik_mismatches, normalize_nik


def refusal(raw) -> str:
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        normalize_nik(raw)
    return caught.value.messages[0]


def test_it_accepts_a_valid_nik_and_decodes_birth_date_and_sex():
    # 73 Sulawesi Selatan, 71 Makassar, 05 district; born 12-03-1990; serial 0001.
    assert normalize_nik("7371051203900001") == "7371051203900001"
    facts = nik_facts("7371051203900001")
    assert (facts.birth_date, facts.sex) == (date(1990, 3, 12), "L")


def test_it_reads_a_womans_day_plus_forty():
    facts = nik_facts("7371055203900001")  # day 52 = 12 + 40
    assert (facts.birth_date, facts.sex) == (date(1990, 3, 12), "P")


@pytest.mark.parametrize(
    "raw", ["7371 0512 0390 0001", "7371.0512.0390.0001", "7371-05-120390-0001"]
)
def test_it_removes_spaces_dots_and_dashes(raw):
    assert normalize_nik(raw) == "7371051203900001"


def test_it_accepts_a_nik_registered_outside_makassar():
    assert normalize_nik("3174011203900001") == "3174011203900001"  # DKI Jakarta


@pytest.mark.parametrize("raw", ["737105120390001", "73710512039000011"])
def test_it_refuses_a_wrong_length(raw):
    assert refusal(raw) == (
        f"NIK harus terdiri dari tepat 16 digit; “{raw}” berisi {len(raw)} digit."
    )


def test_it_refuses_letters():
    assert refusal("7371O51203900001") == (
        "NIK hanya boleh berisi angka; “7371O51203900001” mengandung karakter lain."
    )


def test_it_refuses_an_empty_value():
    assert refusal("  ") == "NIK kosong."


@pytest.mark.parametrize(
    "raw",
    [
        "7371053203900001",  # day 32
        "7371051213900001",  # month 13
        "7371057203900001",  # a woman's day 72 = 32
        "7371052902010001",  # 29 February 2001 / 1901: no leap year
    ],
)
def test_it_refuses_an_impossible_birth_date(raw):
    assert refusal(raw) == (
        f"Digit ke-7 sampai ke-12 NIK ({raw[6:12]}) bukan tanggal lahir yang benar "
        "(tanggal, ditambah 40 untuk perempuan, lalu bulan dan tahun)."
    )


def test_it_accepts_a_leap_day():
    assert nik_facts("7371056902000001").birth_date == date(2000, 2, 29)


def test_it_refuses_serial_0000():
    assert refusal("7371051203900000") == (
        "Empat digit terakhir NIK adalah nomor urut mulai 0001; 0000 tidak ada."
    )


def test_it_refuses_an_unknown_province():
    assert refusal("9971051203900001") == ("NIK diawali 99, yang bukan kode provinsi di Indonesia.")


@pytest.mark.parametrize("raw", ["7.37105E+15", "7,37105E+15", "7.37105e15", 7.371051203900001e15])
def test_it_refuses_excel_scientific_notation(raw):
    message = refusal(raw)
    assert message.startswith("NIK 7")
    assert "diubah menjadi angka oleh spreadsheet" in message
    assert "format kolom NIK sebagai teks" in message


def test_it_takes_the_century_that_is_not_in_the_future():
    assert nik_facts("7371050101050001").birth_date == date(2005, 1, 1)
    assert nik_facts("7371050101600001").birth_date == date(1960, 1, 1)


def test_it_warns_when_the_record_disagrees_with_the_nik():
    with translation.override("id"):
        warnings = nik_mismatches("7371055203900001", date(1990, 3, 13), "L")
    assert warnings == [
        "NIK menunjukkan tanggal lahir 12/03/1990, tetapi data mencatat 13/03/1990.",  # decision 39
        "NIK menunjukkan perempuan (tanggal + 40), tetapi data mencatat laki-laki.",
    ]


def test_it_has_no_warning_when_the_record_agrees():
    assert nik_mismatches("7371055203900001", date(1990, 3, 12), "P") == []


# Kemendagri codes (Permendagri 72/2019, kode wilayah): regencies/cities and districts are numbered from 01, so
# 00 is no place. Each rule is checked after the province; the regency before the district.
REGION_CODES = [
    # (NIK, rule broken or None, what it is)
    ("7301011203900001", None, "73 Sulsel, 01 Kepulauan Selayar, district 01"),
    ("7371011203900001", None, "73 Sulsel, 71 Makassar, district 01 (Mariso)"),
    ("7300051203900001", "nik_regency", "regency 00"),
    ("7371001203900001", "nik_district", "district 00"),
    ("7300001203900001", "nik_regency", "both 00: the regency is named first"),
    ("3100011203900001", "nik_regency", "31 DKI Jakarta, regency 00"),
]


@pytest.mark.parametrize(
    ("raw", "rule", "what"), REGION_CODES, ids=[row[2] for row in REGION_CODES]
)
def test_region_codes_00_are_refused_each_with_its_rule(raw, rule, what):
    if rule is None:
        assert normalize_nik(raw) == raw
        return
    with pytest.raises(ValidationError) as caught:
        normalize_nik(raw)
    assert caught.value.code == rule


def test_the_region_refusals_say_which_digits_in_indonesian():
    assert refusal("7300051203900001") == (
        "Digit ke-3 dan ke-4 NIK adalah kode kabupaten atau kota, mulai dari 01; 00 bukan kabupaten atau "
        "kota. Periksa NIK dengan KTP."
    )
    assert refusal("7371001203900001") == (
        "Digit ke-5 dan ke-6 NIK adalah kode kecamatan, mulai dari 01; 00 bukan kecamatan. Periksa NIK "
        "dengan KTP."
    )


# How spreadsheet users force a number to stay text: an apostrophe before it (Excel and LibreOffice), which a
# word processor or a phone keyboard turns into a typographic one.
TEXT_MARKED = [
    ("'7371051203900001", "7371051203900001"),
    ("\u20197371051203900001", "7371051203900001"),  # ’ right single quotation mark
    ("\u20187371051203900001", "7371051203900001"),  # ‘ left single quotation mark
    (" '7371 0512 0390 0001 ", "7371051203900001"),  # with spaces around and inside
    ("'\uff17\uff13\uff17\uff11051203900001", "7371051203900001"),  # and fullwidth digits after it
]


@pytest.mark.parametrize(("raw", "nik"), TEXT_MARKED)
def test_a_leading_apostrophe_is_dropped_before_anything_else(raw, nik):
    assert normalize_nik(raw) == nik


@pytest.mark.parametrize("raw", ["''7371051203900001", "7371051203900001'", "73710512'03900001"])
def test_an_apostrophe_anywhere_else_is_refused(raw):
    with pytest.raises(ValidationError) as caught:
        normalize_nik(raw)
    assert caught.value.code == "nik_not_digits"
