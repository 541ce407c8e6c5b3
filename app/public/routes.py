from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from sqlalchemy import text

from app.access import PUBLIC, allow
from app.extensions import db
from app.templating import SIZES, display_prefs
from app.urls import local_path

bp = Blueprint("public", __name__)


@bp.get("/")
@allow(PUBLIC)
def home():
    return render_template("home.html")


@bp.get("/healthz")
@allow(PUBLIC)
def health():
    """For load balancers: 200 when the database answers, 503 otherwise."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/hien-thi")
@allow(PUBLIC)
def display():
    """Set text size or contrast without JavaScript, then go back.

    The preference lives in a cookie so every page renders with it.
    """
    prefs = display_prefs()
    size = request.args.get("size")
    if size in SIZES:
        prefs["size"] = size
    if request.args.get("contrast") in ("0", "1"):
        prefs["contrast"] = request.args["contrast"] == "1"
    # Only same-site paths: an open redirect would let a fake poster bounce
    # people to a phishing page through our domain.
    response = redirect(local_path(request.args.get("next")) or "/", code=303)
    value = f"{prefs['size']}.{'hc' if prefs['contrast'] else 'nc'}"
    response.set_cookie("ui", value, max_age=365 * 86400, samesite="Lax", httponly=False)
    return response
