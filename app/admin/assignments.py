"""Surveyors' assignments (``/quan-tri/phan-cong``): list, add, end.

Administrators only; each change is audited by ``app.services.assignment_admin``.
"""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select

from app.access import allow
from app.admin.forms import ActionForm, AssignmentForm, choices
from app.admin.routes import ADMIN, actor, bp, done, page, refused
from app.extensions import db
from app.models import Unit, User
from app.parsing import day_parse, digits_parse
from app.refusals import Refused
from app.services import assignment_admin
from app.time import vietnam_today


def _assignments_page(*, form=None, error=None, status=200):
    registry = current_app.extensions["instruments"]
    form = form or AssignmentForm(formdata=None, starts_on=vietnam_today().isoformat(), instrument="papi-household")
    surveyors = db.session.execute(
        select(User.id, User.username, User.display_name)
        .where(User.role == "surveyor", User.active.is_(True))
        .order_by(User.username)
    ).all()
    units = db.session.execute(select(Unit.id, Unit.code, Unit.name).order_by(Unit.path, Unit.code)).all()
    form.surveyor_id.choices = choices([("", "—")] + [(i, f"{u} – {n}" if n else u) for i, u, n in surveyors])
    form.unit_id.choices = choices([("", "—")] + [(i, f"{name} ({code})") for i, code, name in units])
    return page(
        "assignments.html",
        status,
        rows=assignment_admin.assignment_list(db.session, vietnam_today()),
        form=form,
        instruments=assignment_admin.tablet_instruments(registry),
        action=ActionForm(formdata=None),
        error=error,
    )


@bp.get("/phan-cong")
@allow(ADMIN)
def assignments():
    return _assignments_page()


def _day(text: str | None):
    """A day from the form: None if empty, False if unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    return day_parse(text) or False


@bp.post("/phan-cong")
@allow(ADMIN)
def assignment_create():
    form = AssignmentForm()
    starts_on, ends_on = _day(form.starts_on.data), _day(form.ends_on.data)
    try:
        if starts_on is False or ends_on is False:
            raise Refused("assign.date_invalid")
        made = assignment_admin.assignment_add(
            db.session,
            actor(),
            current_app.extensions["instruments"],
            surveyor_id=form.surveyor_id.data,
            unit_id=form.unit_id.data,
            point_code=(form.point_code.data or "").strip() or None,
            instrument_code=(form.instrument.data or "").strip(),
            target=digits_parse((form.target.data or "").strip(), 7),
            starts_on=starts_on,
            ends_on=ends_on,
        )
    except Refused as exc:
        error, status = refused(exc)
        return _assignments_page(form=form, error=error, status=status)
    return done("adm.assignment.created", url_for(".assignments"), id=made.id)


@bp.post("/phan-cong/<int:assignment_id>/ket-thuc")
@allow(ADMIN)
def assignment_end(assignment_id: int):
    ActionForm()  # the CSRF token is checked by the extension before the view
    try:
        outcome = assignment_admin.assignment_end(db.session, actor(), assignment_id, vietnam_today())
    except Refused as exc:
        error, status = refused(exc)
        return _assignments_page(error=error, status=status)
    return done(f"adm.assignment.{outcome}", url_for(".assignments"), id=assignment_id)
