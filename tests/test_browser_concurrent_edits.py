"""Two users of one employer edit the same worker in two browsers: the later save is refused, shows the other's
change, and the user opens the form again and redoes theirs. Screenshots go to test-artifacts/."""

import pytest
from django.contrib.auth.models import Group, User

from berjasa.roles import Role
from tests import factories
from tests.conftest import save_screenshot
from tests.test_browser_portal import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_later_of_two_edits_is_refused_and_redone_in_the_browser(
    browser, live_server, employer_a, employer_a_user
):
    fajar = User.objects.create_user(username="fajar", password=PASSWORD)
    fajar.groups.add(Group.objects.get(name=Role.EMPLOYER.value))
    factories.link_employer_user(fajar, employer_a)
    worker = factories.make_worker(phone="081111111111", keeper=employer_a)
    factories.make_employment(worker, employer_a)
    pages = []
    for user in (employer_a_user, fajar):
        context = browser.new_context(base_url=live_server.url, locale="id-ID")
        page = context.new_page()
        log_in(page, user.username)
        page.wait_for_url("**/portal/")
        page.goto(f"/portal/workers/{worker.pk}/edit/")
        pages.append(page)
    dewi, fajars = pages

    dewi.fill("input[name=worker-phone]", "082222222222")
    dewi.click("main button[type=submit]")
    assert "Perubahan sudah disimpan" in dewi.locator(".messages").inner_text()

    fajars.fill("input[name=worker-address]", "Jl. Baru 9")
    fajars.click("main button[type=submit]")
    refusal = fajars.locator("[role=alert]").inner_text()
    assert "diubah oleh orang lain" in refusal
    assert "employer_dewi: pekerja diubah (telepon 081111111111 → 082222222222)" in refusal
    save_screenshot(fajars, "portal-stale-edit")
    worker.refresh_from_db()
    assert (worker.phone, worker.address) == ("082222222222", "")

    fajars.click("text=Buka formulir dengan data terkini")
    assert fajars.input_value("input[name=worker-phone]") == "082222222222"
    fajars.fill("input[name=worker-address]", "Jl. Baru 9")
    fajars.click("main button[type=submit]")
    assert "Perubahan sudah disimpan" in fajars.locator(".messages").inner_text()
    worker.refresh_from_db()
    assert (worker.phone, worker.address) == ("082222222222", "Jl. Baru 9")
    for page in pages:
        page.context.close()
