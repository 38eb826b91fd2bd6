"""From the invitation mail to the month's confirmation, in headless Chromium at desk (1280 px) and phone (390 px)
width: the link read from the mail as the outbox renders it, the password, the second factor's enrolment (required
of employers here), the first login with password and code, the team page, a colleague invited, then "Lapor
bulanan": the month's figures of a roster of five, the confirmation with who and when, and a second submit from a
page opened earlier that is refused. Screenshots: test-artifacts/invitation-*.png."""

from base64 import b32decode
from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import pgettext
from django_otp.oath import totp

from compliance.models import RosterConfirmation
from compliance.months import first_of, month_end, month_label
from enrollment.models import Employer, EmployerUser
from invitations.models import Invitation
from invitations.services import invite_employers
from mailing.rendering import render
from tests import factories
from tests.conftest import enter_second_factor, save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Kata-sandi-yang-panjang-7"


def link_in_the_mail(invitation: Invitation) -> str:
    """The activation link of the mail as it is sent, as a path of the live test server."""
    invitation.refresh_from_db()
    body = render(invitation.mail).body
    link = next(line.strip() for line in body.splitlines() if "/accounts/invitation/" in line)
    return link.removeprefix(settings.SITE_URL.rstrip("/"))


def roster_of_this_month(employer: Employer) -> dict:
    """Five people employed this month: three since 2024 (one of them given a raise today), one hired on the
    month's first day, one who left on it. What "Lapor bulanan" must show for the month, counted by hand."""
    this_month = first_of(timezone.localdate())
    jobs = [
        factories.make_employment(factories.make_worker(name=name), employer)
        for name in ("Andi Pratama", "Sitti Rahmawati", "Muhammad Ilham Daeng Ngemba")
    ]
    jobs[0].monthly_wage = 4_250_000  # a wage change recorded this month
    jobs[0].save()
    factories.make_employment(
        factories.make_worker(name="Nur Aisyah"), employer, start_date=this_month
    )
    factories.make_employment(
        factories.make_worker(name="Rahmat Hidayat"),
        employer,
        start_date=date(2024, 1, 1),
        end_date=this_month,  # never the month's last day: not on the roster at its end
        termination_reason="RESIGNED",
    )
    # On the roster at the month's end: the three and the hire; the leaver is an exit.
    return {"workers": "4", "hires": "1", "exits": "1", "wage_changes": "1"}


def nothing_wider_than_the_screen(page, width: int) -> None:
    box = page.locator("main").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_an_invited_employer_activates_invites_a_colleague_and_confirms_the_month(
    page, operator, reference_data, settings, width
):
    settings.OTP_REQUIRED_FOR_EMPLOYERS = True
    employer = factories.make_employer(
        npp="40000004", name="PT Pelabuhan Soekarno", email="personalia@pelabuhan.test"
    )
    expected = roster_of_this_month(employer)
    invite_employers(Employer.objects.filter(pk=employer.pk), acting_user=operator)
    invitation = Invitation.objects.get(employer=employer)
    page.set_viewport_size({"width": width, "height": 900})

    first_link = link_in_the_mail(invitation)
    page.goto(first_link)
    assert "PT Pelabuhan Soekarno" in page.locator("main").inner_text()
    assert page.input_value("input[name=username]") == "personalia@pelabuhan.test"
    page.fill("input[name=full_name]", "Andi Makkasau")
    page.fill("input[name=username]", "andi_pelabuhan")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    save_screenshot(page, f"invitation-1-accept-{width}")
    page.click("main button[type=submit]")

    # employers need a second factor here: enrolment comes first
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.fill("input[name=code]", f"{totp(b32decode(secret)):06d}")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/second-factor/recovery-codes/**")
    page.click("text=Sudah saya simpan, lanjutkan")
    page.wait_for_url("**/portal/")
    save_screenshot(page, f"invitation-2-portal-{width}")
    link = EmployerUser.objects.get(user__username="andi_pelabuhan")
    assert link.employer == employer and link.is_main_contact

    # the first login of the new account: password, then the code of the authenticator just enrolled
    page.click("header button:has-text('Keluar')")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "andi_pelabuhan")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    enter_second_factor(page, link.user)
    page.wait_for_url("**/portal/")
    assert "Andi Makkasau" in page.locator("header").inner_text()

    page.click("nav >> text=Tim")
    page.wait_for_url("**/portal/tim/")
    assert "Andi Makkasau" in page.locator("main").inner_text()
    page.fill("input[name=email]", "rekan@pelabuhan.test")
    page.click("main form[action$='/tim/undang/'] button[type=submit]")
    page.wait_for_url("**/portal/tim/")
    assert "rekan@pelabuhan.test" in page.locator(".messages").inner_text()
    assert "rekan@pelabuhan.test" in page.locator("main table").last.inner_text()
    save_screenshot(page, f"invitation-3-team-{width}")
    nothing_wider_than_the_screen(page, width)

    colleague = Invitation.objects.get(email="rekan@pelabuhan.test")
    assert colleague.kind == Invitation.Kind.COLLEAGUE and colleague.employer == employer
    assert "Andi Makkasau" in render(colleague.mail).body

    # lapor bulanan: the month's figures, then one confirmation
    this_month = first_of(timezone.localdate())
    with translation.override("id"):
        label = month_label(this_month)
        confirmed = pgettext("roster confirmation", "Confirmed")
    page.click("nav >> text=Lapor bulanan")
    page.wait_for_url("**/portal/lapor-bulanan/")
    stale = page.context.new_page()  # the same page in a second tab, opened before the confirmation
    stale.set_viewport_size({"width": width, "height": 900})
    stale.goto("/portal/lapor-bulanan/")
    current = page.locator("#current-month")
    assert current.locator("h2").inner_text() == label
    shown = {
        key: current.locator(".stat .value").nth(index).inner_text()
        for index, key in enumerate(("workers", "hires", "exits", "wage_changes"))
    }
    assert shown == expected
    assert f"{month_end(this_month):%d/%m/%Y}" in current.locator(".stat .label").first.inner_text()
    assert current.locator(".badge.ok").count() == 0  # not confirmed yet
    save_screenshot(page, f"invitation-5-monthly-{width}")
    nothing_wider_than_the_screen(page, width)

    current.get_by_role("button", name=f"Konfirmasi daftar pekerja {label}").click()
    page.wait_for_url("**/portal/lapor-bulanan/")
    assert f"daftar pekerja {label} sudah dikonfirmasi" in page.locator(".messages").inner_text()
    confirmation = RosterConfirmation.objects.get(employer=employer, month=this_month)
    assert confirmation.confirmed_by == link.user and confirmation.reopened_at is None
    assert confirmation.summary["workers"] == 4 and confirmation.summary["hires"] == 1
    status = page.locator("#current-month .status").inner_text()
    when = timezone.localtime(confirmation.confirmed_at)
    assert confirmed in status and "Cocok" not in status  # a confirmation, not BPJS's "matches"
    assert "oleh andi_pelabuhan" in status
    assert f"{when:%d/%m/%Y %H.%M} WITA" in status
    assert page.locator("#current-month button").count() == 0  # no second confirm button
    save_screenshot(page, f"invitation-6-monthly-confirmed-{width}")
    nothing_wider_than_the_screen(page, width)

    # the tab opened earlier still offers the button: its submit is refused, naming who confirmed and when
    stale.locator("#current-month").get_by_role(
        "button", name=f"Konfirmasi daftar pekerja {label}"
    ).click()
    stale.wait_for_url("**/portal/lapor-bulanan/")
    refusal = stale.locator(".messages").inner_text()
    assert "sudah dikonfirmasi" in refusal and "andi_pelabuhan" in refusal
    assert f"{when:%d/%m/%Y %H.%M}" in refusal
    assert RosterConfirmation.objects.filter(employer=employer, month=this_month).count() == 1
    save_screenshot(stale, f"invitation-7-monthly-twice-{width}")
    stale.close()

    page.goto(first_link)  # used: a clear page
    save_screenshot(page, f"invitation-4-used-link-{width}")
    page.goto("/accounts/invitation/1-tampered/")
    assert "PT Pelabuhan" not in page.locator("main").inner_text()
