"""Template globals and response headers shared by every page."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request, url_for

from app import numbers
from app.i18n import current_lang, translate
from app.texts import catalogue, languages
from app.time import local_text

#: Display preferences kept in a cookie: text size and contrast.
SIZES = ("sm", "md", "lg", "xl")


def display_prefs() -> dict[str, str | bool]:
    raw = request.cookies.get("ui", "")
    size, _, contrast = raw.partition(".")
    return {"size": size if size in SIZES else "md", "contrast": contrast == "hc"}


@lru_cache(maxsize=64)
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset(filename: str) -> str:
    """URL of a static file with a content hash, so browsers may cache it for
    a year and still fetch a new version the moment it changes."""
    path = Path(current_app.static_folder or "") / filename
    version = _digest(str(path), path.stat().st_mtime) if path.is_file() else "0"
    return url_for("static", filename=filename, v=version)


def vn_time(moment: datetime) -> str:
    """A moment as Vietnamese local time, dd/mm/yyyy HH:MM."""
    return local_text(moment)


def pct(value: float | None, digits: int = 1) -> str:
    """``{{ f.estimate|pct }}``: a proportion as a percentage in the person's language ("72,7 %")."""
    return numbers.percent(value, current_lang(), digits)


def pct_range(lower: float | None, upper: float | None) -> str:
    """``{{ f.lower|pct_range(f.upper) }}``: an interval of percentages ("70,1–75,2 %"), "" if open."""
    return numbers.percent_interval(lower, upper, current_lang())


def dec(value: float | None, digits: int = 2) -> str:
    """``{{ f.estimate|dec }}``: a mean (visits to the office) with ``digits`` decimals ("1,85")."""
    return numbers.decimal(value, current_lang(), digits)


def num(value: int | None) -> str:
    """``{{ n|num }}``: a count with grouped thousands ("1.234")."""
    return numbers.count(value, current_lang())


def pts(value: float | None) -> str:
    """``{{ change|pts }}``: a difference of proportions in signed percentage points ("+1,5")."""
    return numbers.points(value, current_lang())


def language_name(lang: str) -> str:
    """A language's name in that language ("Tiếng Việt", "English"), for the switch; its code if unnamed."""
    return catalogue().by_lang.get(lang, {}).get("lang.name", lang)


def lang_url(lang: str) -> str:
    """The page just shown, in ``lang``: the same path and query (a dashboard's
    filters, a form's counter), only ``lang`` changed."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


def init_app(app: Flask) -> None:
    app.add_template_filter(vn_time)
    for number_filter in (pct, pct_range, dec, num, pts):
        app.add_template_filter(number_filter)

    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "t": translate,
            "lang": current_lang(),
            "ui": display_prefs(),
            "LANGS": languages(),
            "language_name": language_name,
            "lang_url": lang_url,
            "asset": asset,
        }

    @app.after_request
    def buffer_static(response: Response) -> Response:
        # Flask-Compress compresses a streamed file without ever closing it;
        # static files are a few KB, so hand it the bytes instead of the stream.
        # (Registered after Compress, so it runs before it.)
        if request.endpoint == "static" and response.direct_passthrough:
            response.direct_passthrough = False
            response.make_sequence()
        if request.endpoint == "static" and request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.after_request
    def headers(response: Response) -> Response:
        # Remember an explicit language choice (?lang=en) for later pages.
        asked = request.args.get("lang")
        if asked in languages() and request.cookies.get("lang") != asked:
            response.set_cookie("lang", asked, max_age=365 * 86400, samesite="Lax", httponly=True)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        # No page needs the camera, the microphone or the person's location.
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("APP_ENV") == "production":
            # Production is served over HTTPS only; tell browsers never to try plain HTTP.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "lang" in g:
            response.headers.setdefault("Content-Language", g.lang)
        return response
