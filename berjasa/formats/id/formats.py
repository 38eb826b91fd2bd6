"""Dates and times as clerks in Makassar write them, the one source of every date the site shows (decision 39).

A date is ``31/08/2025`` (what the import template asks for and the XLSX cells show), a clock time ``23.59
WITA`` (EYD and CLDR ``id``: a dot between hours and minutes, then the zone; ``T`` is the abbreviation of
``TIME_ZONE``, WITA for Asia/Makassar). Django's ``id`` defaults (``31 Agu 2025``, ``d-m-Y``, ``G.i``, month-first
input) are replaced. Long dates in titles (``31 Agustus 2025``) are ``berjasa.formatting.long_date``.
"""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H.i T"
DATETIME_FORMAT = "d/m/Y H.i T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is how a form (and the admin's date widget) writes a date back; ISO (2025-08-31, what browsers'
# date inputs send) is always accepted too. No month-first or two-digit-year forms: 05/08/2025 is 5 August.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
TIME_INPUT_FORMATS = ["%H.%M", "%H.%M.%S", "%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    f"{day} {time}" for day in DATE_INPUT_FORMATS for time in TIME_INPUT_FORMATS
] + DATE_INPUT_FORMATS

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
