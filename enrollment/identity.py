"""Proof of identity when an employer links a person the city already knows by NIK (decision 30).

A NIK is no secret: it is printed on the KTP and encodes the birth date and sex. So an employer who types a known
NIK links that person to its roster only when it also gives, as on record:

- the full name, matched leniently (``names_match``: case, spaces, punctuation, accents, titles and degrees,
  "Muh."/"Moh." for "Muhammad", about one typing slip per eight letters, never another given name);
- the birth date and the sex;
- the KPJ number or the phone number (``enrollment.phones``: +62 8…, 62 8…, 8… and 08… are one number). A KPJ that
  is given and differs from the one on record refuses the proof, whatever the phone: a KPJ is issued once per
  person, a phone number changes hands.

A person with neither a KPJ nor a phone on record cannot be proven by an employer; Disnaker links them.
``judge`` applies the rule; ``enrollment.services.identity`` records, throttles and links.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from berjasa.roles import Role, user_has_role
from enrollment.nik import compact_number
from enrollment.phones import comparable_phone

# Titles, honorifics and degrees, written without dots or spaces and in lower case.
TITLES = frozenset((
    "h", "hj", "kh", "bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "tn", "ny", "nn",  # honorifics
    "prof", "dr", "drs", "dra", "ir", "phd", "lc",
    "se", "sh", "ssos", "spd", "spdi", "skom", "sag", "skep", "sked", "sfarm", "ssi", "spsi", "sip", "shut",
    "sp", "sak", "stp", "str", "sikom", "sgz", "sthi",  # bachelors (S.T. is caught as a dotted degree)
    "mm", "mpd", "msi", "mkes", "mh", "mt", "mkom", "mag", "mak", "me", "msc", "mba", "mhum", "mkn",  # masters
    "amd", "amdkep", "amdkeb", "amdfarm", "amdak", "amdkom", "ama",  # diplomas
))  # fmt: skip
# A dotted degree not in the list (S.Kep.Ns., A.Md.Gz.): letters and dots, at least one dot inside.
_DOTTED_DEGREE = re.compile(r"^[a-z]{1,3}(\.[a-z]{1,4})+\.?$")
# Abbreviations and spellings of one name, to the spelling compared.
SAME_NAME = {
    "muh": "muhammad",
    "moh": "muhammad",
    "mhd": "muhammad",
    "muhd": "muhammad",
    "mohd": "muhammad",
    "muhamad": "muhammad",
    "mohammad": "muhammad",
    "mohamad": "muhammad",
    "muhammed": "muhammad",
    "abd": "abdul",
    "st": "siti",  # "St. Aminah"; the degree S.T. is written with its dots ("Ahmad, S.T.")
}
# Old (pre-1972) spellings still on many documents: Soekarno is Sukarno, Djamal is Jamal, Tjahja is Cahja.
_OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"))
LETTERS_PER_EDIT = 8


class IdentityNotProven(ValidationError):
    """The details did not prove the person (or were not checked): the one refusal every path shows."""

    def __init__(self, throttled: bool = False) -> None:
        super().__init__(THROTTLED_MESSAGE if throttled else REFUSED_MESSAGE)
        self.throttled = throttled


REFUSED_MESSAGE = _(
    "The details you entered do not match the city's record for this NIK. Check the NIK, the full name as on the "
    "KTP, the birth date, the sex, and the KPJ number or the phone number. Disnaker has been told and will "
    "follow up."
)
THROTTLED_MESSAGE = _(
    "Too many details did not match the city's records in the last hour, so these were not checked. Try again "
    "in an hour, or contact Disnaker."
)


def proof_required(user) -> bool:
    """Whether ``user`` must prove identity to link a known person: everyone but Disnaker (administrators,
    operators) and the commands, which run without a signed-in user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return not (user_has_role(user, Role.ADMINISTRATOR) or user_has_role(user, Role.OPERATOR))


def failures_allowed() -> int:
    return settings.IDENTITY_PROOF_FAILURES_PER_HOUR


# --- names ---------------------------------------------------------------------------------------------------


def name_tokens(name: str | None) -> list[str]:
    """The words of a name as compared: accents, case, punctuation, titles and degrees gone, abbreviations
    written out. ``"Hj. St. Nurhaliza, S.Pd."`` → ``["st", "nurhaliza"]``."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = []
    for part in text.split(","):
        if _letters(part) in TITLES:  # ", S. Pd" written with a space
            continue
        for word in part.split():
            if _letters(word) in TITLES or _DOTTED_DEGREE.match(word.strip("()")):
                continue
            word = _letters(word)
            for old, new in _OLD_SPELLINGS:
                word = word.replace(old, new)
            if word:
                words.append(SAME_NAME.get(word, word))
    return words


def _letters(text: str) -> str:
    return "".join(char for char in text if char.isalpha())


def names_match(recorded: str | None, offered: str | None) -> bool:
    """Whether ``offered`` is the registered name ``recorded``, leniently.

    Spaces do not count ("Nurhaliza" is "Nur Haliza"); the whole name may differ by one edit (a letter added,
    left out, changed, or two swapped) per eight letters; the given name must be the same name: equal, a
    spelling of it within the same allowance, or the same letters split differently.
    """
    ours, theirs = name_tokens(recorded), name_tokens(offered)
    if not ours or not theirs:
        return False
    whole_ours, whole_theirs = "".join(ours), "".join(theirs)
    longest = max(len(whole_ours), len(whole_theirs))
    if edit_distance(whole_ours, whole_theirs, longest // LETTERS_PER_EDIT) is None:
        return False
    return _same_given_name(ours, theirs, whole_ours, whole_theirs)


def _same_given_name(
    ours: list[str], theirs: list[str], whole_ours: str, whole_theirs: str
) -> bool:
    first_ours, first_theirs = ours[0], theirs[0]
    if first_ours == first_theirs:
        return True
    longer = max(first_ours, first_theirs, key=len)
    if whole_ours.startswith(longer) and whole_theirs.startswith(longer):
        return True  # "Nur Haliza" and "Nurhaliza": the same letters, another space
    allowed = len(longer) // LETTERS_PER_EDIT
    return allowed > 0 and edit_distance(first_ours, first_theirs, allowed) is not None


def edit_distance(first: str, second: str, limit: int) -> int | None:
    """Edits (insert, delete, replace, swap two neighbours) from one to the other, or None beyond ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return None
    previous_row: list[int] | None = None
    row = list(range(len(second) + 1))
    for i, left in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, right in enumerate(second, start=1):
            cost = left != right
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and left == second[j - 2] and first[i - 2] == right and before:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(min(row), min(previous_row) + 1) > limit:
            return None
    return row[-1] if row[-1] <= limit else None


# --- KPJ -----------------------------------------------------------------------------------------------


def normalise_kpj(kpj: str | None) -> str:
    """A KPJ number as compared: its ASCII digits (read as a NIK is, ``compact_number``: ０-９ or ٠-٩ are 0-9),
    without leading zeros, which a spreadsheet drops from a number cell (``01234567890`` is ``1234567890``)."""
    return "".join(char for char in compact_number(kpj or "") if "0" <= char <= "9").lstrip("0")


# --- the rule ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """The details of a person: as on record, or as an employer gave them."""

    name: str | None
    birth_date: date | None
    sex: str | None
    kpj: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, worker) -> "Details":
        return cls(worker.name, worker.birth_date, worker.sex, worker.kpj, worker.phone)


@dataclass(frozen=True)
class Verdict:
    """Which details matched; None where one side had none (nothing to compare)."""

    name: bool
    birth_date: bool
    sex: bool
    kpj: bool | None
    phone: bool | None

    @property
    def proven(self) -> bool:
        return (
            self.name
            and self.birth_date
            and self.sex
            and self.kpj is not False
            and (self.kpj is True or self.phone is True)
        )


def judge(recorded: Details, offered: Details) -> Verdict:
    """The one rule every path applies (portal form, roster import, services)."""
    return Verdict(
        name=names_match(recorded.name, offered.name),
        birth_date=offered.birth_date is not None and offered.birth_date == recorded.birth_date,
        sex=bool(offered.sex) and offered.sex == recorded.sex,
        kpj=_compared(normalise_kpj(recorded.kpj), normalise_kpj(offered.kpj)),
        phone=_compared(comparable_phone(recorded.phone), comparable_phone(offered.phone)),
    )


def _compared(recorded: str, offered: str) -> bool | None:
    if not recorded or not offered:
        return None
    return recorded == offered
