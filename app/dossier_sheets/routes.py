"""Printed one-time dossier codes.

- ``/ma-ho-so``: the counters the person may print slips for (a unit
  manager: the active counters of their unit and the units below it; an
  administrator: every active counter), each with the number of slips and
  the days they stay good.
- ``/ma-ho-so/<counter id>.pdf?so=16&ngay=60``: the PDF
  (app/services/dossier_register.py). A counter outside the person's units
  is not found, exactly like an unknown one. Every print is in the audit
  log (who, which counter, how many codes, for how long): codes are what a
  verified response needs, so the province can see who made them.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_login import current_user

from app.access import allow
from app.extensions import db
from app.i18n import translate
from app.parsing import digits_parse
from app.refusals import Refused
from app.services.audit import audit_record
from app.services.dossier_register import MAX_DAYS, MAX_SHEET_CODES, dossier_sheet, sheet_points

bp = Blueprint("dossier_sheets", __name__, url_prefix="/ma-ho-so")

PRINTERS = ("unit_manager", "admin")
#: what the form proposes
DEFAULT_COUNT, DEFAULT_DAYS = 16, 60


def _error(message: str, status: int):
    return render_template("error.html", message=message), status


def _number(name: str, default: int) -> int | None:
    text = request.args.get(name)
    return default if text is None else digits_parse(text, 3)


@bp.get("")
@allow(*PRINTERS)
def index():
    points = sheet_points(db.session, current_user._get_current_object())
    return render_template(
        "dossier_sheets/index.html",
        points=points,
        count=DEFAULT_COUNT,
        days=DEFAULT_DAYS,
        most_codes=MAX_SHEET_CODES,
        most_days=MAX_DAYS,
    )


@bp.get("/<int:point_id>.pdf")
@allow(*PRINTERS)
def sheet(point_id: int):
    count, days = _number("so", DEFAULT_COUNT), _number("ngay", DEFAULT_DAYS)
    if count is None or days is None:
        return _error(translate("sheet.bad_number"), 422)
    user = current_user._get_current_object()
    try:
        filename, pdf = dossier_sheet(
            db.session, current_app.secret_key, current_app.config["PUBLIC_URL"], point_id, count, days, user=user
        )
    except Refused as exc:
        if exc.status == 404:
            abort(404)
        return _error(translate(exc.message_key, **exc.values), exc.status)
    audit_record(db.session, user, "dossier_sheet.print", str(point_id),
                 {"service_point_id": point_id, "count": count, "days": days})  # fmt: skip
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
