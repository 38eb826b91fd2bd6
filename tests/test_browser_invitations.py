"""From the invitation mail to a colleague's invitation, in headless Chromium at desk (1280 px) and phone (390 px)
width: the link read from the mail as the outbox renders it, the password, the second factor's enrolment (required
of employers here), the team page, a colleague invited. Screenshots: test-artifacts/invitation-*.png."""

from base64 import b32decode

import pytest
from django.conf import settings
from django_otp.oath import totp

from enrollment.models import Employer, EmployerUser
from invitations.models import Invitation
from invitations.services import invite_employers
from mailing.rendering import render
from tests.conftest import save_screenshot

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


@pytest.mark.parametrize("width", [1280, 390])
def test_an_invited_employer_activates_and_invites_a_colleague(
    page, operator, reference_data, settings, width
):
    from tests import factories

    settings.OTP_REQUIRED_FOR_EMPLOYERS = True
    employer = factories.make_employer(
        npp="40000004", name="PT Pelabuhan Soekarno", email="personalia@pelabuhan.test"
    )
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

    page.goto("/portal/tim/")
    assert "Andi Makkasau" in page.locator("main").inner_text()
    page.fill("input[name=email]", "rekan@pelabuhan.test")
    page.click("main form[action$='/tim/undang/'] button[type=submit]")
    page.wait_for_url("**/portal/tim/")
    assert "rekan@pelabuhan.test" in page.locator(".messages").inner_text()
    assert "rekan@pelabuhan.test" in page.locator("main table").last.inner_text()
    save_screenshot(page, f"invitation-3-team-{width}")
    box = page.locator("main").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # nothing wider than the screen

    colleague = Invitation.objects.get(email="rekan@pelabuhan.test")
    assert colleague.kind == Invitation.Kind.COLLEAGUE and colleague.employer == employer
    assert "Andi Makkasau" in render(colleague.mail).body
    page.goto(first_link)  # used: a clear page
    save_screenshot(page, f"invitation-4-used-link-{width}")
    page.goto("/accounts/invitation/1-tampered/")
    assert "PT Pelabuhan" not in page.locator("main").inner_text()
