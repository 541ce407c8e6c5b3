"""Sign-in leads each role to its work, and the bar leads on (issue 17).

In a real browser: each demo account signs in through the form, lands on
its home page, sees only its links in the bar with the current page
marked, and (analysts, managers, administrators) reaches the dashboard.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ROLES = {
    # username: (home path, bar links expected)
    "demo-analyst": ("/bao-cao", {"/bao-cao", "/chi-tieu", "/ket-qua", "/tai-khoan"}),
    "demo-manager": ("/bao-cao", {"/bao-cao", "/ket-qua", "/ma-ho-so", "/tai-khoan"}),
    "demo-admin": (
        "/quan-tri",
        {"/bao-cao", "/chi-tieu", "/ket-qua", "/ma-ho-so", "/quan-tri", "/quan-tri/phieu", "/quan-tri/tai-khoan"}
        | {"/tai-khoan"},
    ),
    "demo-surveyor": ("/dieu-tra", {"/dieu-tra", "/ket-qua", "/tai-khoan"}),
}


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("username", sorted(ROLES))
def test_sign_in_leads_to_the_roles_home_and_the_dashboard(live_server, desk, username):
    home, links = ROLES[username]
    desk.goto(f"{live_server.url}/dang-nhap")
    desk.fill('input[name="username"]', username)
    desk.fill('input[name="password"]', f"{username}-2026")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url(f"**{home}")
    bar = desk.locator("nav.staff")
    hrefs = {a.get_attribute("href") for a in bar.locator("a").all()}
    assert hrefs == links
    assert bar.locator('a[aria-current="page"]').get_attribute("href") == home
    if "/bao-cao" in links:
        bar.locator('a[href="/bao-cao"]').click()
        desk.wait_for_url("**/bao-cao")
        assert desk.locator("h1").first.is_visible()
        assert bar.locator('a[aria-current="page"]').get_attribute("href") == "/bao-cao"
    bar.get_by_role("button", name="Đăng xuất").click()
    desk.wait_for_url("**/dang-nhap")
    assert desk.locator("nav.staff").count() == 0
