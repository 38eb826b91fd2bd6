"""Free text about a person (name, address, occupation): what a clerk may type, paste or bring in a file.

Unicode's control characters (category Cc: U+0000–U+001F and U+007F–U+009F) are refused, on every path
(decision 35): they are invisible, break searches, exports and the PDF, and PostgreSQL refuses NUL. Line breaks
and tabs are the exception: a spreadsheet cell with Alt+Enter, or an address pasted from several lines, means a
space, so they are collapsed into one (as runs of spaces are).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LINE_BREAKS = frozenset("\t\n\r\x0b\x0c\x85")


def free_text(value: str) -> str:
    """``value`` with line breaks, tabs and runs of spaces made one space; ValidationError for another control
    character."""
    if _CONTROL.search(value) is None:  # the common case, quick
        return " ".join(value.split()) if "  " in value else value.strip()
    for character in value:
        if _CONTROL.match(character) and character not in LINE_BREAKS:
            raise ValidationError(
                _(
                    "This text contains an invisible control character (%(code)s), usually copied from "
                    "another program. Type the text again by hand."
                ),
                code="control_character",
                params={"code": f"U+{ord(character):04X}"},
            )
    return " ".join(value.split())
