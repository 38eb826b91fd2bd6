"""How the site writes percentages, clock times and dates (decision 39), by hand-written expectations.

- Percentages: ``63,47%`` — a decimal comma and the sign written against the number (CLDR ``id`` percent
  pattern ``#,##0%``, decimal ``,``, group ``.``).
- Clock times: ``23.59 WITA`` — a dot between hours and minutes (EYD: the full stop separates hours, minutes
  and seconds, "pukul 01.35.20"; CLDR ``id`` ``Hm`` = ``HH.mm``), then the zone of Asia/Makassar (WITA, UTC+8,
  no daylight saving).
- Dates for clerks: ``31/08/2025`` — day first with slashes as CLDR ``id``'s short date (``dd/MM/yy``) with the
  four-digit year; what the import template asks for and the XLSX cells show. Long dates in report headings:
  ``31 Agustus 2025``.

A page of each role, rendered in Indonesian, shows none of the old forms in its visible text: no ISO date, no
``63,47 %``, no ``23:59``.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from berjasa.formatting import clock, date_time, long_date, percent, short_date
from berjasa.spreadsheets import stream_csv, write_xlsx
from enrollment import services
from enrollment.models import Channel, Claim, Employment, ImportBatch, Membership, Worker
from enrollment.resources import WorkerResource
from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in
from tests.test_imports import csv_file, row
from tests.test_reports_browser import log_in as log_in_with_second_factor

# --- the helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("63.47"), 2, "63,47%"),  # the published UCJ coverage, August 2025
        (Decimal("63.4699"), 2, "63,47%"),  # two decimals, half up
        (Decimal("0.005"), 2, "0,01%"),  # half up, not to even
        (100, 2, "100,00%"),
        (Decimal("-1.5"), 2, "-1,50%"),
        (Decimal("1234.5"), 2, "1.234,50%"),  # a dot between thousands
        (Decimal("0.500"), None, "0,5%"),  # a rate as precise as it is
        (Decimal("0.240"), None, "0,24%"),  # JKK risk class 1, PP 44/2015
        (Decimal("3.000"), None, "3%"),  # JP, PP 45/2015 Pasal 28
        (Decimal("5.7"), None, "5,7%"),  # JHT, PP 46/2015
    ],
)
def test_it_writes_percentages_with_a_decimal_comma_and_no_space(value, places, expected):
    assert percent(value, places=places) == expected


@pytest.mark.parametrize(
    ("moment", "expected_clock", "expected_moment"),
    [
        # UTC+8: 15.59 UTC is 23.59 in Makassar, the same day.
        (datetime(2025, 8, 31, 15, 59, tzinfo=UTC), "23.59 WITA", "31/08/2025 23.59 WITA"),
        # 16.00 UTC is midnight in Makassar, already the next day: two-digit hours, 00.00.
        (datetime(2025, 8, 31, 16, 0, tzinfo=UTC), "00.00 WITA", "01/09/2025 00.00 WITA"),
        (datetime(2025, 1, 2, 1, 5, tzinfo=UTC), "09.05 WITA", "02/01/2025 09.05 WITA"),
    ],
)
def test_it_writes_clock_times_with_a_dot_in_the_sites_zone(
    moment, expected_clock, expected_moment
):
    for language in ("id", "en"):  # the same numeric forms in English (decision 39)
        with translation.override(language):
            assert clock(moment) == expected_clock
            assert date_time(moment) == expected_moment


def test_it_writes_dates_day_first_with_slashes_and_long_dates_with_the_month_name():
    with translation.override("id"):
        assert short_date(date(2025, 8, 31)) == "31/08/2025"
        assert short_date(date(1995, 12, 16)) == "16/12/1995"
        assert long_date(date(2025, 8, 31)) == "31 Agustus 2025"
        assert long_date(date(1995, 12, 16)) == "16 Desember 1995"
    with translation.override("en"):
        assert short_date(date(2025, 8, 1)) == "01/08/2025"
        assert long_date(date(2025, 8, 31)) == "31 August 2025"
    with translation.override(None):  # a command with translations deactivated
        assert short_date(date(2025, 8, 31)) == "31/08/2025"


def test_templates_write_dates_and_times_from_the_same_formats():
    template = Template(
        "{% load berjasa %}{{ day|date }} | {{ moment }} | {{ moment|date:'DATETIME_FORMAT' }} | "
        "{{ moment|time }} | {{ day|long_date }} | {{ rate|rate }} | {{ iso|iso_date }}"
    )
    context = Context(
        {
            "day": date(2025, 8, 31),
            "moment": datetime(2025, 8, 31, 15, 59, tzinfo=UTC),
            "rate": "0.24",  # the calculator's JSON contract
            "iso": "2015-07-01",
        }
    )
    with translation.override("id"):
        assert template.render(context) == (
            "31/08/2025 | 31/08/2025 23.59 WITA | 31/08/2025 23.59 WITA | 23.59 WITA | "
            "31 Agustus 2025 | 0,24% | 01/07/2015"
        )
    with translation.override("en"):
        assert template.render(context).startswith("31/08/2025 | 31/08/2025 23.59 WITA")


class _DateForm(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField(required=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/08/2025", date(2025, 8, 31)),
        ("31-08-2025", date(2025, 8, 31)),
        ("31.08.2025", date(2025, 8, 31)),
        ("2025-08-31", date(2025, 8, 31)),  # what a browser's date input sends
        ("05/08/2025", date(2025, 8, 5)),  # 5 August, never 8 May
        ("08/31/2025", None),  # month first is refused, not read as 31 August
        ("31/08/25", None),  # two-digit years are refused in forms, not guessed
    ],
)
def test_forms_read_dates_day_first_only(typed, expected):
    for language in ("id", "en"):
        with translation.override(language):
            form = _DateForm({"day": typed})
            assert form.is_valid() is (expected is not None), form.errors
            if expected:
                assert form.cleaned_data["day"] == expected


def test_forms_write_dates_and_times_back_in_the_clerks_form():
    with translation.override("id"):
        form = _DateForm(
            initial={"day": date(2025, 8, 31), "moment": datetime(2025, 8, 31, 15, 59, tzinfo=UTC)}
        )
        assert 'value="31/08/2025"' in str(form["day"])
        assert 'value="31/08/2025 23.59"' in str(form["moment"])
        typed = _DateForm({"day": "31/08/2025", "moment": "31/08/2025 23.59"})
        assert typed.is_valid(), typed.errors
        assert typed.cleaned_data["moment"] == datetime(2025, 8, 31, 15, 59, tzinfo=UTC)


def test_files_write_dates_for_clerks_and_keep_xlsx_dates_as_dates(tmp_path):
    moment = datetime(2025, 8, 31, 15, 59, tzinfo=UTC)
    text = "".join(stream_csv(["day", "moment"], [[date(2025, 8, 31), moment]]))
    assert text == "\ufeffday,moment\r\n31/08/2025,31/08/2025 23.59 WITA\r\n"
    path = tmp_path / "dates.xlsx"
    with path.open("wb") as file:
        write_xlsx(file, ["day", "moment"], [[date(2025, 8, 31), moment]])
    sheet = load_workbook(path).active
    day_cell, moment_cell = sheet["A2"], sheet["B2"]
    assert (day_cell.is_date, day_cell.number_format) == (True, "dd/mm/yyyy")
    assert day_cell.value == datetime(2025, 8, 31)  # noqa: DTZ001 - a spreadsheet date has no zone
    assert (moment_cell.is_date, moment_cell.number_format) == (True, "dd/mm/yyyy hh.mm")
    assert moment_cell.value == datetime(2025, 8, 31, 23, 59)  # noqa: DTZ001 - local (WITA) time


def test_the_admin_export_writes_dates_for_clerks_and_hands_xlsx_a_date(reference_data):
    worker = factories.make_worker(birth_date=date(1995, 12, 16))
    fields = WorkerResource().get_export_fields()
    as_text = WorkerResource().export_resource(worker)
    native = WorkerResource().export_resource(worker, force_native_type=True)
    birth = [field.attribute for field in fields].index("birth_date")
    assert as_text[birth] == "16/12/1995"  # CSV, which the admin's import reads back
    assert native[birth] == date(1995, 12, 16)  # an XLSX date cell, shown dd/mm/yyyy


# --- the pages of each role -------------------------------------------------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SPACED_PERCENT = re.compile(r"\d+,\d+\s%")
COLON_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


class _VisibleText(HTMLParser):
    """The text a reader sees: no attributes (URLs, input values), no scripts or styles."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_the_visible_text_parser_ignores_attributes_and_scripts():
    text = visible_text(
        '<a href="/x?on=2025-08-31">31/08/2025</a><input value="2025-08-31">'
        "<script>var t = '23:59';</script><p>63,47%</p>"
    )
    assert text == "31/08/2025 63,47%"


def old_forms_in(html: str) -> list[str]:
    text = visible_text(html)
    return [
        found.group()
        for pattern in (ISO_DATE, SPACED_PERCENT, COLON_CLOCK)
        for found in pattern.finditer(text)
    ]


@pytest.fixture
def roster(employer_a, employer_a_user, operator):
    """Employer A's worker with a job, memberships (one ended), a claim and a history; a confirmed import."""
    done = {"acting_user": operator, "channel": Channel.ADMIN}
    worker = factories.make_worker(name="Andi Pratama", birth_date=date(1995, 12, 16))
    employment = factories.make_employment(worker, employer_a, start_date=date(2025, 7, 1))
    factories.make_membership(worker, "JKK", employer=employer_a, start_date=date(2025, 7, 1))
    factories.make_membership(
        worker, "JKM", employer=employer_a, start_date=date(2025, 7, 1), end_date=date(2025, 8, 31)
    )
    factories.make_claim(
        worker, "JKK", incident_date=date(2025, 8, 5), submitted_date=date(2025, 8, 20)
    )
    services.update_employment(
        employment, start_date=date(2025, 7, 1), monthly_wage=4_000_000, **done
    )
    return worker


@pytest.fixture
def imported(client, employer_a_user, roster):
    client.force_login(employer_a_user)
    client.post(
        reverse("portal:imports"),
        {
            "file": csv_file([row(start="01/07/2025"), row("12", born="1990-03-12")]),
            "reason": "CONTRACT_ENDED",
        },
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}), {"only_valid_rows": "1"})
    client.logout()
    return ImportBatch.objects.get()


def _pages_have_no_old_forms(client, urls: list[str]) -> None:
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        assert response.status_code == 200, url
        assert old_forms_in(response.content.decode()) == [], url


def test_the_employers_pages_write_dates_times_and_percentages_the_indonesian_way(
    client, employer_a_user, roster, imported
):
    client.force_login(employer_a_user)
    _pages_have_no_old_forms(
        client,
        [
            reverse("portal:home"),
            reverse("portal:roster"),
            reverse("portal:worker", kwargs={"pk": roster.pk}),
            reverse("portal:imports"),
            reverse("portal:import_batch", kwargs={"pk": imported.pk}),
            reverse("contribution") + "?wage=4000000&on=31/08/2025&segment=FORMAL&risk_class=1",
        ],
    )
    page = client.get(reverse("portal:worker", kwargs={"pk": roster.pk})).content.decode()
    assert "16/12/1995" in page  # the birth date
    assert "31/08/2025" in page  # the JKM membership's end
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}\.\d{2} WITA", visible_text(page))  # the history
    assert "4000000" not in visible_text(page)  # the recomputed shares and wage in Rupiah
    calculator = client.get(
        reverse("contribution") + "?wage=4000000&on=31/08/2025&segment=FORMAL&risk_class=1"
    ).content.decode()
    assert "0,24%" in calculator  # JKK risk class 1, PP 44/2015
    assert "01/07/2015" in calculator  # in force from 1 July 2015


def test_the_managers_dashboard_writes_percentages_without_a_space(client, manager, roster):
    client.force_login(manager)
    response = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="id")
    assert old_forms_in(response.content.decode()) == []
    assert re.search(r"\d+,\d{2}%", visible_text(response.content.decode()))


def admin_urls(model, obj) -> list[str]:
    meta = model._meta
    name = f"admin:{meta.app_label}_{meta.model_name}"
    return [
        reverse(f"{name}_changelist"),
        reverse(f"{name}_change", args=[obj.pk]),
        reverse(f"{name}_history", args=[obj.pk]),
    ]


def test_the_admin_writes_dates_and_times_in_the_clerks_form(
    client, administrator, roster, imported
):
    client.force_login(administrator)
    employment = Employment.objects.get(worker=roster)
    membership = Membership.objects.filter(worker=roster).first()
    claim = Claim.objects.get(worker=roster)
    urls = [
        *admin_urls(Worker, roster),
        *admin_urls(Employment, employment),
        *admin_urls(Membership, membership),
        *admin_urls(Claim, claim),
        reverse("admin:enrollment_importbatch_changelist"),
        reverse("admin:enrollment_importbatch_change", args=[imported.pk]),
    ]
    _pages_have_no_old_forms(client, urls)
    change = client.get(reverse("admin:enrollment_worker_change", args=[roster.pk]))
    assert 'value="16/12/1995"' in change.content.decode()  # the date widget's value
    history = client.get(reverse("admin:enrollment_employment_history", args=[employment.pk]))
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}\.\d{2} WITA", visible_text(history.content.decode()))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_page_and_its_admin_history_read_the_same_dates_in_the_browser(
    page, employer_a_user, administrator, roster
):
    """Screenshots: test-artifacts/writing-portal-worker.png and writing-admin-history.png (1280 px)."""
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.goto(reverse("portal:worker", kwargs={"pk": roster.pk}))
    shown = page.locator("main").inner_text()
    assert "16/12/1995" in shown and "31/08/2025" in shown
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}\.\d{2} WITA", shown)
    assert not ISO_DATE.search(shown) and not COLON_CLOCK.search(shown)
    save_screenshot(page, "writing-portal-worker")

    page.context.clear_cookies()
    log_in_with_second_factor(page, administrator)
    employment = Employment.objects.get(worker=roster)
    page.goto(reverse("admin:enrollment_employment_history", args=[employment.pk]))
    shown = page.locator("#content").inner_text()
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}\.\d{2} WITA", shown)
    assert "01/07/2025" in shown  # the employment named by its start
    assert not ISO_DATE.search(shown) and not COLON_CLOCK.search(shown)
    save_screenshot(page, "writing-admin-history")
