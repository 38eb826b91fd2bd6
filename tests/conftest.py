"""Shared fixtures: reference data and the personas every test speaks of.

Personas: ``administrator``, ``operator``, ``manager``, and the users of two employers, ``employer_a_user`` and
``employer_b_user`` (each sees only its own employer's records).

Second factor: ``client.force_login(user)`` stands for a completed two-factor login. An autouse fixture makes
Django's ``Client.force_login`` also give the user a confirmed authenticator (``TEST_TOTP_KEY``) and mark the
session verified with it, so tests of pages need no codes. Tests of the login itself post to the real login
form and the code page (``tests/test_second_factor.py``); browser tests that log in through the form give the
user ``totp_device_for(user)`` and type ``totp_code(device)`` on the code page (``enter_second_factor``).
"""

import os
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage, storages
from django.db import connections
from django.test import Client
from django.utils.functional import empty
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from berjasa.roles import STAFF_ROLES, Role
from programs.reference import load_reference_data
from tests import factories
from tests.smtp_server import SMTPTestServer

# The authenticator key of test users (hex): RFC 6238's test key "12345678901234567890".
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_device_for(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, with the known ``TEST_TOTP_KEY`` (created when missing)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "authenticator", "key": TEST_TOTP_KEY}
    )
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code the user's phone shows now; the next step's when this step's code was already used."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def empty_file_storage():
    """Each test starts with an empty in-memory file storage (berjasa/test_settings.py): a file a test stored
    would otherwise make the next one's file of the same name get a random suffix."""
    storages._storages = {}
    default_storage._wrapped = empty


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """``Client.force_login`` as a login with password and code: the session is verified by a device."""
    plain_force_login = Client.force_login

    def force_login(self, user, backend=None):
        plain_force_login(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def reference_data(db):
    load_reference_data()


def _user_with_role(username: str, role: Role) -> User:
    user = User.objects.create_user(
        username=username, password="rahasia-yang-panjang-1", is_staff=role in STAFF_ROLES
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def administrator(db):
    return _user_with_role("admin_ani", Role.ADMINISTRATOR)


@pytest.fixture
def operator(db):
    return _user_with_role("operator_budi", Role.OPERATOR)


@pytest.fixture
def manager(db):
    return _user_with_role("manager_citra", Role.MANAGER)


@pytest.fixture
def employer_a(reference_data):
    return factories.make_employer(npp="10000001", name="PT Angin Mamiri")


@pytest.fixture
def employer_b(reference_data):
    return factories.make_employer(npp="20000002", name="CV Losari Jaya")


@pytest.fixture
def employer_a_user(employer_a):
    user = _user_with_role("employer_dewi", Role.EMPLOYER)
    factories.link_employer_user(user, employer_a)
    return user


@pytest.fixture
def employer_b_user(employer_b):
    user = _user_with_role("employer_eko", Role.EMPLOYER)
    factories.link_employer_user(user, employer_b)
    return user


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in the process (``tests/smtp_server.py``), and Django's SMTP backend pointed at it."""
    server = SMTPTestServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


# --- Browser tests -------------------------------------------------------------------------------
def pytest_collection_modifyitems(items):
    """Refuse a transactional test without ``serialized_rollback``.

    Its flush re-runs ``post_migrate``, which re-creates the role groups; the next serialized test then fails
    restoring them. Every transactional test must restore the serialized data instead.
    """
    unserialized = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or {
            "live_server",
            "transactional_db",
        } & set(fixtures)
        serialized = (
            marker is not None and marker.kwargs.get("serialized_rollback")
        ) or "django_db_serialized_rollback" in fixtures
        if transactional and not serialized:
            unserialized.append(item.nodeid)
    if unserialized:
        raise pytest.UsageError(
            "Transactional tests need django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(unserialized)
        )


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), shared by the session's browser tests.

    Skipped where Chromium is missing, unless REQUIRE_BROWSER is set (CI sets it), where it fails instead.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop open; the ORM calls of test fixtures are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    # Django's connections are context-local, and Playwright's sync API runs the rest of the session in a context
    # of its own: its connection needs the serialized data that transactional tests restore between them.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (its own cookies) whose relative URLs go to the live test server."""
    os.environ.setdefault(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's loop vs. the ORM in fixtures
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


def save_screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact (test-artifacts/NAME.png) and return its path."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def enter_second_factor(page, user: User) -> None:
    """On the code page after the password, type the code of the user's authenticator (``totp_device_for``)."""
    page.wait_for_url("**/accounts/second-factor/verify/**")
    page.fill("input[name=code]", totp_code(totp_device_for(user)))
    page.click("main button[type=submit]")
