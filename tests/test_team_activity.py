"""The roster's activity in the portal: the history rows written for this employer, by whom, filterable by user;
another employer's rows never; a contact field of a person the employer does not keep named, its values hidden."""

import pytest
from django.urls import reverse

from berjasa.audit import Channel, audit_context
from enrollment.models import EmployerUser, Employment
from enrollment.visibility import NOT_SHOWN
from tests import factories
from tests.test_team import employer_login

pytestmark = pytest.mark.django_db


def change(worker, user, employer, **fields):
    with audit_context(user=user, channel=Channel.PORTAL, employer=employer):
        for name, value in fields.items():
            setattr(worker, name, value)
        worker.save()


@pytest.fixture
def activity(employer_a, employer_b, employer_a_user, employer_b_user):
    EmployerUser.objects.filter(user=employer_a_user).update(is_main_contact=True)
    colleague = employer_login("rekan_a", employer_a)
    kept = factories.make_worker(name="Andi Anwar", keeper=employer_a)
    shared = factories.make_worker(name="Sitti Shared", keeper=employer_b, phone="081234567890")
    for worker in (kept, shared):
        factories.make_employment(worker, employer_a)
    factories.make_employment(shared, employer_b)
    change(kept, employer_a_user, employer_a, occupation="Kasir")
    change(kept, colleague, employer_a, phone="081111222333")
    change(shared, employer_a_user, employer_a, phone="089999888777")  # written while A kept them
    change(shared, employer_b_user, employer_b, name="Sitti Bahagia")  # B's, never on A's page
    return {"colleague": colleague, "kept": kept, "shared": shared}


def rows(client, **params):
    response = client.get(reverse("portal:team_activity"), params)
    assert response.status_code == 200
    return response, response.context["entries"]


def test_the_activity_lists_this_employers_changes_newest_first(client, employer_a_user, activity):
    client.force_login(employer_a_user)
    response, entries = rows(client)
    assert [entry["change"].who for entry in entries] == [
        "employer_dewi",
        "rekan_a",
        "employer_dewi",
    ]
    content = response.content.decode()
    assert "Sitti Shared →" not in content and "employer_eko" not in content  # B's change
    assert "081111222333" in content  # a person A keeps: its contact values are shown


def test_the_activity_is_filtered_by_user(client, employer_a_user, activity):
    client.force_login(employer_a_user)
    _, entries = rows(client, user=activity["colleague"].pk)
    assert [entry["change"].who for entry in entries] == ["rekan_a"]
    _, entries = rows(client, user="not-a-number")
    assert len(entries) == 3


def test_a_contact_field_of_a_person_another_employer_keeps_stays_hidden(
    client, employer_a_user, activity
):
    client.force_login(employer_a_user)
    response, entries = rows(client)
    shared_entry = next(entry for entry in entries if entry["worker"] == activity["shared"])
    phone = shared_entry["change"].fields[0]
    assert (phone.old, phone.new) == (NOT_SHOWN, NOT_SHOWN)
    assert "089999888777" not in response.content.decode()
    assert "081234567890" not in response.content.decode()


def test_any_member_reads_the_activity_and_another_employer_sees_only_its_own(
    client, employer_b_user, activity
):
    client.force_login(activity["colleague"])
    assert len(rows(client)[1]) == 3
    client.force_login(employer_b_user)
    _, entries = rows(client)
    assert [entry["change"].who for entry in entries] == ["employer_eko"]
    _, entries = rows(client, user=activity["colleague"].pk)  # another employer's user: nothing
    assert entries == []


def test_the_activity_is_paginated(client, employer_a_user, activity, monkeypatch):
    from enrollment.portal import team

    monkeypatch.setattr(team, "ACTIVITY_PAGE_SIZE", 2)
    client.force_login(employer_a_user)
    response, entries = rows(client)
    assert len(entries) == 2 and response.context["page"].paginator.num_pages == 2
    assert len(rows(client, page=2)[1]) == 1


def test_a_person_whose_jobs_here_were_deleted_is_neither_named_nor_shown(
    client, employer_a_user, activity
):
    kept = activity["kept"]
    change(kept, None, None, name="Andi Pindah", phone="087700001111")  # Disnaker's, later
    Employment.objects.filter(worker=kept).delete()
    client.force_login(employer_a_user)
    response, entries = rows(client)
    assert [entry["worker"] for entry in entries if entry["worker"] is not None] == [
        activity["shared"]
    ]
    content = response.content.decode()
    assert "Andi" not in content and "081111222333" not in content and "Kasir" not in content
