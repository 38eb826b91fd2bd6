"""The rule that proves a person's identity (enrollment.identity): names, phone numbers, the verdict.

Hand-made cases; the expected values are written out, never computed by the code under test.
"""

from datetime import date

import pytest

from enrollment.identity import (
    Details,
    edit_distance,
    judge,
    name_tokens,
    names_match,
)
from enrollment.phones import comparable_phone

REGISTERED = "Muhammad Rizal Ramadhan"


@pytest.mark.parametrize(
    "offered",
    [
        "Muhammad Rizal Ramadhan",
        "MUHAMMAD RIZAL RAMADHAN",  # case
        "  muhammad   rizal ramadhan ",  # spaces
        "Muhammad Rizal Ramadhan.",  # punctuation
        "Muh. Rizal Ramadhan",  # abbreviated
        "Moh. Rizal Ramadhan",
        "Mohammad Rizal Ramadhan",
        "H. Muhammad Rizal Ramadhan, S.Kom.",  # title and degree
        "Dr. Ir. Muhammad Rizal Ramadhan, M.M.",
        "Bapak Muhammad Rizal Ramadhan",
        "Muhammad Rizal Ramadhan S.E.",
        "Muhammad Rizal Ramadhan, A.Md.",
        "Muhammad Rizal Ramadan",  # one letter left out (21 letters: up to 2 edits)
        "Muhammad Rizla Ramadhan",  # two letters swapped: one edit
        "Muhammad Rizal Ramadhn",
    ],
)
def test_the_registered_name_is_matched_leniently(offered):
    assert names_match(REGISTERED, offered)


@pytest.mark.parametrize(
    "offered",
    [
        "Ahmad Rizal Ramadhan",  # another given name
        "Rizal Ramadhan",  # not the full name
        "Muhammad Rizal",
        "Muhammad Rizal Ramadhan Putra",  # a name more
        "Ramadhan Muhammad Rizal",  # another order
        "Muhammad Rizky Ramadhani",  # three edits
        "",
        "   ",
        "H., S.Pd.",  # titles only
        None,
    ],
)
def test_another_name_is_refused(offered):
    assert not names_match(REGISTERED, offered)


@pytest.mark.parametrize(
    ("registered", "offered", "matches"),
    [
        ("Hj. Siti Aminah, S.Pd.", "siti aminah", True),
        ("Siti Aminah", "St. Aminah", True),  # St. is Siti in Makassar
        ("Nurhaliza Putri", "Nur Haliza Putri", True),  # the same letters, another space
        ("Andi Besse Tenri", "Andi Bese Tenri", True),  # one typo in 14 letters
        (
            "Andi Ridwan",
            "Anda Ridwan",
            False,
        ),  # one letter, but another given name ("Andi" has 4 letters)
        ("Nurul Hidayah", "Nur Hidayah", False),
        ("Soekarno Djojo", "Sukarno Jojo", True),  # the old spelling
        ("José Ângelo", "Jose Angelo", True),  # accents
        ("Ni Ketut Ayu", "Ni Ketut Ayu, S.Kep.Ns.", True),  # a dotted degree not in the list
        ("Abd. Rahman", "Abdul Rahman", True),
        ("Ibu Ratna", "Ratna", True),
        ("Ratna", "Ratna Sari", False),
    ],
)
def test_names(registered, offered, matches):
    assert names_match(registered, offered) is matches


def test_the_name_as_compared():
    assert name_tokens("Dr. H. Muh. Ali-Akbar, S.E., M.M.") == ["muhammad", "aliakbar"]


@pytest.mark.parametrize(
    ("first", "second", "limit", "distance"),
    [
        ("rizal", "rizal", 0, 0),
        ("rizal", "rizla", 1, 1),  # a swap is one edit
        ("ramadhan", "ramadan", 1, 1),
        ("ramadhan", "ramdn", 2, None),  # three edits, beyond the limit
        ("", "abc", 3, 3),
    ],
)
def test_edit_distance(first, second, limit, distance):
    assert edit_distance(first, second, limit) == distance


@pytest.mark.parametrize(
    "phone",
    [
        "081355501234",
        "0813-5550-1234",
        "+62 813 5550 1234",
        "+62 (0)813 5550 1234",
        "62 813 5550 1234",
        "6281355501234",
        "81355501234",
        "0062 813 5550 1234",
        "\uff10\uff18\uff11\uff13 \uff15\uff15\uff15\uff10 \uff11\uff12\uff13\uff14",  # fullwidth, as a NIK
    ],
)
def test_indonesian_numbers_are_one_number(phone):
    assert comparable_phone(phone) == "081355501234"


@pytest.mark.parametrize(
    ("phone", "normalised"),
    [
        ("(0411) 872 345", "0411872345"),  # a Makassar landline
        ("+62 411 872345", "0411872345"),
        ("0811", ""),  # too short to be anyone's
        ("", ""),
        (None, ""),
        ("tidak ada", ""),
    ],
)
def test_other_numbers(phone, normalised):
    assert comparable_phone(phone) == normalised


RECORD = Details("Siti Aminah", date(1990, 5, 1), "P", kpj="11122233344", phone="0812 1111 2222")


@pytest.mark.parametrize(
    ("offered", "proven"),
    [
        (Details("Siti Aminah", date(1990, 5, 1), "P", kpj="11122233344"), True),
        (Details("Siti Aminah", date(1990, 5, 1), "P", phone="+6281211112222"), True),
        (Details("Siti Aminah", date(1990, 5, 1), "P", kpj="111 222 333 44", phone="0800"), True),
        (Details("Siti Aminah", date(1990, 5, 1), "P"), False),  # neither KPJ nor phone
        (Details("Siti Aminah", date(1990, 5, 1), "P", kpj="11122233345"), False),
        # a wrong KPJ is not outweighed by the right phone: a KPJ is issued once per person
        (
            Details("Siti Aminah", date(1990, 5, 1), "P", kpj="99", phone="081211112222"),
            False,
        ),
        (Details("Siti Aminah", date(1990, 5, 2), "P", kpj="11122233344"), False),
        (Details("Siti Aminah", date(1990, 5, 1), "L", kpj="11122233344"), False),
        (Details("Siti Rahma", date(1990, 5, 1), "P", kpj="11122233344"), False),
    ],
)
def test_the_verdict(offered, proven):
    assert judge(RECORD, offered).proven is proven


def test_a_person_with_neither_kpj_nor_phone_on_record_cannot_be_proven():
    record = Details("Siti Aminah", date(1990, 5, 1), "P")
    verdict = judge(record, Details("Siti Aminah", date(1990, 5, 1), "P", "1", "0812 1111 2222"))
    assert (verdict.name, verdict.kpj, verdict.phone, verdict.proven) == (True, None, None, False)


@pytest.mark.parametrize(
    ("offered_kpj", "matched"),
    [
        ("01234567890", True),  # as recorded
        ("1234567890", True),  # a spreadsheet's number cell dropped the leading zero
        ("'01234567890", True),  # a spreadsheet's apostrophe
        ("1234567891", False),
    ],
)
def test_a_kpj_is_compared_without_its_leading_zeros(offered_kpj, matched):
    record = Details("Siti Aminah", date(1990, 5, 1), "P", kpj="01234567890")
    assert (
        judge(record, Details("Siti Aminah", date(1990, 5, 1), "P", kpj=offered_kpj)).kpj is matched
    )
