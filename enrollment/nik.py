"""NIK (Nomor Induk Kependudukan) rules, in one place; forms, the admin and imports all call these.

A NIK is 16 digits, ``PP KK CC DD MM YY SSSS``: province, regency/city and district of first registration,
birth date (40 added to the day for women) and a serial from 0001. There is no check digit.

A birth date or sex that disagrees with the NIK is judged by ``judge_nik_facts`` on every path (decision 56).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.formatting import short_date
from enrollment.date_rules import Contradiction, confirmations, may_confirm

# Kemendagri province codes (incl. the Papua provinces formed in 2022).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip

_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE][+-]?\d+$")
FEMALE_DAY_OFFSET = 40
# What a spreadsheet user types before a number to keep it text ('7371…), and what a word processor or phone
# keyboard makes of that apostrophe (’ and ‘).
TEXT_MARKS = "'\N{RIGHT SINGLE QUOTATION MARK}\N{LEFT SINGLE QUOTATION MARK}"


@dataclass(frozen=True)
class NikFacts:
    """What a NIK itself says about its holder."""

    birth_date: date
    sex: str  # "L" or "P", as Worker.Sex


def compact_number(text: str) -> str:
    """``text`` as a long number is typed: separators removed, the digits of any script in ASCII.

    A decimal digit of any script (Unicode category Nd: fullwidth ０-９, Arabic-Indic ٠-٩, Devanagari …) is
    its ASCII digit, so one NIK is one person whatever keyboard typed it. Spaces, dots, dashes and invisible
    format characters (a zero-width space pasted from a web page) are separators. Anything else is kept for
    the caller to refuse: superscripts (¹²³) and circled digits are not decimal digits.
    """
    if (
        text.isascii() and text.isdigit()
    ):  # as most files write it: nothing to compact (a third of a read)
        return text
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if character.isspace() or character == "." or category in ("Pd", "Cf"):
            continue
        kept.append(str(unicodedata.decimal(character)) if category == "Nd" else character)
    return "".join(kept)


def without_text_mark(text: str) -> str:
    """``text`` stripped of spaces and of the one apostrophe a spreadsheet user typed to keep a number as text.

    Applied first to every number typed as text (NIK, KPJ, phone), on every path: ``'7371…`` is ``7371…``.
    """
    text = text.strip()
    return text[1:].lstrip() if text and text[0] in TEXT_MARKS else text


def _shown(text: str) -> str:
    """``text`` fit for a message: invisible and control characters marked, at most 40 characters."""
    marked = "".join(
        "\N{REPLACEMENT CHARACTER}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )
    return marked if len(marked) <= 40 else f"{marked[:40]}…"


def normalize_nik(raw: object, *, today: date | None = None) -> str:
    """Return the 16-digit NIK in ``raw`` or raise ValidationError with a message a clerk understands.

    A leading apostrophe is dropped (``without_text_mark``), separators are removed and digits of any script
    read as ASCII (``compact_number``). A number that a spreadsheet wrote in scientific notation
    (``7.37101E+15``), or a numeric spreadsheet cell, has lost its last digits and is refused.
    """
    if type(raw) is str and len(raw) == 16 and raw.isascii() and raw.isdigit():
        nik_facts(raw, today=today)  # as most files write it: nothing to strip or compact
        return raw
    text = "" if raw is None else without_text_mark(str(raw))
    # A spreadsheet keeps 15 significant digits: a NIK that arrives as a number (a float, or a numeric
    # spreadsheet cell) has lost the last ones, even when it still shows 16 digits.
    from_a_number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if from_a_number or _SCIENTIFIC.match(text.replace(" ", "")):
        if from_a_number:
            text = f"{raw:.5E}"
        raise ValidationError(
            _(
                "The NIK %(value)s was turned into a number by a spreadsheet and has lost its last "
                "digits. Format the NIK column as text and type the 16 digits again."
            ),
            code="nik_scientific",
            params={"value": text},
        )
    digits = compact_number(text)
    if not digits:
        raise ValidationError(_("The NIK is empty."), code="nik_empty")
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(
            _("The NIK may contain digits only; “%(value)s” contains other characters."),
            code="nik_not_digits",
            params={"value": _shown(text)},
        )
    if len(digits) != 16:
        raise ValidationError(
            _("A NIK has exactly 16 digits; “%(value)s” has %(count)d."),
            code="nik_length",
            params={"value": _shown(text), "count": len(digits)},
        )
    nik_facts(digits, today=today)
    return digits


def nik_facts(nik: str, *, today: date | None = None) -> NikFacts:
    """Decode a 16-digit NIK; raise ValidationError if its province, date or serial is impossible.

    ``today`` (the local date by default) spares bulk callers a clock lookup per NIK.
    """
    if nik[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The NIK starts with %(code)s, which is not an Indonesian province code."),
            code="nik_province",
            params={"code": nik[:2]},
        )
    if nik[2:4] == "00":
        raise ValidationError(
            _(
                "Digits 3 and 4 of the NIK are the regency or city code, from 01; 00 is no regency or "
                "city. Check the NIK against the KTP."
            ),
            code="nik_regency",
        )
    if nik[4:6] == "00":
        raise ValidationError(
            _(
                "Digits 5 and 6 of the NIK are the district (kecamatan) code, from 01; 00 is no district. "
                "Check the NIK against the KTP."
            ),
            code="nik_district",
        )
    facts = _decoded(nik[6:12], today or timezone.localdate())
    if facts is None:
        raise ValidationError(
            _(
                "Digits 7 to 12 of the NIK (%(digits)s) are not a real birth date "
                "(day, plus 40 for women, then month and year)."
            ),
            code="nik_birth_date",
            params={"digits": nik[6:12]},
        )
    if nik[12:] == "0000":
        raise ValidationError(
            _("The last four digits of a NIK are a serial number from 0001; 0000 does not exist."),
            code="nik_serial",
        )
    return facts


@functools.lru_cache(maxsize=131_072)
def _decoded(digits: str, today: date) -> NikFacts | None:
    """Digits 7 to 12 of a NIK (day, plus 40 for women; month; year) as its holder's birth date and sex, or
    None when they are no date (remembered: an import of a few hundred thousand NIKs meets each of the ~73,000
    possible values many times)."""
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sex = "P" if day > FEMALE_DAY_OFFSET else "L"
    if sex == "P":
        day -= FEMALE_DAY_OFFSET
    birth_date = _birth_date(day, month, year2, today)
    return None if birth_date is None else NikFacts(birth_date=birth_date, sex=sex)


def _birth_date(day: int, month: int, year2: int, today: date) -> date | None:
    """The date, taking the most recent century that does not put it in the future."""
    for century in (2000, 1900):
        try:
            candidate = date(century + year2, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def nik_mismatches(
    nik: str, birth_date: date | None, sex: str | None, *, today: date | None = None
) -> list[str]:
    """Warnings where the record disagrees with what the NIK encodes.

    A mismatch is a warning an operator may override (old records have typos), not an error.
    """
    facts = nik_facts(nik, today=today)
    warnings = []
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        facts.birth_date.day,
        facts.birth_date.month,
        facts.birth_date.year % 100,
    ):
        warnings.append(
            _("The NIK encodes the birth date %(nik_date)s, but the record says %(record_date)s.")
            % {
                "nik_date": short_date(facts.birth_date),
                "record_date": short_date(birth_date),
            }
        )
    if sex and sex != facts.sex:
        warnings.append(
            _("The NIK encodes a woman (day + 40), but the record says male.")
            if facts.sex == "P"
            else _("The NIK encodes a man, but the record says female.")
        )
    return warnings


NIK_MISMATCH = "nik_mismatch"  # the code of the warning, as stored with a confirmation


class NikContradicts(ValidationError):
    """The birth date or sex disagrees with the NIK, and no staff user confirmed the record."""

    def __init__(self, mismatches: list[str], confirmable: bool) -> None:
        self.mismatches = mismatches
        self.confirmable = confirmable
        advice = (
            _("If the worker's KTP confirms the record, confirm the warning and save again.")
            if confirmable
            else _(
                "Correct the birth date or sex as on the KTP. If the KTP itself disagrees with its NIK, "
                "Disnaker records the worker."
            )
        )
        super().__init__(
            [ValidationError(message, code=NIK_MISMATCH) for message in [*mismatches, advice]]
        )


def judge_nik_facts(
    nik: str,
    birth_date: date | None,
    sex: str | None,
    *,
    acting_user,
    channel: str,
    confirm: bool = False,
    today: date | None = None,
) -> list[dict] | None:
    """The one rule of every path (portal, admin forms and imports, roster and DTSEN files, commands).

    A disagreement is a warning staff (and the commands they run) may confirm, as old records and some KTPs
    carry typos; for an employer's user or the portal it is refused (``NikContradicts``), as the date rules'
    warnings are (``enrollment.date_rules.may_confirm``). Returns what the worker stores as
    ``confirmed_warnings`` (who confirmed what, when), None when nothing disagrees.
    """
    mismatches = nik_mismatches(nik, birth_date, sex, today=today)
    if not mismatches:
        return None
    allowed = may_confirm(acting_user, channel)
    if not (confirm and allowed):
        raise NikContradicts(mismatches, allowed)
    return confirmations([Contradiction(NIK_MISMATCH, text) for text in mismatches], acting_user)
