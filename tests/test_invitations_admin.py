"""Inviting from the admin: the employers' action (with "select all matching"), the invitations' list, re-send
and revoke, and an employer's page with its logins and invitations."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from enrollment.models import Employer
from invitations import services
from invitations.models import Invitation
from mailing.models import OutgoingMail
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def employers(reference_data):
    with_email = [
        factories.make_employer(name=f"PT Undangan {i}", email=f"hr{i}@undangan.test")
        for i in range(4)
    ]
    without = factories.make_employer(name="PT Tanpa Surel")
    return with_email, without


def test_the_action_invites_all_matching_employers(client, operator, employers):
    with_email, without = employers
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_employer_changelist"),
        {
            "action": "invite_to_portal",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: [with_email[0].pk],  # one row ticked, "all matching" chosen
        },
        follow=True,
    )
    assert response.status_code == 200
    message = " ".join(str(m) for m in response.context["messages"])
    assert re.findall(r"\d[\d.]*", message) == ["4", "1"]  # invited, without a contact e-mail
    assert Invitation.objects.count() == 4
    assert not Invitation.objects.filter(employer=without).exists()
    assert OutgoingMail.objects.filter(kind="invitation").count() == 4


def test_the_action_invites_only_the_ticked_rows(client, operator, employers):
    with_email, _without = employers
    client.force_login(operator)
    client.post(
        reverse("admin:enrollment_employer_changelist"),
        {
            "action": "invite_to_portal",
            "index": "0",
            ACTION_CHECKBOX_NAME: [with_email[1].pk, with_email[2].pk],
        },
    )
    assert set(Invitation.objects.values_list("employer_id", flat=True)) == {
        with_email[1].pk,
        with_email[2].pk,
    }


def test_the_message_counts_in_indonesian_numbers(client, administrator, reference_data):
    Employer.objects.bulk_create(
        Employer(
            npp=f"5{i:07d}",
            name=f"PT Banyak {i}",
            sector="TRADE",
            size="MICRO",
            entered_via="ADMIN",
            email=f"hr{i}@banyak.test",
        )
        for i in range(1_203)
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:enrollment_employer_changelist"),
        {
            "action": "invite_to_portal",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: [1],
        },
        follow=True,
    )
    message = " ".join(str(m) for m in response.context["messages"])
    assert "1.203" in message


@pytest.fixture
def invitations(employers, operator):
    with_email, _ = employers
    services.invite_employers(
        Employer.objects.filter(pk__in=[e.pk for e in with_email]), acting_user=operator
    )
    return list(Invitation.objects.order_by("pk"))


def test_the_list_shows_mail_state_and_status_and_filters(client, administrator, invitations):
    first, second, *_ = invitations
    OutgoingMail.objects.filter(pk=second.mail_id).update(
        status=OutgoingMail.Status.BOUNCED, last_error="550 5.1.1 mailbox unknown"
    )
    client.force_login(administrator)
    url = reverse("admin:invitations_invitation_changelist")
    page = client.get(url).content.decode()
    assert "550 5.1.1 mailbox unknown" in page
    assert first.email in page
    bounced = client.get(url, {"mail__status": "BOUNCED"}).context["cl"].result_list
    assert [i.pk for i in bounced] == [second.pk]
    services.revoke_invitation(first, acting_user=administrator)
    revoked = client.get(url, {"status": "REVOKED"}).context["cl"].result_list
    pending = client.get(url, {"status": "PENDING"}).context["cl"].result_list
    assert [i.pk for i in revoked] == [first.pk]
    assert first.pk not in [i.pk for i in pending] and len(pending) == 3
    found = client.get(url, {"q": first.employer.npp}).context["cl"].result_list
    assert [i.pk for i in found] == [first.pk]


def test_resend_and_revoke_actions(client, operator, invitations):
    first, second, *_ = invitations
    client.force_login(operator)
    url = reverse("admin:invitations_invitation_changelist")
    old_nonce = first.nonce
    client.post(url, {"action": "resend", ACTION_CHECKBOX_NAME: [first.pk]})
    first.refresh_from_db()
    assert first.nonce != old_nonce and first.resent_count == 1
    client.post(url, {"action": "revoke", ACTION_CHECKBOX_NAME: [second.pk]})
    second.refresh_from_db()
    assert second.revoked_by == operator and second.mail.status == OutgoingMail.Status.WITHDRAWN
    # a revoked one is not sent again: refused with a message, nothing changes
    response = client.post(
        url, {"action": "resend", ACTION_CHECKBOX_NAME: [second.pk]}, follow=True
    )
    assert any(m.level_tag == "error" for m in response.context["messages"])
    second.refresh_from_db()
    assert second.resent_count == 0


def test_an_invitation_page_is_read_only_and_never_deleted(client, administrator, invitations):
    client.force_login(administrator)
    url = reverse("admin:invitations_invitation_change", args=[invitations[0].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert invitations[0].nonce not in response.content.decode()
    assert client.post(url, {"email": "lain@x.test"}).status_code == 403
    delete = reverse("admin:invitations_invitation_delete", args=[invitations[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=invitations[0].pk).exists()


def test_the_employer_page_lists_its_invitations_and_logins(
    client, administrator, invitations, employer_a_user
):
    employer = invitations[0].employer
    factories.link_employer_user(employer_a_user, employer)
    client.force_login(administrator)
    page = client.get(reverse("admin:enrollment_employer_change", args=[employer.pk]))
    content = page.content.decode()
    assert invitations[0].email in content and "employer_dewi" in content


def test_managers_and_employers_cannot_invite(client, employer_a_user, employers):
    client.force_login(employer_a_user)
    response = client.post(
        reverse("admin:enrollment_employer_changelist"),
        {"action": "invite_to_portal", "select_across": "1", "index": "0"},
    )
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not Invitation.objects.exists()
