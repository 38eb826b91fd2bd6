"""Shared fixtures: reference data and the personas every test speaks of.

Personas: ``administrator``, ``operator``, ``manager``, and the users of two employers, ``employer_a_user`` and
``employer_b_user`` (each sees only its own employer's records).
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from berjasa.roles import STAFF_ROLES, Role
from programs.reference import load_reference_data
from tests import factories


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


# --- Browser tests -------------------------------------------------------------------------------
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

    with sync_playwright() as playwright:
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
