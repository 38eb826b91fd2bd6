import pytest

from tests.conftest import save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_login_page_renders_in_indonesian(page):
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "Masuk"
    assert save_screenshot(page, "login").stat().st_size > 0
