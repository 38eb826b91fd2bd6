"""Names, addresses and occupations refuse control characters on every path (enrollment.free_text, decision 35).

Unicode category Cc is U+0000–U+001F and U+007F–U+009F. Line breaks and tabs (what Alt+Enter in a spreadsheet
cell or a paste of several lines brings) are one space; every other control character is refused.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from enrollment import services
from enrollment.free_text import free_text
from enrollment.models import Worker
from tests import factories
from tests.test_admin import worker_form_data
from tests.test_admin_imports import admin_import
from tests.test_imports import codes, csv_file, import_, row, xlsx_file
from tests.test_portal_journeys import new_worker_form

pytestmark = pytest.mark.django_db

KEPT = [
    # (as typed, as stored, what it holds)
    ("Nur Ma'rifah", "Nur Ma'rifah", "an apostrophe inside a name"),
    ("Hj. Sitti Aisyah, S.Pd.", "Hj. Sitti Aisyah, S.Pd.", "titles and degrees"),
    ("Jl. Veteran\nNo. 5", "Jl. Veteran No. 5", "a line break (LF)"),
    ("Jl. Veteran\r\nNo. 5", "Jl. Veteran No. 5", "a Windows line break (CR LF)"),
    ("Jl. Veteran\tNo. 5", "Jl. Veteran No. 5", "a tab"),
    ("Jl. Veteran\x0bNo. 5", "Jl. Veteran No. 5", "Excel's line break in a cell (VT)"),
    ("Jl.  Veteran   No. 5 ", "Jl. Veteran No. 5", "runs of spaces"),
    ("Daeng Ngai\u0085", "Daeng Ngai", "a next-line character (NEL) at the end"),
    ("Sulaiman Çelik", "Sulaiman Çelik", "letters beyond ASCII"),
]

REFUSED = [
    # (as typed, the character named in the message)
    ("Nur\x00Haliza", "U+0000"),  # NUL, which PostgreSQL refuses
    ("Nur\x07Haliza", "U+0007"),  # bell
    ("\x1b[31mAndi", "U+001B"),  # escape, as a terminal colour code
    ("Andi\x1fPratama", "U+001F"),  # unit separator
    ("Andi\x7f", "U+007F"),  # delete
    ("Andi\x9bPratama", "U+009B"),  # a C1 control, from text decoded as Latin-1
]


@pytest.mark.parametrize(("raw", "stored", "what"), KEPT, ids=[case[2] for case in KEPT])
def test_text_is_kept_with_line_breaks_made_spaces(raw, stored, what):
    assert free_text(raw) == stored


@pytest.mark.parametrize(("raw", "code"), REFUSED, ids=[case[1] for case in REFUSED])
def test_other_control_characters_are_refused_and_named(raw, code):
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        free_text(raw)
    assert caught.value.code == "control_character"
    assert caught.value.messages == [
        f"Teks ini mengandung karakter kontrol yang tidak terlihat ({code}), biasanya tersalin dari program "
        "lain. Ketik ulang teksnya."
    ]


# --- every path ---------------------------------------------------------------------------------------------------

FIELDS = ["name", "address", "occupation"]


@pytest.mark.parametrize("field", FIELDS)
def test_the_portal_add_form_refuses_it_on_the_field(
    client, employer_a_user, reference_data, field
):
    client.force_login(employer_a_user)
    response = client.post(
        reverse("portal:worker_add"), new_worker_form(**{field: "Jl.\x1b Veteran"})
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Worker.objects.exists()


def test_the_portal_add_form_makes_a_line_break_a_space(client, employer_a_user, reference_data):
    client.force_login(employer_a_user)
    client.post(reverse("portal:worker_add"), new_worker_form(address="Jl. Veteran\r\nNo. 5"))
    assert Worker.objects.get().address == "Jl. Veteran No. 5"


@pytest.mark.parametrize("field", FIELDS)
def test_the_admin_form_refuses_it_on_the_field(client, operator, reference_data, field):
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_worker_add"), worker_form_data(**{field: "Andi\x07"})
    )
    assert list(response.context["adminform"].form.errors) == [field]
    assert not Worker.objects.exists()


@pytest.mark.parametrize("field", FIELDS)
def test_the_services_refuse_it_whatever_calls_them(administrator, field):
    worker = factories.make_worker()
    with pytest.raises(ValidationError) as caught:
        services.update_worker(
            worker, acting_user=administrator, channel="COMMAND", **{field: "Andi\x7f"}
        )
    assert list(caught.value.message_dict) == [field]


def test_the_admin_import_refuses_the_row(client, operator, reference_data):
    client.force_login(operator)
    nik = factories.make_nik()
    content = (
        f"nik,name,birth_date,sex,kelurahan,has_disability\n{nik},Andi\x1bPratama,12/03/1990,L,73.71.01.1001,0\n"
    ).encode()
    admin_import(client, Worker, content)
    assert not Worker.objects.exists()


def test_a_roster_import_refuses_the_cell(employer_a):
    # (A NUL byte refuses the whole CSV file already, at reading; openpyxl cannot write control characters.)
    rows = [
        row(name="Andi\x1bPratama"),
        row(address="Jl. Veteran\x9b"),
        row(occupation="Kasir\x07"),
    ]
    batch = import_(csv_file(rows + [row()]), employer_a, only_valid_rows=True)
    assert codes(batch) == [
        (2, "control_character"),
        (3, "control_character"),
        (4, "control_character"),
    ]
    assert Worker.objects.count() == 1


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_roster_import_makes_a_line_break_in_a_cell_a_space(employer_a, make_file):
    batch = import_(make_file([row(address="Jl. Veteran\nNo. 5")]), employer_a)
    assert batch.count_new == 1
    assert Worker.objects.get().address == "Jl. Veteran No. 5"
