"""The identity-proof refusal in the portal, in headless Chromium, at desk and phone width (test-artifacts/)."""

from datetime import date

import pytest

from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_portal import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("width", "name"), [(1280, "desk"), (390, "phone")])
def test_an_employer_is_refused_a_person_it_cannot_prove(
    page, employer_a_user, employer_a, employer_b, width, name
):
    person = factories.make_worker(
        name="Muhammad Rizal Ramadhan",
        birth_date=date(1988, 7, 21),
        kpj="12345678901",
        phone="081355501234",
        address="Jl. Cendrawasih No. 12",
    )
    factories.make_employment(person, employer_b)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, employer_a_user.username)
    page.wait_for_url("**/portal/")
    page.click("text=Tambah pekerja")
    page.fill("input[name=nik]", person.nik)
    page.fill("input[name=name]", "Budi Santoso")
    page.fill("input[name=birth_date]", "1988-07-21")
    page.select_option("select[name=sex]", "L")
    page.fill("input[name=kpj]", "12345678900")
    page.select_option("select[name=kelurahan]", index=1)
    page.fill("input[name=start_date]", "2025-07-01")
    page.fill("input[name=monthly_wage]", "3900000")
    page.click("main button[type=submit]")

    refusal = page.locator("main .errorlist").first
    assert "tidak cocok dengan catatan kota untuk NIK ini" in refusal.inner_text()
    assert "Disnaker sudah diberi tahu" in refusal.inner_text()
    html = page.content()
    for secret in ("Muhammad Rizal Ramadhan", "081355501234", "Cendrawasih", "12345678901"):
        assert secret not in html
    refusal.scroll_into_view_if_needed()
    save_screenshot(page, f"identity-proof-refused-{name}")
    assert not person.employments.filter(employer=employer_a).exists()


def test_a_clerk_resolves_the_refusal_in_the_admin(
    page, live_server, operator, employer_a, employer_b
):
    from enrollment import services
    from enrollment.identity import IdentityNotProven
    from enrollment.models import Channel, Employment, IdentityProofAttempt
    from tests.test_browser_csp import sign_in

    person = factories.make_worker(
        name="Siti Aminah", birth_date=date(1990, 5, 1), sex="P", phone="081211112222"
    )
    factories.make_employment(person, employer_b)
    with pytest.raises(IdentityNotProven):
        services.register_worker(
            acting_user=_employer_login(employer_a),
            channel=Channel.PORTAL,
            nik=person.nik,
            employer=employer_a,
            start_date=date(2025, 7, 1),
            monthly_wage=3_900_000,
            name="Siti Aminah Daeng",
            birth_date=date(1990, 5, 1),
            sex="P",
            phone="0812 1111 2223",
        )
    attempt = IdentityProofAttempt.objects.get()
    sign_in(page, live_server, operator)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/enrollment/identityproofattempt/")
    assert "Pemeriksaan identitas yang perlu diselesaikan" in page.content()
    save_screenshot(page, "identity-proof-admin-list")
    page.goto(f"/admin/enrollment/identityproofattempt/{attempt.pk}/change/")
    save_screenshot(page, "identity-proof-admin-attempt")
    page.fill("textarea[name=note]", "Dikonfirmasi dengan pekerja lewat telepon.")
    page.click("input[value='Hubungkan orang ini dengan pemberi kerja']")
    page.wait_for_url("**/identityproofattempt/")
    assert Employment.objects.filter(worker=person, employer=employer_a).exists()
    save_screenshot(page, "identity-proof-admin-linked")


def _employer_login(employer):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username="employer_admin_test", password="x-long-password-1")
    user.groups.add(Group.objects.get(name="employer"))
    factories.link_employer_user(user, employer)
    return user
