"""Each role has a home page and a navigation bar (issue 17).

After sign-in a person lands on the page of their work (the dashboard for
analysts and managers, the administration for administrators, the tablet
app for surveyors) unless a safe ``next`` was given, and every staff page
carries a bar with only the links their role may open, the current one
marked with ``aria-current``.
"""

from __future__ import annotations

import re

import pytest

HOMES = {"surveyor": "/dieu-tra", "unit_manager": "/bao-cao", "analyst": "/bao-cao", "admin": "/quan-tri"}

#: the links of the staff bar, by role
LINKS = {
    "/bao-cao": {"unit_manager", "analyst", "admin"},
    "/chi-tieu": {"analyst", "admin"},
    "/ket-qua": {"surveyor", "unit_manager", "analyst", "admin"},
    "/ma-ho-so": {"unit_manager", "admin"},
    "/quan-tri": {"admin"},
    "/quan-tri/phieu": {"admin"},
    "/quan-tri/tai-khoan": {"admin"},
    "/dieu-tra": {"surveyor"},
    "/tai-khoan": {"surveyor", "unit_manager", "analyst", "admin"},
}


def _staff_nav(html: str) -> str:
    match = re.search(r'<nav class="staff"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "no staff navigation bar on the page"
    return match.group(1)


def _hrefs(nav: str) -> set[str]:
    return set(re.findall(r'<a [^>]*href="([^"]+)"', nav))


@pytest.mark.parametrize("role", sorted(HOMES))
def test_sign_in_lands_on_the_role_home(app, users, sign_in_form, role):
    client = app.test_client()
    response = sign_in_form(client, users[role].username)
    assert response.status_code == 303
    assert response.headers["Location"] == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200
    # already signed in: the sign-in page sends home too
    assert client.get("/dang-nhap").headers["Location"] == HOMES[role]


@pytest.mark.parametrize("role", sorted(HOMES))
def test_a_safe_next_wins_over_the_home(app, users, sign_in_form, role):
    response = sign_in_form(app.test_client(), users[role].username, next="/doi-mat-khau")
    assert response.headers["Location"] == "/doi-mat-khau"
    evil = sign_in_form(app.test_client(), users[role].username, next="//evil.example/x")
    assert evil.headers["Location"] == HOMES[role]


@pytest.mark.parametrize("role", sorted(HOMES))
def test_the_bar_shows_only_what_the_role_may_open(app, users, login_as, role):
    client = app.test_client()
    login_as(client, users[role])
    nav = _staff_nav(client.get("/tai-khoan").get_data(as_text=True))
    expected = {href for href, roles in LINKS.items() if role in roles}
    assert _hrefs(nav) == expected
    assert 'action="/dang-xuat"' in nav and 'name="csrf_token"' in nav
    for href in expected:  # every link shown opens
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "url", "current"),
    [
        ("analyst", "/bao-cao", "/bao-cao"),
        ("analyst", "/tai-khoan", "/tai-khoan"),
        ("analyst", "/doi-mat-khau", "/tai-khoan"),
        ("unit_manager", "/bao-cao", "/bao-cao"),
        ("admin", "/quan-tri", "/quan-tri"),
        ("admin", "/quan-tri/don-vi", "/quan-tri"),
        ("admin", "/quan-tri/phieu", "/quan-tri/phieu"),
        ("admin", "/quan-tri/tai-khoan", "/quan-tri/tai-khoan"),
        ("surveyor", "/dieu-tra", "/dieu-tra"),
    ],
)
def test_the_current_page_is_marked(app, users, login_as, role, url, current):
    client = app.test_client()
    login_as(client, users[role])
    nav = _staff_nav(client.get(url).get_data(as_text=True))
    marked = re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', nav)
    assert marked == [current]


def test_the_bar_speaks_the_chosen_language(app, users, login_as):
    client = app.test_client()
    login_as(client, users["analyst"])
    vi = _staff_nav(client.get("/tai-khoan").get_data(as_text=True))
    assert "Báo cáo" in vi and "Đăng xuất" in vi
    en = _staff_nav(client.get("/tai-khoan?lang=en").get_data(as_text=True))
    assert "Dashboard" in en and "Sign out" in en


def test_signed_out_people_see_no_staff_bar(client, users):
    assert 'class="staff"' not in client.get("/").get_data(as_text=True)
    assert 'class="staff"' not in client.get("/dang-nhap").get_data(as_text=True)
