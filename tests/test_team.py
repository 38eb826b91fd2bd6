"""An employer's team in the portal: who sees what, and what only the main contact does, for its own employer
only. Every action is a POST through a service; every id of another employer's login or invitation is a 404."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from berjasa.roles import Role
from enrollment.models import EmployerUser
from invitations import services
from invitations.models import Invitation
from mailing.models import OutgoingMail

pytestmark = pytest.mark.django_db


def employer_login(username: str, employer, *, main: bool = False, email: str = "") -> User:
    user = User.objects.create_user(
        username=username, password="rahasia-yang-panjang-1", email=email or f"{username}@x.test"
    )
    user.groups.add(Group.objects.get(name=Role.EMPLOYER.value))
    EmployerUser.objects.create(user=user, employer=employer, is_main_contact=main)
    return user


@pytest.fixture
def team(employer_a, employer_b, employer_a_user, employer_b_user):
    """A: employer_dewi (main contact) and a colleague; B: employer_eko (main contact), a colleague and an open
    colleague invitation."""
    EmployerUser.objects.filter(user__in=[employer_a_user, employer_b_user]).update(
        is_main_contact=True
    )
    colleague_a = employer_login("rekan_a", employer_a)
    colleague_b = employer_login("rekan_b", employer_b)
    invitation_b = services.invite_colleague(
        employer_b, "calon@losari.test", acting_user=employer_b_user
    )
    invitation_a = services.invite_colleague(
        employer_a, "calon@angin.test", acting_user=employer_a_user
    )
    return {
        "colleague_a": colleague_a,
        "colleague_b": colleague_b,
        "invitation_a": invitation_a,
        "invitation_b": invitation_b,
    }


def test_the_team_page_lists_own_logins_and_invitations_only(client, employer_a_user, team):
    client.force_login(employer_a_user)
    content = client.get(reverse("portal:team")).content.decode()
    assert "employer_dewi" in content and "rekan_a@x.test" in content
    assert "calon@angin.test" in content
    assert "rekan_b" not in content and "calon@losari.test" not in content
    assert "employer_eko" not in content


def test_a_colleague_sees_the_team_but_no_action(client, team):
    client.force_login(team["colleague_a"])
    response = client.get(reverse("portal:team"))
    assert response.status_code == 200
    assert not response.context["is_main_contact"]
    assert "calon@angin.test" not in response.content.decode()  # invitations: the main contact's
    assert reverse("portal:team_invite") not in response.content.decode()


def test_the_main_contact_invites_a_colleague(client, employer_a_user, employer_a, team):
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:team_invite"), {"email": "baru@angin.test"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="baru@angin.test")
    assert invitation.employer == employer_a and invitation.kind == Invitation.Kind.COLLEAGUE
    assert invitation.invited_by == employer_a_user
    assert invitation.mail.kind == "colleague_invitation"
    assert (
        invitation.history.get().history_employer_id == employer_a.pk
    )  # audited, for this employer


def test_an_invitation_is_for_the_request_employer_only(client, employer_a_user, employer_b, team):
    client.force_login(employer_a_user)
    client.post(reverse("portal:team_invite"), {"email": "x@y.test", "employer": employer_b.pk})
    assert not Invitation.objects.filter(employer=employer_b, email="x@y.test").exists()
    with pytest.raises(PermissionDenied):  # the service refuses too
        services.invite_colleague(employer_b, "x@y.test", acting_user=employer_a_user)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("portal:team_invite", None),
        ("portal:team_invitation_revoke", "invitation_a"),
        ("portal:team_remove", "colleague_a"),
        ("portal:team_make_main_contact", "colleague_a"),
    ],
)
def test_a_colleague_who_is_not_main_contact_gets_404_and_changes_nothing(
    client, team, name, target
):
    client.force_login(team["colleague_a"])
    url = reverse(name, args=[team[target].pk] if target else [])
    before = _state()
    assert client.post(url, {"email": "z@angin.test"}).status_code == 404
    assert _state() == before


def _state():
    return (
        sorted(EmployerUser.objects.values_list("user_id", "employer_id", "is_main_contact")),
        sorted(Invitation.objects.values_list("pk", "revoked_at", "nonce")),
        sorted(User.objects.values_list("pk", "is_active")),
    )


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("portal:team_invitation_revoke", "invitation_b"),
        ("portal:team_remove", "colleague_b"),
        ("portal:team_make_main_contact", "colleague_b"),
    ],
)
def test_another_employers_ids_are_404_and_change_nothing(
    client, employer_a_user, team, name, target
):
    client.force_login(employer_a_user)
    before = _state()
    assert client.post(reverse(name, args=[team[target].pk])).status_code == 404
    assert _state() == before


def test_the_services_refuse_another_employers_records(employer_a, employer_a_user, team):
    with pytest.raises(PermissionDenied):
        services.remove_colleague(employer_a, team["colleague_b"], acting_user=employer_a_user)
    with pytest.raises(PermissionDenied):
        services.transfer_main_contact(employer_a, team["colleague_b"], acting_user=employer_a_user)
    with pytest.raises(PermissionDenied):
        services.revoke_invitation(
            team["invitation_b"], acting_user=employer_a_user, employer=employer_a
        )


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("portal:team_invite", None),
        ("portal:team_invitation_revoke", "invitation_a"),
        ("portal:team_remove", "colleague_a"),
        ("portal:team_make_main_contact", "colleague_a"),
    ],
)
def test_a_get_changes_nothing(client, employer_a_user, team, name, target):
    client.force_login(employer_a_user)
    before = _state()
    assert client.get(reverse(name, args=[team[target].pk] if target else [])).status_code == 405
    assert _state() == before


def test_the_main_contact_revokes_an_invitation(client, employer_a_user, team):
    client.force_login(employer_a_user)
    invitation = team["invitation_a"]
    client.post(reverse("portal:team_invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_by == employer_a_user
    assert invitation.mail.status == OutgoingMail.Status.WITHDRAWN


def test_a_removed_colleague_loses_access_at_once(client, employer_a_user, team):
    colleague = team["colleague_a"]
    theirs = Client()
    theirs.force_login(colleague)
    assert theirs.get(reverse("portal:home")).status_code == 200
    client.force_login(employer_a_user)
    client.post(reverse("portal:team_remove", args=[colleague.pk]))
    assert not EmployerUser.objects.filter(user=colleague).exists()
    colleague.refresh_from_db()
    assert not colleague.is_active  # no employer left
    response = theirs.get(reverse("portal:home"))  # their open session ends
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_removed_colleague_with_another_employer_keeps_that_one(
    client, employer_a_user, employer_b, team
):
    colleague = team["colleague_a"]
    EmployerUser.objects.create(user=colleague, employer=employer_b)
    client.force_login(employer_a_user)
    client.post(reverse("portal:team_remove", args=[colleague.pk]))
    colleague.refresh_from_db()
    assert colleague.is_active
    theirs = Client()
    theirs.force_login(colleague)
    assert "CV Losari Jaya" in theirs.get(reverse("portal:home")).content.decode()


def test_the_main_contact_cannot_remove_themself(client, employer_a_user, team):
    client.force_login(employer_a_user)
    client.post(reverse("portal:team_remove", args=[employer_a_user.pk]))
    assert EmployerUser.objects.filter(user=employer_a_user, is_main_contact=True).exists()


def test_the_main_contact_hands_over_and_stays_a_member(client, employer_a_user, employer_a, team):
    client.force_login(employer_a_user)
    client.post(reverse("portal:team_make_main_contact", args=[team["colleague_a"].pk]))
    links = dict(
        EmployerUser.objects.filter(employer=employer_a).values_list(
            "user__username", "is_main_contact"
        )
    )
    assert links == {"employer_dewi": False, "rekan_a": True}
    # the former main contact may no longer remove anyone
    assert (
        client.post(reverse("portal:team_remove", args=[team["colleague_a"].pk])).status_code == 404
    )


def test_a_colleague_invitation_is_accepted_as_a_member(client, employer_a, team):
    from invitations.tokens import make_token

    invitation = team["invitation_a"]
    url = reverse("invitation_accept", args=[make_token(invitation)])
    client.post(
        url,
        {
            "full_name": "Calon Rekan",
            "username": "calon",
            "password1": "Kata-sandi-yang-panjang-7",
            "password2": "Kata-sandi-yang-panjang-7",
        },
    )
    link = EmployerUser.objects.get(user__username="calon")
    assert link.employer == employer_a and not link.is_main_contact
    assert client.get(reverse("portal:team")).status_code == 200


def test_inviting_an_address_already_on_the_team_is_refused(client, employer_a_user, team):
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:team_invite"), {"email": "REKAN_A@x.test"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    response = client.post(reverse("portal:team_invite"), {"email": "calon@angin.test"})
    assert response.context["form"].errors["email"]  # still valid: revoke first
    assert Invitation.objects.filter(email__iexact="calon@angin.test").count() == 1


def test_an_address_invited_by_another_employer_may_be_invited_here(
    client, employer_a_user, employer_a, team
):
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:team_invite"), {"email": "calon@losari.test"})
    assert response.status_code == 302
    assert Invitation.objects.filter(employer=employer_a, email="calon@losari.test").exists()


def test_removing_and_handing_over_are_in_the_admin_log(client, employer_a_user, team):
    from django.contrib.admin.models import LogEntry

    client.force_login(employer_a_user)
    client.post(reverse("portal:team_make_main_contact", args=[team["colleague_a"].pk]))
    client.force_login(team["colleague_a"])
    client.post(reverse("portal:team_remove", args=[employer_a_user.pk]))
    entries = LogEntry.objects.filter(content_type__model="user").order_by("pk")
    assert [(e.user.username, e.object_id) for e in entries] == [
        ("employer_dewi", str(team["colleague_a"].pk)),
        ("rekan_a", str(employer_a_user.pk)),
    ]


def test_an_administrator_makes_a_colleague_main_contact_by_the_admin_action(
    client, administrator, operator, employer_a, employer_a_user, team
):
    """A main contact who has left cannot hand over: Disnaker's administrator does, through the same service."""
    link = EmployerUser.objects.get(user=team["colleague_a"], employer=employer_a)
    changelist = reverse("admin:enrollment_employeruser_changelist")
    action = {"action": "make_main_contact", "_selected_action": [link.pk]}

    client.force_login(operator)  # operators manage no logins
    client.post(changelist, action)
    assert EmployerUser.objects.get(pk=link.pk).is_main_contact is False

    client.force_login(administrator)
    client.post(changelist, action)
    links = dict(
        EmployerUser.objects.filter(employer=employer_a).values_list(
            "user__username", "is_main_contact"
        )
    )
    assert links == {"employer_dewi": False, "rekan_a": True}
    assert LogEntry.objects.filter(object_id=str(team["colleague_a"].pk)).exists()


def test_the_employer_page_shows_the_main_contact_without_a_tick_to_change_it(
    client, administrator, employer_a, team
):
    client.force_login(administrator)
    page = client.get(reverse("admin:enrollment_employer_change", args=[employer_a.pk]))
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is EmployerUser
    )
    assert "is_main_contact" not in formset.forms[0].fields
