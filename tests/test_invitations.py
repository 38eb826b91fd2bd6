"""Invitations: the activation link (accepted, expired, reused, revoked, tampered, re-sent), accepting, and the
bulk invitation of employers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from berjasa.roles import Role, user_has_role
from enrollment.models import Employer, EmployerUser
from invitations import services
from invitations.models import Invitation
from invitations.tokens import invitation_for_token, make_token
from mailing.kinds import Withdrawn
from mailing.models import OutgoingMail
from mailing.rendering import render
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "Kata-sandi-yang-panjang-7"


@pytest.fixture
def invited_employer(reference_data):
    return factories.make_employer(
        npp="30000003", name="PT Pinisi Nusantara", email="personalia@pinisi.test"
    )


@pytest.fixture
def invitation(invited_employer, operator):
    services.invite_employers(Employer.objects.filter(pk=invited_employer.pk), acting_user=operator)
    return Invitation.objects.get(employer=invited_employer)


def link_of(invitation: Invitation) -> str:
    """The activation link as the mail the outbox sends holds it."""
    invitation.refresh_from_db()
    body = render(invitation.mail).body
    line = next(line for line in body.splitlines() if "/accounts/invitation/" in line)
    return line.strip().split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def accept_form(username="pinisi_hr", **overrides):
    return {
        "full_name": "Rahmawati Said",
        "username": username,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


# --- The link -------------------------------------------------------------------------------------------


def test_the_mail_carries_a_working_link_in_indonesian(invitation):
    rendered = render(invitation.mail)
    assert "PT Pinisi Nusantara" in rendered.subject
    assert "NPP 30000003" in rendered.body
    assert "berlaku sampai" in rendered.body
    month = timezone.localtime(invitation.expires_at).month
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
    months += ["September", "Oktober", "November", "Desember"]
    assert months[month - 1] in rendered.body
    assert invitation_for_token(link_of(invitation).split("/")[-2]) == invitation


def test_the_database_holds_no_token(invitation):
    token = make_token(invitation)
    mac = token.split("-", 1)[1]
    stored = [str(value) for value in Invitation.objects.values_list().get(pk=invitation.pk)]
    stored += [str(OutgoingMail.objects.get(pk=invitation.mail_id).context)]
    assert not any(mac in value for value in stored)


def test_accepting_creates_an_employer_login_who_becomes_main_contact(client, invitation):
    url = link_of(invitation)
    page = client.get(url)
    assert page.status_code == 200
    assert "PT Pinisi Nusantara" in page.content.decode()
    assert page.context["form"].initial["username"] == "personalia@pinisi.test"
    response = client.post(url, accept_form())
    assert response.status_code == 302 and response.url == reverse("portal:home")
    user = User.objects.get(username="pinisi_hr")
    assert user.email == "personalia@pinisi.test" and user.first_name == "Rahmawati Said"
    assert user_has_role(user, Role.EMPLOYER) and not user.is_staff
    link = EmployerUser.objects.get(user=user)
    assert link.employer == invitation.employer and link.is_main_contact
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_user == user
    # logged in: the portal opens on this employer
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_employer_role_sends_to_enrolment_when_a_factor_is_required(
    client, invitation, settings
):
    settings.OTP_REQUIRED_FOR_EMPLOYERS = True
    client.post(link_of(invitation), accept_form())
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "second-factor/enrol" in response.url


def test_a_used_link_is_refused_and_creates_nobody_more(client, invitation):
    url = link_of(invitation)
    client.post(url, accept_form())
    other = Client()
    response = other.post(url, accept_form(username="someone_else"))
    assert response.status_code == 410
    assert response.context["status"] == Invitation.Status.ACCEPTED
    assert other.get(url).status_code == 410
    assert not User.objects.filter(username="someone_else").exists()


def test_a_double_submit_creates_one_login(client, invitation):
    url = link_of(invitation)
    first = client.post(url, accept_form())
    second = Client().post(url, accept_form())
    assert first.status_code == 302 and second.status_code == 410
    assert User.objects.filter(email="personalia@pinisi.test").count() == 1


def test_an_expired_link_is_refused(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    url = link_of_token(invitation)
    response = client.post(url, accept_form())
    assert response.status_code == 410
    assert response.context["status"] == Invitation.Status.EXPIRED
    assert "Dinas Ketenagakerjaan" in response.content.decode()  # whom to ask
    assert not User.objects.filter(username="pinisi_hr").exists()


def link_of_token(invitation: Invitation) -> str:
    invitation.refresh_from_db()
    return reverse("invitation_accept", args=[make_token(invitation)])


def test_a_revoked_link_is_refused_and_its_unsent_mail_withdrawn(client, invitation, operator):
    url = link_of(invitation)
    services.revoke_invitation(invitation, acting_user=operator)
    invitation.refresh_from_db()
    assert invitation.revoked_by == operator and invitation.revoked_at
    assert invitation.mail.status == OutgoingMail.Status.WITHDRAWN
    with pytest.raises(Withdrawn):
        render(invitation.mail)
    response = client.post(url, accept_form())
    assert response.status_code == 410
    assert response.context["status"] == Invitation.Status.REVOKED
    assert not User.objects.filter(username="pinisi_hr").exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # one character changed
        lambda token: "zz" + token,  # another id
        lambda token: token.split("-")[0],  # no MAC
        lambda token: "not-a-token",
        lambda token: "-",
    ],
)
def test_a_tampered_or_unknown_token_is_a_404_that_names_no_employer(client, invitation, mangle):
    response = client.get(reverse("invitation_accept", args=[mangle(make_token(invitation))]))
    assert response.status_code == 404
    content = response.content.decode()
    assert response.context["status"] == "UNKNOWN" and response.context["invitation"] is None
    assert "Pinisi" not in content and "30000003" not in content


def test_a_resent_invitation_kills_the_old_link_and_the_new_one_works(client, invitation, operator):
    old_url = link_of(invitation)
    old_mail = invitation.mail
    services.resend_invitation(invitation, acting_user=operator)
    invitation.refresh_from_db()
    assert invitation.resent_count == 1 and invitation.mail_id != old_mail.pk
    old_mail.refresh_from_db()
    assert old_mail.status == OutgoingMail.Status.WITHDRAWN
    with pytest.raises(Withdrawn):
        render(old_mail)  # the older mail would carry a dead link
    assert client.get(old_url).status_code == 404
    new_url = link_of(invitation)
    assert new_url != old_url
    assert client.post(new_url, accept_form()).status_code == 302


def test_a_resend_renews_an_expired_invitation(invitation, operator):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    services.resend_invitation(invitation, acting_user=operator)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(days=13)


@pytest.mark.parametrize("end", ["accepted", "revoked"])
def test_an_accepted_or_revoked_invitation_is_not_resent(client, invitation, operator, end):
    if end == "accepted":
        client.post(link_of(invitation), accept_form())
    else:
        services.revoke_invitation(invitation, acting_user=operator)
    with pytest.raises(ValidationError) as refused:
        services.resend_invitation(invitation, acting_user=operator)
    assert refused.value.code == "not_open"


def test_get_changes_nothing(client, invitation):
    before = (User.objects.count(), EmployerUser.objects.count())
    client.get(link_of(invitation))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert (User.objects.count(), EmployerUser.objects.count()) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password2": "Lain-sama-sekali-99"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"full_name": "Rahma\x07wati"}, "full_name"),
        ({"full_name": "Rahma\u202ewati"}, "full_name"),  # a right-to-left override
        ({"full_name": "   "}, "full_name"),
        ({"username": "bad name!"}, "username"),
    ],
)
def test_a_wrong_form_creates_nothing(client, invitation, changes, field):
    response = client.post(link_of(invitation), accept_form(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not User.objects.filter(email="personalia@pinisi.test").exists()


def test_a_taken_username_is_refused(client, invitation, employer_a_user):
    response = client.post(link_of(invitation), accept_form(username=employer_a_user.username))
    assert response.context["form"].has_error("username", "taken")


def test_the_link_opens_without_a_second_factor_for_a_signed_in_unverified_session(
    invitation, employer_a_user
):
    client = Client()
    client.post(
        reverse("login"), {"username": "employer_dewi", "password": "rahasia-yang-panjang-1"}
    )
    response = client.get(link_of(invitation))
    assert response.status_code == 200  # not sent to the code page: the page says to log out first
    assert "invitations/sign_out_first.html" in [t.name for t in response.templates]


# --- An address that is a login's already ---------------------------------------------------------------


def test_an_existing_login_signs_in_and_keeps_both_employers(client, invitation, employer_a_user):
    employer_a_user.email = "PERSONALIA@pinisi.test"
    employer_a_user.save()
    url = link_of(invitation)
    page = Client().get(url)
    assert "invitations/sign_in_first.html" in [t.name for t in page.templates]
    assert "employer_dewi" in page.content.decode()
    assert "form" not in Client().post(url, accept_form()).context  # no new login is made
    assert User.objects.filter(email__iexact="personalia@pinisi.test").count() == 1
    client.force_login(employer_a_user)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert set(employer_a_user.employer_links.values_list("employer__npp", flat=True)) == {
        "10000001",
        "30000003",
    }
    # a login of two employers chooses one, and works on each
    client.post(reverse("portal:choose_employer"), {"employer": invitation.employer_id})
    assert "PT Pinisi" in client.get(reverse("portal:home")).content.decode()
    client.post(
        reverse("portal:choose_employer"),
        {"employer": employer_a_user.employer_links.get(employer__npp="10000001").employer_id},
    )
    assert "PT Angin Mamiri" in client.get(reverse("portal:home")).content.decode()


# --- Inviting employers in bulk -------------------------------------------------------------------------


def test_invite_employers_counts_and_skips(reference_data, operator, employer_a_user):
    no_email = factories.make_employer(name="Tanpa Surel")
    with_login = factories.make_employer(name="Ada Akun", email="a@ada.test")
    factories.link_employer_user(employer_a_user, with_login)
    inactive_login = factories.make_employer(name="Akun Nonaktif", email="n@nonaktif.test")
    gone = User.objects.create_user("pergi", is_active=False)
    factories.link_employer_user(gone, inactive_login)
    pending = factories.make_employer(name="Sudah Diundang", email="s@sudah.test")
    expired = factories.make_employer(name="Kedaluwarsa", email="k@kedaluwarsa.test")
    fresh = [factories.make_employer(name=f"Baru {i}", email=f"hr{i}@baru.test") for i in range(3)]
    services.invite_employers(
        Employer.objects.filter(pk__in=[pending.pk, expired.pk]), acting_user=operator
    )
    Invitation.objects.filter(employer=expired).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    mails_before = OutgoingMail.objects.count()

    chosen = Employer.objects.filter(
        pk__in=[
            no_email.pk,
            with_login.pk,
            inactive_login.pk,
            pending.pk,
            expired.pk,
            *(e.pk for e in fresh),
        ]
    )
    counts = services.invite_employers(chosen, acting_user=operator)

    assert counts == services.InviteCounts(
        invited=5, without_email=1, with_login=1, already_invited=1
    )
    assert OutgoingMail.objects.count() == mails_before + 5
    renewed = Invitation.objects.get(employer=expired)
    assert renewed.status == Invitation.Status.PENDING and renewed.resent_count == 1
    for employer in [inactive_login, *fresh]:
        invitation = Invitation.objects.get(employer=employer)
        assert invitation.kind == Invitation.Kind.FIRST_USER and invitation.invited_by == operator
        assert invitation.mail.recipient == employer.email and invitation.mail.kind == "invitation"
        assert invitation.history.count() == 1  # audited
    # a second run invites nobody
    again = services.invite_employers(chosen, acting_user=operator)
    assert again.invited == 0 and again.already_invited == 6


def test_one_open_invitation_per_employer_and_address(invitation, operator):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            employer=invitation.employer,
            email=invitation.email.upper(),
            kind=Invitation.Kind.FIRST_USER,
        )
    services.revoke_invitation(invitation, acting_user=operator)
    Invitation.objects.create(
        employer=invitation.employer, email=invitation.email, kind=Invitation.Kind.FIRST_USER
    )


@pytest.mark.parametrize("end", ["accepted", "revoked", "expired"])
def test_the_service_refuses_a_used_revoked_or_expired_invitation(invitation, operator, end):
    """The service decides, whatever a view checked before (a second submit, a link opened twice)."""
    if end == "accepted":
        services.accept_invitation(
            invitation, full_name="Pertama", username="pertama", password=PASSWORD
        )
    elif end == "revoked":
        services.revoke_invitation(invitation, acting_user=operator)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    invitation.refresh_from_db()
    with pytest.raises(services.InvitationRefused) as refused:
        services.accept_invitation(
            make_token(invitation), full_name="Kedua", username="kedua", password=PASSWORD
        )
    assert refused.value.code == end
    assert not User.objects.filter(username="kedua").exists()


def test_a_first_user_does_not_take_the_main_contact_from_another(invitation, employer_a_user):
    EmployerUser.objects.create(
        user=employer_a_user, employer=invitation.employer, is_main_contact=True
    )
    user = services.accept_invitation(
        invitation, full_name="Kedua", username="kedua", password=PASSWORD
    )
    assert not EmployerUser.objects.get(user=user).is_main_contact


def test_a_preview_of_the_mail_shows_no_link(invitation):
    from invitations.mail import extra_context

    values = extra_context(invitation.mail, preview=True)
    assert "/accounts/invitation/" not in values["link"]
    assert values["employer_name"] == "PT Pinisi Nusantara"


def test_a_login_with_a_factor_gives_its_code_before_linking(invitation, employer_a_user):
    from tests.conftest import totp_device_for

    employer_a_user.email = invitation.email
    employer_a_user.save()
    totp_device_for(employer_a_user)
    client = Client()
    client.post(
        reverse("login"), {"username": "employer_dewi", "password": "rahasia-yang-panjang-1"}
    )
    url = link_of(invitation)
    response = client.post(url)
    assert response.status_code == 302 and "second-factor/verify" in response.url
    assert not EmployerUser.objects.filter(
        user=employer_a_user, employer=invitation.employer
    ).exists()


def test_accepting_and_team_changes_are_in_the_admin_log(client, invitation):
    from django.contrib.admin.models import LogEntry

    client.post(link_of(invitation), accept_form())
    user = User.objects.get(username="pinisi_hr")
    assert LogEntry.objects.filter(object_id=str(user.pk), user=user).exists()
    history = invitation.history.order_by("history_date")
    assert [row.history_type for row in history] == ["+", "~"]
    assert history.last().history_user == user
    assert history.last().history_employer_id == invitation.employer_id
