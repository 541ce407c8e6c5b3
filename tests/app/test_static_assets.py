"""Static files: versioned URLs, long caching, compression, no open file left behind."""

from __future__ import annotations

import re


def test_pages_link_versioned_assets_that_cache_for_a_year(client, point):
    html = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert urls and all("?v=" in u for u in urls)
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers.get("Content-Encoding") == "gzip"
        response.close()


def test_version_changes_with_the_content(app, tmp_path):
    from app.templating import asset

    css = tmp_path / "x.css"
    css.write_text("a{}")
    app.static_folder = str(tmp_path)
    with app.test_request_context():
        first = asset("x.css")
        css.write_text("b{}")
        second = asset("x.css")
        missing = asset("nope.css")
    assert first != second and "v=" in first
    assert missing.endswith("v=0")
