"""Headless Chromium loads the main pages of every role under the Content-Security-Policy and records no
violation (``securitypolicyviolation`` events and console errors), and the charts and bars still draw."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from enrollment.models import Claim
from tests import factories
from tests.conftest import save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
AUGUST = "period_type=month&year=2025&month=8"

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def sign_in(page, live_server, user) -> None:
    """The browser carries the session of a completed login (password and second factor)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def visit(page, url: str) -> list[str]:
    """Load ``url``; the violations it caused and the console's errors about the policy."""
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    return violations + [line for line in console if "Content Security Policy" in line]


@pytest.fixture
def city(reference_data, employer_a):
    worker = factories.make_worker(name="Siti Aminah")
    factories.make_employment(worker, employer_a, start_date=date(2024, 1, 1))
    for program in ("JKK", "JKM"):
        factories.make_membership(worker, program, employer=employer_a)
    factories.make_claim(
        worker, status=Claim.Status.PAID, paid_date=date(2025, 8, 3), employer=employer_a
    )
    return worker


def test_the_main_pages_load_without_a_policy_violation(
    page, live_server, city, employer_a_user, manager, administrator
):
    page.add_init_script(RECORD_VIOLATIONS)
    worker = city
    pages = {
        None: ["/accounts/login/", "/accounts/password_reset/"],
        employer_a_user: [
            reverse("portal:home"),
            reverse("portal:roster"),
            reverse("portal:worker", args=[worker.pk]),
            reverse("portal:worker_add"),
            reverse("portal:worker_edit", args=[worker.pk]),
            reverse("portal:imports"),
        ],
        manager: [f"{reverse('reports:dashboard')}?{AUGUST}"],
        administrator: [
            reverse("admin:index"),
            reverse("admin:enrollment_worker_changelist"),
            reverse("admin:enrollment_worker_change", args=[worker.pk]),
            reverse("admin:enrollment_worker_history", args=[worker.pk]),
            reverse("admin:enrollment_membership_add"),
            reverse("admin:enrollment_worker_import"),
            reverse("admin:enrollment_worker_export"),
            reverse("admin:enrollment_importbatch_upload"),
            reverse("admin:programs_program_changelist"),
        ],
    }
    found = {}
    for user, urls in pages.items():
        page.context.clear_cookies()
        if user is not None:
            sign_in(page, live_server, user)
        for url in urls:
            problems = visit(page, url)
            if problems:
                found[url] = problems
    assert found == {}


def test_the_report_charts_and_the_employers_bars_still_draw(
    page, live_server, city, employer_a_user, manager
):
    sign_in(page, live_server, manager)
    page.goto(f"/reports/?{AUGUST}")
    charts = page.locator(".report-section .chart img")
    assert charts.count() >= 1
    assert all(
        charts.nth(index).evaluate("image => image.complete && image.naturalWidth > 0")
        for index in range(charts.count())
    )
    save_screenshot(page, "csp-reports-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    widest = charts.first.evaluate("image => image.getBoundingClientRect().right")
    assert widest <= 390  # a chart image fits a phone's width
    save_screenshot(page, "csp-reports-dashboard-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, live_server, employer_a_user)
    page.goto("/portal/")
    bars = page.locator(".summary-trend span")
    if bars.count():
        heights = {
            bars.nth(i).evaluate("bar => bar.getBoundingClientRect().height")
            for i in range(bars.count())
        }
        assert max(heights) > 10  # the peak month fills its box: the class set its height
    save_screenshot(page, "csp-portal-home")
