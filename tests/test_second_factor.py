"""The second factor through the real login form and middleware: enrolment, codes, recovery codes, a lost phone,
and every protected area refused until the session is verified."""

import re
from base64 import b32decode
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from berjasa import accounts
from reports.models import ReportSnapshot
from tests import factories
from tests.conftest import TEST_TOTP_KEY, totp_code, totp_device_for

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-yang-panjang-1"  # the personas' password (tests/conftest.py)
VERIFY = "/accounts/second-factor/verify/"
ENROL = "/accounts/second-factor/enrol/"
WRONG = "Kode itu salah."


def log_in(client: Client, user: User):
    """The password step only, as a browser posts it."""
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def enter(client: Client, code: str, **extra):
    return client.post(VERIFY, {"code": code, **extra})


def secret_on_page(page: str) -> bytes:
    """The key the enrolment page shows in text (base32 in groups of four), as a person would type it."""
    groups = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    return b32decode(groups.replace(" ", ""))


# --- Enrolment ------------------------------------------------------------------------------------


def test_staff_without_a_factor_enrol_then_see_their_recovery_codes_once(client, operator):
    assert log_in(client, operator).url == reverse("home")
    assert client.get("/admin/").url == f"{ENROL}?next=/admin/"

    page = client.get(ENROL).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, inline, no script
    assert "<script" not in page
    key = secret_on_page(page)
    assert client.post(ENROL, {"code": "000000"}).status_code == 200  # a wrong code
    assert not TOTPDevice.objects.filter(user=operator).exists()

    response = client.post(ENROL, {"code": f"{totp(key):06d}", "next": "/admin/"})
    assert response.url == "/accounts/second-factor/recovery-codes/?next=%2Fadmin%2F"
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert "Simpan kode-kode ini di tempat aman" in codes_page
    assert client.get(response.url).url == "/accounts/second-factor/"  # shown only once
    admin_page = client.get("/admin/").content.decode()
    assert 'href="/accounts/second-factor/"' in admin_page  # the admin links to the status page
    device = TOTPDevice.objects.get(user=operator)
    assert device.confirmed and device.bin_key == key


def test_the_enrolment_page_offers_no_way_around_an_existing_factor(client, manager):
    totp_device_for(manager)
    log_in(client, manager)
    assert client.get(ENROL).url == "/accounts/second-factor/verify/"
    assert client.post(ENROL, {"code": "123456"}).url == "/accounts/second-factor/verify/"
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_an_employer_may_enrol_of_its_own_accord_from_the_portal(client, employer_a_user):
    log_in(client, employer_a_user)
    portal = client.get("/portal/").content.decode()
    assert 'href="/accounts/second-factor/"' in portal
    status = client.get("/accounts/second-factor/").content.decode()
    assert "Tidak aktif" in status and ENROL in status
    key = secret_on_page(client.get(ENROL).content.decode())
    client.post(ENROL, {"code": f"{totp(key):06d}"})
    assert "Sisa 10 kode pemulihan." in client.get("/accounts/second-factor/").content.decode()

    # From now on its logins ask for the code too.
    other = Client()
    log_in(other, employer_a_user)
    assert other.get("/portal/").url == f"{VERIFY}?next=/portal/"


# --- Codes at login -------------------------------------------------------------------------------


def test_a_right_code_after_the_password_opens_the_admin(client, administrator):
    device = totp_device_for(administrator)
    log_in(client, administrator)
    assert client.get("/admin/").url == f"{VERIFY}?next=/admin/"
    response = enter(client, totp_code(device), next="/admin/")
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_throttled(client, administrator):
    device = totp_device_for(administrator)
    log_in(client, administrator)
    response = enter(client, "000000")
    assert WRONG in response.content.decode()
    assert client.get("/admin/").url == f"{VERIFY}?next=/admin/"
    # django-otp's throttling: right after a wrong code, even the right one waits (1 s, then 2, 4, ...).
    throttled = enter(client, totp_code(device)).content.decode()
    assert "Terlalu banyak kode yang salah. Coba lagi dalam 1 detik." in throttled
    later = timezone.now() + timedelta(seconds=2)
    with mock.patch("django_otp.models.timezone.now", return_value=later):
        assert enter(client, totp_code(device), next="/admin/").url == "/admin/"


def test_a_code_is_not_taken_twice(client, manager):
    device = totp_device_for(manager)
    code = totp_code(device)
    log_in(client, manager)
    enter(client, code)
    other = Client()
    log_in(other, manager)
    assert WRONG in enter(other, code).content.decode()


def test_a_recovery_code_works_once_and_only_once(client, manager):
    totp_device_for(manager)
    recovery = StaticDevice.objects.create(user=manager, name="recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="wxyz6789")
    log_in(client, manager)
    assert enter(client, "ABCD-2345", next="/reports/").url == "/reports/"  # as typed from paper
    assert client.get("/reports/").status_code == 200

    again = Client()
    log_in(again, manager)
    assert WRONG in enter(again, "abcd2345").content.decode()
    assert list(recovery.token_set.values_list("token", flat=True)) == ["wxyz6789"]


def test_new_recovery_codes_replace_the_old_ones(client, manager):
    recovery = StaticDevice.objects.create(user=manager, name="recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    client.force_login(manager)
    assert client.get("/accounts/second-factor/new-recovery-codes/").status_code == 404
    assert client.get(reverse("second_factor:new_recovery_codes")).status_code == 405
    response = client.post(reverse("second_factor:new_recovery_codes"), follow=True)
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert "abcd2345" not in codes
    assert sorted(recovery.token_set.values_list("token", flat=True)) == sorted(codes)


# --- A lost phone ---------------------------------------------------------------------------------


def test_an_administrator_resets_a_lost_factor_and_the_user_enrols_again(
    client, administrator, manager
):
    totp_device_for(manager)
    StaticDevice.objects.create(user=manager, name="recovery codes", confirmed=True)
    client.force_login(administrator)
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "verifikasi dua langkah" in users.lower()
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [manager.pk]},
        follow=True,
    )
    assert "Verifikasi dua langkah diatur ulang untuk 1 akun" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    entry = LogEntry.objects.get(user=administrator, object_id=str(manager.pk))
    assert entry.change_message == "Verifikasi dua langkah diatur ulang."

    phone = Client()
    log_in(phone, manager)
    assert phone.get("/reports/").url == f"{ENROL}?next=/reports/"
    key = secret_on_page(phone.get(ENROL).content.decode())
    assert bytes.fromhex(TEST_TOTP_KEY) != key
    phone.post(ENROL, {"code": f"{totp(key):06d}"})
    assert phone.get("/reports/").status_code == 200


def test_a_reset_ends_sessions_verified_with_the_lost_device(client, administrator, manager):
    client.force_login(manager)
    assert client.get("/reports/").status_code == 200
    admin_client = Client()
    admin_client.force_login(administrator)
    admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [manager.pk]},
    )
    assert client.get("/reports/").url == f"{ENROL}?next=/reports/"


def test_operators_manage_no_devices_and_nobody_reads_a_secret_in_the_admin(
    client, administrator, operator, manager
):
    device = totp_device_for(manager)
    client.force_login(operator)
    for name in ("otp_totp_totpdevice", "otp_static_staticdevice", "auth_user"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
    assert (
        client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "reset_second_factors", "_selected_action": [manager.pk]},
        ).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(user=manager).exists()

    client.force_login(administrator)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert TEST_TOTP_KEY not in page.content.decode()
    config = reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
    assert client.get(config).status_code == 403


# --- Every protected area waits for the code ----------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("administrator", "/admin/"),
        ("administrator", "/admin/enrollment/worker/"),
        ("operator", "/admin/"),
        ("manager", "/reports/"),
        ("employer_a_user", "/portal/"),
        ("manager", "/accounts/password_change/"),
        ("manager", "/accounts/second-factor/"),
    ],
)
def test_each_area_is_refused_until_the_code_is_entered(client, request, persona, url):
    user = request.getfixturevalue(persona)
    device = totp_device_for(user)
    log_in(client, user)
    assert client.get(url).url == f"{VERIFY}?next={url}"
    enter(client, totp_code(device))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["administrator", "operator", "manager"])
def test_staff_and_managers_without_a_factor_are_sent_to_enrolment(client, request, persona):
    user = request.getfixturevalue(persona)
    log_in(client, user)
    landing = {"administrator": "/admin/", "operator": "/admin/", "manager": "/reports/"}[persona]
    assert client.get(landing).url == f"{ENROL}?next={landing}"


def test_employers_need_a_factor_only_when_the_setting_says_so(client, employer_a_user, settings):
    log_in(client, employer_a_user)
    assert client.get("/portal/").status_code == 200
    settings.OTP_REQUIRED_FOR_EMPLOYERS = True
    assert client.get("/portal/").url == f"{ENROL}?next=/portal/"


def test_before_the_code_only_login_logout_reset_and_language_pages_open(client, manager):
    totp_device_for(manager)
    log_in(client, manager)
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get(VERIFY).status_code == 200
    assert client.get("/").url == f"{VERIFY}?next=/"
    assert client.post(reverse("logout")).url == reverse("login")


def test_before_the_code_the_admin_logs_out_too(client, administrator):
    totp_device_for(administrator)
    log_in(client, administrator)
    assert client.post(reverse("admin:logout")).url == reverse("login")
    assert client.get("/admin/").url.startswith(reverse("admin:login"))


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_accounts_log_in_with_the_printed_second_factor(client, settings, reference_data):
    settings.DEBUG = True
    factories.make_worker()  # a database with workers: setup_demo leaves the demo data out
    out = StringIO()
    call_command("setup_demo", stdout=out)
    printed = out.getvalue()
    assert "pimpinan-berjasa-2025" in printed
    secret = re.search(r"authenticator app key \(TOTP\): ([A-Z2-7]+)", printed).group(1)
    recovery = re.search(r"until the next setup_demo: (\S+)", printed).group(1)

    client.post(reverse("login"), {"username": "pimpinan", "password": "pimpinan-berjasa-2025"})
    assert enter(client, recovery, next="/reports/").url == "/reports/"
    admin = Client()
    admin.post(reverse("login"), {"username": "admin", "password": "admin-berjasa-2025"})
    assert enter(admin, f"{totp(b32decode(secret)):06d}", next="/admin/").url == "/admin/"
    # Employers need no second factor by default: none is made for them.
    assert not TOTPDevice.objects.filter(user__username="pemberi_kerja_a").exists()

    call_command("setup_demo", stdout=StringIO())  # a new run gives the used recovery code back
    again = Client()
    again.post(reverse("login"), {"username": "pimpinan", "password": "pimpinan-berjasa-2025"})
    assert enter(again, recovery, next="/reports/").url == "/reports/"
    # The managers' archive holds the report of the month the dashboard opens on, stored by the first run only.
    assert ReportSnapshot.objects.count() == 1


def test_the_enrolment_service_refuses_an_account_that_has_a_factor(manager):
    totp_device_for(manager)
    key = "00" * 20
    with pytest.raises(ValidationError) as refusal:
        accounts.enrol_second_factor(manager, key=key, code=f"{totp(bytes.fromhex(key)):06d}")
    assert refusal.value.code == "enrolled"
    assert TOTPDevice.objects.get(user=manager).key == TEST_TOTP_KEY
