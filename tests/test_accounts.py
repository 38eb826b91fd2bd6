"""Logging in and out, landing pages per role, lock-out after failed logins, password change and reset."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import totp_code, totp_device_for

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-yang-panjang-1"  # the personas' password (tests/conftest.py)


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("administrator", "/admin/"),
        ("operator", "/admin/"),
        ("manager", "/reports/"),
        ("employer_a_user", "/portal/"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, request, persona, landing):
    user = request.getfixturevalue(persona)
    if persona != "employer_a_user":  # staff and managers pass the second factor first
        device = totp_device_for(user)
        assert (
            log_in(client, user.username, follow=True)
            .redirect_chain[-1][0]
            .startswith(reverse("second_factor:verify"))
        )
        response = client.post(
            reverse("second_factor:verify"), {"code": totp_code(device), "next": "/"}, follow=True
        )
    else:
        response = log_in(client, user.username, follow=True)
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_logout_is_a_post(client, manager):
    client.force_login(manager)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get("/reports/").status_code == 302


def test_a_wrong_password_says_so_in_indonesian(client, manager):
    response = log_in(client, manager.username, "salah-sekali")
    assert "dan sandi yang benar" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_with_an_explanation(
    client, employer_a_user, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, employer_a_user.username, "salah-sekali")
    response = log_in(client, employer_a_user.username)  # even the right password is refused now
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login dikunci" in page
    assert "diblokir selama 30 menit" in page
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_someone_elses_failures(
    client, employer_a_user, manager, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, employer_a_user.username, "salah-sekali")
    assert log_in(client, manager.username).status_code == 302


def test_a_password_change_enforces_strong_passwords(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    page = response.content.decode()
    assert "Kata sandi terlalu pendek. Harus mengandung setidaknya 10 karakter." in page
    assert "Kata sandi ini seluruhnya terdiri dari angka." in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Losari-Pantai-2025",
            "new_password2": "Losari-Pantai-2025",
        },
    )
    assert response.url == reverse("password_change_done")


def test_a_password_reset_sends_a_link_by_e_mail(client, manager):
    manager.email = "citra@makassarkota.go.id"
    manager.save()
    response = client.post(reverse("password_reset"), {"email": "citra@makassarkota.go.id"})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_the_reset_link_lets_the_user_choose_a_new_password_once(client, manager):
    manager.email = "citra@makassarkota.go.id"
    manager.save()
    client.post(reverse("password_reset"), {"email": manager.email})
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/reset/" in word)
    form_page = client.get(link, follow=True)
    new = {"new_password1": "Pantai-Losari-2026", "new_password2": "Pantai-Losari-2026"}
    done = client.post(form_page.redirect_chain[-1][0], new, follow=True)
    assert "Kata sandi baru Anda sudah tersimpan" in done.content.decode()
    assert log_in(client, manager.username, "Pantai-Losari-2026").status_code == 302
    assert "sudah tidak berlaku" in client.get(link, follow=True).content.decode()
