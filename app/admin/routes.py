"""Administration screens under ``/quan-tri``: the blueprint, the helpers
its views share, and the index.

Administrators only. Views parse the form, call one service function and
render; the services (``app.services.unit_admin`` and its siblings)
own the queries, the checks and the audit rows. A refused change re-renders
the page with the reason and a 4xx status; a change that worked is
committed and redirects (303) with a message.

The views register on ``bp`` from their modules: the unit tree in
``app.admin.units``, service points in ``app.admin.points``, accounts in
``app.admin.people``, assignments in ``app.admin.assignments``, dossier
counts in ``app.admin.dossiers``, instruments, response review and the
audit log in ``app.admin.records``.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template
from flask_login import current_user

from app.access import allow
from app.citizen.lookups import lookups_forget
from app.extensions import db
from app.i18n import translate
from app.models import User
from app.models.units import UNIT_LEVEL_NAMES, UNIT_LEVELS
from app.refusals import Refused
from app.services import unit_admin

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")
ADMIN = "admin"


# ------------------------------------------------------------------ helpers


def actor() -> User:
    """The signed-in administrator, as the services record them."""
    return current_user._get_current_object()


def refused(exc: Refused) -> tuple[str, int]:
    """Undo the attempted change; the message and status to show (404 aborts)."""
    db.session.rollback()
    status = exc.status
    if status == 404:
        abort(404)
    return translate(exc.message_key, **exc.values), status


def done(message_key: str, target: str, **values: object):
    """Commit the change, say so, and go to ``target`` (post/redirect/get)."""
    db.session.commit()
    lookups_forget(current_app._get_current_object())  # a counter may have changed
    flash(translate(message_key, **values))
    return redirect(target, code=303)


def page(template: str, status: int = 200, **context: object):
    return render_template(f"admin/{template}", **context), status


def error_page(message: str, status: int):
    return render_template("error.html", message=message), status


def found(getter, *args):
    """The object, or 404."""
    try:
        return getter(db.session, *args)
    except Refused:
        abort(404)


def unit_levels() -> dict[str, tuple[str, str]]:
    return {level: UNIT_LEVEL_NAMES[level] for level in UNIT_LEVELS}


def download(content: bytes, mimetype: str, filename: str):
    """``content`` as a file the browser saves as ``filename``."""
    response = make_response(content)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -------------------------------------------------------------------- index


@bp.get("")
@allow(ADMIN)
def index():
    return page("index.html", summary=unit_admin.overview(db.session))
