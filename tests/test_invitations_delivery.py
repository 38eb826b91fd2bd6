"""Invitation mails through the outbox: delivered by the worker to the test SMTP server with a working link;
withdrawn (never sent) once revoked or replaced by a re-send; the outbox admin's page of one shows no link."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from enrollment.models import Employer
from invitations import services
from invitations.models import Invitation
from mailing.delivery import deliver_due
from mailing.models import OutgoingMail
from tests import factories

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/accounts/invitation/[^/\s]+/")


@pytest.fixture
def invited(reference_data, operator):
    employers = [
        factories.make_employer(name=f"PT Kirim {i}", email=f"hr{i}@kirim.test") for i in range(3)
    ]
    services.invite_employers(
        Employer.objects.filter(pk__in=[e.pk for e in employers]), acting_user=operator
    )
    return list(Invitation.objects.order_by("pk"))


def test_the_worker_delivers_each_invitation_once_with_a_link_that_works(smtp_server, invited):
    result = deliver_due()
    assert result.counts == {OutgoingMail.Status.SENT: 3}
    arrived = {message.rcpt_tos[0]: message for message in smtp_server.arrived}
    assert set(arrived) == {i.email for i in invited}
    message = arrived[invited[0].email]
    assert "PT Kirim 0" in message.subject
    link = LINK.search(message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert Client().get(path).status_code == 200
    assert deliver_due().counts == {}  # none twice


def test_revoked_and_resent_invitations_send_only_the_live_link(smtp_server, invited, operator):
    first, second, third = invited
    services.revoke_invitation(first, acting_user=operator)
    old_mail = second.mail_id
    services.resend_invitation(second, acting_user=operator)
    deliver_due()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.arrived) == sorted([second.email, third.email])
    assert OutgoingMail.objects.get(pk=old_mail).status == OutgoingMail.Status.WITHDRAWN
    assert OutgoingMail.objects.get(pk=first.mail_id).status == OutgoingMail.Status.WITHDRAWN
    body = next(m.body for m in smtp_server.arrived if m.rcpt_tos[0] == second.email)
    path = "/" + LINK.search(body).group(0).split("/", 3)[3]
    assert Client().get(path).status_code == 200


def test_a_mail_revoked_after_queueing_is_not_sent_even_if_still_queued(smtp_server, invited):
    """The outbox asks the invitation at sending: revoked since (however), the mail is withdrawn there."""
    Invitation.objects.filter(pk=invited[0].pk).update(revoked_at=invited[0].created_at)
    deliver_due()
    assert invited[0].email not in [m.rcpt_tos[0] for m in smtp_server.arrived]
    assert OutgoingMail.objects.get(pk=invited[0].mail_id).status == OutgoingMail.Status.WITHDRAWN


def test_the_outbox_admin_shows_an_invitation_mail_without_its_link(client, administrator, invited):
    client.force_login(administrator)
    response = client.get(reverse("admin:mailing_outgoingmail_change", args=[invited[0].mail_id]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "PT Kirim 0" in content
    assert "/accounts/invitation/" not in content
