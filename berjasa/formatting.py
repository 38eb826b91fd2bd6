"""Numbers and money as people in Makassar read them, in the Indonesian format whatever the interface language.

``rupiah(16_800)`` is ``Rp16.800`` (a dot between thousands, no decimals: Rupiah amounts are whole);
``rupiah_short(387_400_000_000)`` is ``Rp387,4 miliar`` (a decimal comma and the scale word, as in the
city's and BPJS's own reports).
"""

from decimal import ROUND_HALF_UP, Decimal

# Largest first. Below a million the full amount reads well enough.
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def number(value: int) -> str:
    """``263903`` → ``263.903``."""
    return f"{value:,}".replace(",", ".")


def percent(value: Decimal | float) -> str:
    """``Decimal("63.47")`` → ``63,47 %`` (two decimals, half up)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _sep, fraction = f"{abs(rounded):f}".partition(".")
    return f"{sign}{number(int(whole))},{fraction} %"


def mask_nik(nik: str) -> str:
    """A NIK as lists show it: ``7371051203900001`` → ``737105••••••0001``.

    The province, regency and district (6 digits) and the last 4 stay; the birth date is hidden. The full NIK
    is on the person's own page only (whose every view is recorded, ``privacy``) and in downloads.
    """
    if len(nik) <= 10:
        return "•" * len(nik)
    return f"{nik[:6]}{'•' * (len(nik) - 10)}{nik[-4:]}"


def rupiah(amount: int) -> str:
    """``16800`` → ``Rp16.800``; ``-5000`` → ``-Rp5.000``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{number(abs(amount))}"


def rupiah_short(amount: int) -> str:
    """A large amount rounded to its scale: ``Rp387,4 miliar``, ``Rp5,97 miliar``, ``Rp1,5 juta``.

    Two decimals below 10 of a unit, one decimal above, trailing zeros dropped; amounts under a million
    (after rounding) are written in full, as ``rupiah`` does.
    """
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    for unit, word in _SCALES:
        value = Decimal(size) / unit
        step = Decimal("0.01") if value < 10 else Decimal("0.1")
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
        if rounded >= 1:
            number = f"{rounded:f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{sign}Rp{number} {word}"
    return rupiah(amount)
