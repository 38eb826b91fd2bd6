from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from berjasa.formatting import field_value, rupiah, rupiah_in_words, rupiah_short
from enrollment.models import Claim, ImportBatch, Worker


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "Rp0"),
        (800, "Rp800"),
        (16_800, "Rp16.800"),
        (10_042_300, "Rp10.042.300"),
        (387_400_000_000, "Rp387.400.000.000"),
        (-5_000, "-Rp5.000"),
    ],
)
def test_it_writes_rupiah_with_dots_between_thousands(amount, expected):
    assert rupiah(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (387_400_000_000, "Rp387,4 miliar"),
        (21_700_000_000, "Rp21,7 miliar"),
        (5_970_000_000, "Rp5,97 miliar"),
        (5_000_000_000, "Rp5 miliar"),
        (1_500_000, "Rp1,5 juta"),
        (3_900_000, "Rp3,9 juta"),
        (2_300_000_000_000, "Rp2,3 triliun"),
        (-21_700_000_000, "-Rp21,7 miliar"),
    ],
)
def test_it_shortens_large_amounts_with_a_decimal_comma_and_the_scale_word(amount, expected):
    assert rupiah_short(amount) == expected


def test_it_rounds_half_up_and_moves_to_the_next_scale_when_rounding_reaches_it():
    assert rupiah_short(5_975_000_000) == "Rp5,98 miliar"
    assert rupiah_short(999_996_000_000) == "Rp1 triliun"


def test_it_writes_amounts_under_a_million_in_full():
    assert rupiah_short(16_800) == "Rp16.800"
    assert rupiah_short(950_000) == "Rp950.000"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("status", "VERIFIED", "Terverifikasi"),
        ("amount", 3_650_000, "Rp3.650.000"),
        ("paid_date", date(2025, 2, 1), "01/02/2025"),
        ("created_at", datetime(2025, 2, 1, 15, 30, tzinfo=UTC), "01/02/2025 23.30 WITA"),
        ("paid_date", None, "—"),
        ("reference", "KLM-1", "KLM-1"),
    ],
)
def test_a_field_value_reads_as_a_clerk_writes_it(field, value, expected):
    with translation.override("id"):
        assert field_value(Claim._meta.get_field(field), value) == expected


def test_a_count_and_a_yes_in_a_field_value():
    with translation.override("id"):
        assert field_value(ImportBatch._meta.get_field("count_new"), 39_851) == "39.851"
        assert field_value(Worker._meta.get_field("has_disability"), True) == "ya"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (11, "sebelas rupiah"),
        (19, "sembilan belas rupiah"),
        (110, "seratus sepuluh rupiah"),
        (1_011, "seribu sebelas rupiah"),
        (100_000, "seratus ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (16_800, "enam belas ribu delapan ratus rupiah"),
        (
            967_920_780,
            "sembilan ratus enam puluh tujuh juta sembilan ratus dua puluh ribu tujuh ratus delapan "
            "puluh rupiah",
        ),
        (2_500_000_001, "dua miliar lima ratus juta satu rupiah"),
    ],
)
def test_an_amount_in_words_as_a_signed_document_writes_it(amount, words):
    assert rupiah_in_words(amount) == words
