"""The managers' compliance page and its downloads: who may open them, and what they show."""

import io
import zipfile

import pytest
from django.urls import reverse

from tests.test_compliance_figures import city  # noqa: F401 - the hand-counted city of seven employers

pytestmark = pytest.mark.django_db

PAGE = "/reports/kepatuhan/"


def test_the_page_is_where_the_brief_says():
    assert reverse("compliance:compliance") == PAGE


@pytest.mark.parametrize("persona", ["manager", "administrator", "operator"])
def test_report_readers_open_it(client, request, city, persona):  # noqa: F811
    client.force_login(request.getfixturevalue(persona))
    response = client.get(PAGE, {"month": "2025-08"})

    assert response.status_code == 200
    page = response.text
    assert "40,00%" in page  # 2 of 5, the hand count of tests/test_compliance_figures.py
    assert "PT E4" in page and "PT E7" in page  # did not confirm
    assert "PT E1" not in page  # confirmed
    assert "data:image/svg+xml;base64," in page  # the charts


@pytest.mark.parametrize("persona", ["employer_a_user", "employer_b_user"])
def test_employer_users_get_a_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 404
    assert (
        client.get(reverse("compliance:download", args=["not-confirmed", "csv"])).status_code == 404
    )


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_filters_narrow_the_figures(client, manager, city):  # noqa: F811
    client.force_login(manager)
    page = client.get(PAGE, {"month": "2025-08", "size": "LARGE"}).text
    assert "0,00%" in page and "PT E4" in page and "PT E7" not in page


def test_the_non_confirmed_list_downloads_as_csv(client, manager, city):  # noqa: F811
    client.force_login(manager)
    response = client.get(
        reverse("compliance:download", args=["not-confirmed", "csv"]), {"month": "2025-08"}
    )

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 4  # the heading and E4, E5, E7
    assert "PT E7" in lines[3] and "2025-07" in lines[3]  # its last confirmation: July


def test_the_breakdown_downloads_as_xlsx(client, manager, city):  # noqa: F811
    client.force_login(manager)
    response = client.get(
        reverse("compliance:download", args=["breakdown", "xlsx"]), {"month": "2025-08"}
    )

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "73.71.01" in sheet and "40.00" in sheet


def test_an_unknown_download_is_a_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("compliance:download", args=["everything", "csv"])).status_code == 404
    assert client.get(reverse("compliance:download", args=["breakdown", "pdf"])).status_code == 404


def test_the_reports_dashboard_links_to_it(client, manager, reference_data):
    client.force_login(manager)
    assert PAGE in client.get(reverse("reports:dashboard")).text


# --- the admin --------------------------------------------------------------------------------------------

CHANGELIST = "/admin/compliance/rosterconfirmation/"


@pytest.mark.parametrize("persona", ["administrator", "operator"])
def test_disnaker_reopens_in_the_admin_after_giving_a_reason(client, request, city, persona):  # noqa: F811
    from django.contrib.admin.models import LogEntry

    from compliance.models import RosterConfirmation

    user = request.getfixturevalue(persona)
    client.force_login(user)
    confirmation = RosterConfirmation.objects.get(employer=city["E1"])
    chosen = {"action": "reopen", "_selected_action": [confirmation.pk]}

    asked = client.post(CHANGELIST, chosen)  # the intermediate page: the reason first
    assert asked.status_code == 200 and 'name="reason"' in asked.text
    confirmation.refresh_from_db()
    assert confirmation.reopened_at is None

    client.post(CHANGELIST, {**chosen, "reason": "Upah dua pekerja keliru"})
    confirmation.refresh_from_db()
    assert confirmation.reopened_by == user
    assert confirmation.reopen_reason == "Upah dua pekerja keliru"
    assert LogEntry.objects.filter(object_id=str(confirmation.pk)).exists()


def test_the_admin_lists_filters_and_searches_confirmations(client, administrator, city):  # noqa: F811
    client.force_login(administrator)
    assert "PT E6" in client.get(CHANGELIST, {"month": "2025-08", "state": "standing"}).text
    reopened = client.get(CHANGELIST, {"state": "reopened"}).text
    assert "PT E5" in reopened and "PT E6" not in reopened
    assert "PT E7" in client.get(CHANGELIST, {"q": city["E7"].npp}).text


def test_managers_have_no_admin(client, manager):
    client.force_login(manager)
    assert client.get(CHANGELIST).status_code == 302
