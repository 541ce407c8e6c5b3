"""Views of the surveyor's pages and the service worker that keeps them offline.

The pages are rendered on the server while online; the service worker keeps
the last copy, and the interview itself is rendered in the browser from the
instrument's JSON (``/api/v1/instruments/<code>``), so a surveyor can open
the app, run interviews and queue them with the network off.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from app.access import PUBLIC, allow
from app.extensions import db
from app.i18n import current_lang
from app.services.assignments import assignment_of, assignments_of
from app.services.interviews import MAX_ITEMS
from app.texts import catalogue, texts
from app.time import vietnam_today

bp = Blueprint("surveyor", __name__)

#: static files the service worker stores at install, so the app opens offline
OFFLINE_ASSETS = (
    "css/app.css",
    "css/surveyor.css",
    "js/display.js",
    "js/surveyor/app.js",
    "js/surveyor/home.js",
    "js/surveyor/interview.js",
    "js/surveyor/instrument.js",
    "js/surveyor/lock.js",
    "js/surveyor/store.js",
    "js/surveyor/sync.js",
    "manifest.webmanifest",
    "icons/surveyor-192.png",
    "icons/surveyor-512.png",
)
#: interviews per request the tablet sends (the API takes up to MAX_ITEMS)
SEND_CHUNK = min(25, MAX_ITEMS)


def _texts() -> dict[str, str]:
    """The interface texts the tablet app needs, in the person's language."""
    lang = current_lang()
    return {key[3:]: texts(key, lang) for key in catalogue().all_keys() if key.startswith("sv.")}


def _config(**extra: object) -> dict[str, object]:
    user = current_user
    return {
        "lang": current_lang(),
        "user": {"username": user.username, "display_name": user.display_name},
        "urls": {
            "home": url_for("surveyor.home"),
            "sw": url_for("surveyor.service_worker"),
            "scope": url_for("surveyor.home"),
            "session": url_for("api.session_info"),
            "interviews": url_for("api.interviews"),
            "assignments": url_for("api.assignments"),
            "login": url_for("auth.login", next=url_for("surveyor.home")),
        },
        "send_chunk": SEND_CHUNK,
        **extra,
    }


@bp.get("/dieu-tra")
@allow("surveyor")
def home():
    registry = current_app.extensions["instruments"]
    assignments = assignments_of(db.session, registry, current_user.id, vietnam_today())
    warm = [url_for("surveyor.home")]
    warm += [url_for("surveyor.interview", assignment_id=a.id) for a in assignments if a.active]
    warm += sorted({url_for("api.instrument", code=a.instrument_code) for a in assignments if a.active})
    warm.append(url_for("api.assignments"))
    return render_template(
        "surveyor/home.html", assignments=assignments, texts=_texts(), config=_config(page="home", warm=warm)
    )


@bp.get("/dieu-tra/phong-van/<int:assignment_id>")
@allow("surveyor")
def interview(assignment_id: int):
    registry = current_app.extensions["instruments"]
    assignment = assignment_of(db.session, registry, current_user.id, assignment_id, vietnam_today())
    if assignment is None:
        abort(404)
    instrument_url = url_for("api.instrument", code=assignment.instrument_code)
    home_url = url_for("surveyor.home")
    config = _config(
        page="interview",
        warm=[request.path, instrument_url, home_url, url_for("api.assignments")],
        assignment={
            "id": assignment.id,
            "unit_name": assignment.unit_name,
            "service_point_name": assignment.service_point_name,
            "instrument": assignment.instrument_code,
            "instrument_url": instrument_url,
            "active": assignment.active,
            "starts_on": assignment.starts_on.isoformat(),
            "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
        },
    )
    return render_template("surveyor/interview.html", assignment=assignment, texts=_texts(), config=config)


def _worker_source() -> str:
    """``static/sw.js`` with its list of files and a version that changes
    whenever one of them does, so tablets pick up a new release."""
    cached = current_app.extensions.get("surveyor_sw")
    if cached is not None and not current_app.debug:
        return cached
    static = Path(current_app.static_folder or "static")
    source = (static / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode("utf-8"))
    for name in OFFLINE_ASSETS:
        digest.update((static / name).read_bytes())
    assets = [url_for("static", filename=name) for name in OFFLINE_ASSETS]
    source = source.replace('"__VERSION__"', json.dumps(digest.hexdigest()[:16])).replace(
        '["__ASSETS__"]', json.dumps(assets)
    )
    current_app.extensions["surveyor_sw"] = source
    return source


@bp.get("/sw.js")
@allow(PUBLIC)
def service_worker():
    response = Response(_worker_source(), mimetype="text/javascript")
    # The browser checks for a new worker on each visit; never serve it stale.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("surveyor.home")
    return response
