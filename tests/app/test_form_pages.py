"""The blank citizen form is rendered once and served again with a fresh nonce
(app/citizen/pages.py): the same page as a fresh render, and never a stale one."""

from __future__ import annotations

import re

from app.citizen.lookups import EXTENSION as LOOKUPS
from app.citizen.lookups import KeptLookups
from app.citizen.pages import PLACEHOLDER, FormPages
from app.citizen.routes import PAGES
from app.services.form_nonce import nonce_read

NONCE = re.compile(r'name="nonce" value="([^"]+)"')


def page_and_nonce(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    nonce = NONCE.search(html).group(1)
    return html, nonce


def test_a_kept_page_is_a_fresh_render_with_its_own_nonce(app, client, point):
    path = f"/s/{point.qr_token}"
    first, nonce_1 = page_and_nonce(client, path)
    assert len(app.extensions[PAGES]) == 1
    second, nonce_2 = page_and_nonce(client, path)
    assert len(app.extensions[PAGES]) == 1
    assert nonce_1 != nonce_2
    for nonce in (nonce_1, nonce_2):
        assert nonce_read(app.secret_key, nonce, point.id) is not None
    assert PLACEHOLDER not in second
    assert second.replace(nonce_2, "N") == first.replace(nonce_1, "N")

    app.debug = True  # nothing kept is used: a plain render to compare with
    fresh, nonce_3 = page_and_nonce(client, path)
    assert fresh.replace(nonce_3, "N") == second.replace(nonce_2, "N")


def test_language_display_and_path_each_have_their_page(app, client, point):
    path = f"/s/{point.qr_token}"
    vi, _ = page_and_nonce(client, path)
    en, _ = page_and_nonce(client, path + "?lang=en")
    assert '<html lang="vi"' in vi and '<html lang="en"' in en
    client.set_cookie("ui", "xl.hc", domain="localhost")
    large, _ = page_and_nonce(client, path)
    assert 'class="size-xl contrast"' in large
    assert len(app.extensions[PAGES]) == 3


def test_a_renamed_counter_is_shown_once_its_kept_lookup_expires(app, client, point, db_session):
    now = [0.0]
    app.extensions[LOOKUPS] = KeptLookups(10, clock=lambda: now[0])
    path = f"/s/{point.qr_token}"
    before, _ = page_and_nonce(client, path)
    assert "Quầy Tư pháp – hộ tịch" in before
    point.name = "Quầy Đất đai"  # in the database, as another worker would
    db_session.commit()
    now[0] = 9.9
    assert "Quầy Tư pháp – hộ tịch" in page_and_nonce(client, path)[0]
    now[0] = 10.0
    after, _ = page_and_nonce(client, path)
    assert "Quầy Đất đai" in after and "Quầy Tư pháp" not in after


def test_forms_with_answers_or_errors_are_not_kept(app, client, point):
    path = f"/s/{point.qr_token}"
    _, nonce = page_and_nonce(client, path)
    response = client.post(path, data={"nonce": nonce, "E1_seats": "4", "expectations": ["6"]})
    assert response.status_code == 422
    assert len(app.extensions[PAGES]) == 1  # only the blank form


def test_the_oldest_page_goes_first():
    pages = FormPages(size=2)
    renders = []

    def render(key):
        def make(nonce: str) -> str:
            renders.append(key)
            return f"<p>{key}</p><input value='{nonce}'>"

        return make

    assert pages.page("a", "n1", render("a")) == "<p>a</p><input value='n1'>"
    pages.page("b", "n2", render("b"))
    pages.page("a", "n3", render("a"))  # used again: now the newest
    pages.page("c", "n4", render("c"))  # drops b
    pages.page("a", "n5", render("a"))
    pages.page("b", "n6", render("b"))
    assert renders == ["a", "b", "c", "b"]
    assert len(pages) == 2


def test_a_page_without_exactly_one_nonce_is_never_kept():
    pages = FormPages()
    assert pages.page("k", "n1", lambda nonce: "no nonce here") == "no nonce here"
    assert pages.page("k", "n2", lambda nonce: f"{nonce} {nonce}") == "n2 n2"
    assert len(pages) == 0
