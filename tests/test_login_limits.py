"""Login limits, through the real login URL and middleware, with client addresses set as a proxy would set them.

Limits (README "Configuration"): 5 failed logins per account from any addresses, 20 per address across any
accounts, each within 30 minutes; a lock ends 30 minutes after the failure that set it.
"""

import ipaddress
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from berjasa.env import env_networks
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-yang-panjang-1"  # the personas' password (tests/conftest.py)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
PROXY = "10.0.0.7"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    """The production layout: one reverse proxy at 10.0.0.7 (PROXY_COUNT=1 is how the old code was told so)."""
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    settings.PROXY_COUNT = 1


def log_in(client, username, password=PASSWORD, *, address="203.0.113.5", via_proxy=True, **extra):
    """A login as it reaches the app: through the proxy (client address in X-Forwarded-For) or directly."""
    meta = (
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}
        if via_proxy
        else {"REMOTE_ADDR": address}
    )
    return client.post(
        reverse("login"), {"username": username, "password": password}, **meta, **extra
    )


def test_password_spraying_from_one_address_is_locked(client, employer_a_user):
    names = [f"pengguna_{number:02d}" for number in range(44)]
    statuses = [log_in(client, name, "Makassar2025!").status_code for name in names]
    assert statuses[: ADDRESS_LIMIT - 1] == [200] * (ADDRESS_LIMIT - 1)
    assert statuses[ADDRESS_LIMIT - 1 :] == [429] * (44 - ADDRESS_LIMIT + 1)
    # Every account from that address is refused now, even with the right password; elsewhere it works.
    assert log_in(client, employer_a_user.username).status_code == 429
    assert log_in(Client(), employer_a_user.username, address="198.51.100.9").status_code == 302


def test_guesses_at_one_account_from_five_addresses_are_limited(client, employer_a_user):
    addresses = [f"198.51.100.{number}" for number in range(1, 6)]
    statuses = [
        log_in(
            client, employer_a_user.username, "salah-sekali", address=addresses[guess % 5]
        ).status_code
        for guess in range(20)
    ]
    assert statuses[: ACCOUNT_LIMIT - 1] == [200] * (ACCOUNT_LIMIT - 1)
    assert statuses[ACCOUNT_LIMIT - 1 :] == [429] * (20 - ACCOUNT_LIMIT + 1)
    assert log_in(Client(), employer_a_user.username, address="192.0.2.77").status_code == 429


def test_a_lock_ends_when_its_time_is_up_though_wrong_guesses_went_on(client, employer_a_user):
    start = timezone.now()

    def at(minutes):
        return mock.patch(
            "axes.handlers.proxy.now", return_value=start + timedelta(minutes=minutes)
        )

    with at(0):
        for _guess in range(ACCOUNT_LIMIT):
            log_in(client, employer_a_user.username, "salah-sekali")
    for minute in (5, 15, 25, 29):  # someone behind the same proxy keeps guessing during the lock
        with at(minute):
            assert log_in(client, employer_a_user.username, "salah-lagi").status_code == 429
    with at(29):
        assert log_in(client, employer_a_user.username).status_code == 429
    with at(31):
        assert log_in(client, employer_a_user.username).status_code == 302


def test_a_password_reset_lifts_the_accounts_lock(client, employer_a_user):
    employer_a_user.email = "dewi@anginmamiri.co.id"
    employer_a_user.save()
    for _guess in range(ACCOUNT_LIMIT):
        log_in(client, employer_a_user.username, "salah-sekali")
    locked = log_in(client, employer_a_user.username)
    assert locked.status_code == 429
    assert "atur ulang kata sandi" in locked.content.decode().lower()

    client.post(reverse("password_reset"), {"email": employer_a_user.email})
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/reset/" in word)
    form_page = client.get(link, follow=True)
    new = {"new_password1": "Pantai-Losari-2026", "new_password2": "Pantai-Losari-2026"}
    client.post(form_page.redirect_chain[-1][0], new)
    assert log_in(client, employer_a_user.username, "Pantai-Losari-2026").status_code == 302
    assert not AccessAttempt.objects.filter(username=employer_a_user.username).exists()


def test_a_forged_forwarded_header_from_a_direct_client_is_ignored(client, employer_a_user):
    log_in(
        client,
        employer_a_user.username,
        "salah-sekali",
        address="203.0.113.50",
        via_proxy=False,
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.50"


def test_spraying_with_a_new_forged_header_each_time_still_locks_the_direct_clients_address(client):
    statuses = [
        log_in(
            client,
            f"pengguna_{number:02d}",
            "Makassar2025!",
            address="203.0.113.50",
            via_proxy=False,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        ).status_code
        for number in range(ADDRESS_LIMIT)
    ]
    assert statuses[-1] == 429


def test_through_the_proxy_the_forwarded_client_is_recorded_and_forged_hops_are_skipped(client):
    # The proxy appends the address it saw to what the client sent: "forged, real".
    log_in(client, "pengguna_x", "salah", address="192.0.2.99, 203.0.113.8")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.8"


def test_clients_behind_the_proxy_are_limited_each_on_their_own(client, employer_a_user):
    for number in range(ADDRESS_LIMIT):
        log_in(client, f"pengguna_{number:02d}", "Makassar2025!", address="203.0.113.66")
    assert log_in(Client(), employer_a_user.username, address="203.0.113.67").status_code == 302


def test_the_right_password_after_a_few_typos_clears_only_that_accounts_failures(client, manager):
    for number in range(3):
        log_in(client, f"pengguna_{number:02d}", "salah")
    log_in(client, manager.username, "salah")
    assert log_in(client, manager.username).status_code == 302
    # The other accounts' failures from this address still count towards the address limit.
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").count() == 3
    assert not AccessAttempt.objects.filter(username=manager.username).exists()


# --- Locks in the admin ---------------------------------------------------------------------------


def test_an_administrator_sees_and_lifts_locks_in_the_admin(client, administrator, employer_a_user):
    for _guess in range(ACCOUNT_LIMIT):
        log_in(Client(), employer_a_user.username, "salah-sekali")
    client.force_login(administrator)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert employer_a_user.username in page
    assert "Buka kunci login" in page
    attempt = AccessAttempt.objects.get(username=employer_a_user.username)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "lift_locks", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "Kunci login dibuka untuk 1 akun." in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert LogEntry.objects.filter(
        user=administrator, object_repr=employer_a_user.username
    ).exists()
    assert log_in(Client(), employer_a_user.username).status_code == 302


def test_operators_cannot_see_or_lift_locks(client, operator):
    client.force_login(operator)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    assert client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 403


# --- The proxy setting ----------------------------------------------------------------------------


def test_trusted_proxies_are_read_as_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.20.0.0/24,fd00::/8")
    assert env_networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.20.0.0/24"),
        ipaddress.ip_network("fd00::/8"),
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.20.0.0/24, nginx")
    with pytest.raises(ImproperlyConfigured, match="'nginx' is not an address or network"):
        env_networks("TRUSTED_PROXIES")


def test_the_old_proxy_count_stops_the_start_with_a_message():
    result = load_settings(PROXY_COUNT="1")
    assert result.returncode != 0
    assert "PROXY_COUNT was replaced by TRUSTED_PROXIES" in result.stderr
