"""Indonesian phone numbers, in one stored form (decision 35): forms, the admin, imports, the services and the
identity proof all read a number through ``normalize_phone``.

The stored form is the national one, digits only: ``0`` and the national number (the number after +62).
``+62 812-3456-7890``, ``62 812 3456 7890``, ``0812.3456.7890``, ``(0812) 3456 7890``, ``+62 (0)812 3456 7890``
and a spreadsheet's ``8123456790`` (a number cell drops the leading zero) are all ``081234567890``.

- A mobile number (national number starting with 8) has 9 to 12 digits after the 0: ``0812345678`` (old,
  10 digits) to ``0812345678901`` (13 digits).
- A landline (national number starting with 2 to 7 or 9: the area code, Makassar's is 411) has 8 to 10 digits
  after the 0: ``0411 123456`` is ``0411123456``, Jakarta's ``021 1234 5678`` is ``02112345678``. A landline is a
  way to reach a person and is kept.
- A foreign number (``+65 …``, ``00 65 …``) is refused: the portal records Indonesian numbers only, the ones
  BPJS Ketenagakerjaan and Disnaker can call.
- A leading ``62`` (without a plus) is the country code, never an area code: a landline written without its 0
  and starting with 62 (North Sumatra's 0620–0629) cannot be told from one, and is read as +62.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from enrollment.nik import compact_number, without_text_mark

COUNTRY_CODE = "62"
MOBILE_DIGITS = range(9, 13)  # digits of a mobile's national number (after the 0)
LANDLINE_DIGITS = range(8, 11)  # area code and subscriber number
# What may stand between the digits: spaces, dots and dashes (removed by compact_number), brackets, slashes.
_SEPARATORS = re.compile(r"[()/]")


def normalize_phone(raw: object) -> str:
    """The stored form of the Indonesian phone number in ``raw`` (``""`` when blank), or ValidationError."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = f"{raw:.0f}"  # a spreadsheet's number cell: 81234567890.0
    text = "" if raw is None else without_text_mark(str(raw))
    digits = _SEPARATORS.sub("", compact_number(text))
    if not digits:
        return ""
    international = digits.startswith("+")
    if international:
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(
            _(
                "A phone number may contain digits, spaces, dots, dashes, brackets and a leading + only; "
                "“%(value)s” contains other characters."
            ),
            code="phone_characters",
            params={"value": text[:40]},
        )
    if digits.startswith("00"):  # the international prefix, as "+"
        digits, international = digits[2:], True
    if digits.startswith(COUNTRY_CODE) and not digits.startswith("0"):
        digits = digits[len(COUNTRY_CODE) :]
    elif international:
        raise ValidationError(
            _(
                "“%(value)s” is a foreign phone number; only Indonesian numbers (starting with 08, +62 or "
                "62) can be recorded."
            ),
            code="phone_foreign",
            params={"value": text[:40]},
        )
    national = digits.removeprefix("0")  # "+62 (0)812…" and the trunk 0 of "0812…"
    allowed = MOBILE_DIGITS if national.startswith("8") else LANDLINE_DIGITS
    if national[:1] in ("", "0", "1") or len(national) not in allowed:
        raise ValidationError(
            _(
                "“%(value)s” is not an Indonesian phone number: a mobile number has 10 to 13 digits "
                "and starts with 08 (or +62 8), a landline starts with its area code, such as 0411."
            ),
            code="phone_length",
            params={"value": text[:40]},
        )
    return "0" + national


def comparable_phone(raw: object) -> str:
    """``raw`` in the stored form, or ``""`` when it is no Indonesian number: what two records compare."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return ""
