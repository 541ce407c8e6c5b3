"""Every ``next`` parameter stays on this site (issue 15, item 2).

Browsers drop tabs and line breaks inside a URL and read a backslash as a
slash, so ``/<TAB>/evil.example`` becomes ``//evil.example``: a link to
another site that a fake poster could send people through. A line break
in a header is also refused by the server itself, which used to give a 500.
"""

from __future__ import annotations

import pytest

from app.urls import local_path

EVIL = [
    "//evil.example/x",
    "///evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/x",
    "/\r\nSet-Cookie: a=b",
    "/ /evil.example",
    "/\u3000/evil.example",
    "/\x00/x",
    "/\x7f/x",
    "/\u2028/x",
    " /x",
    "evil.example",
    "",
    None,
]


@pytest.mark.parametrize("target", EVIL)
def test_anything_but_a_plain_local_path_is_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/bao-cao?period=year&unit=U-A", "/doi-mat-khau", "/bao-cao?q=th%E1%BB%A7"])
def test_local_paths_pass(target):
    assert local_path(target) == target


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0d/x", "/%0a/x", "/%20/evil.example", "%2F%2Fevil.example"])
def test_the_display_switch_stays_on_the_site(client, raw):
    response = client.get(f"/hien-thi?size=lg&next={raw}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0d/x", "/%0a/x", "/%20/evil.example"])
def test_sign_in_stays_on_the_site(app, users, sign_in_form, raw):
    from urllib.parse import unquote

    client = app.test_client()
    page = client.get(f"/dang-nhap?next={raw}")
    assert page.status_code == 200
    response = sign_in_form(client, "test-analyst", next=unquote(raw))
    assert response.status_code == 303
    assert response.headers["Location"] == "/bao-cao"
    assert client.get(f"/dang-nhap?next={raw}").headers["Location"] == "/bao-cao"
