"""Administration screens under ``/quan-tri``: the unit tree and service points.

Administrators only. Views parse the form, call one service function and
render; the services (``app.services.unit_admin`` and its siblings)
own the queries, the checks and the audit rows. A refused change re-renders
the page with the reason and a 4xx status; a change that worked is
committed and redirects (303) with a message.

Accounts are in ``app.admin.people``, instruments, response review and the
audit log in ``app.admin.records``; they register their views on ``bp``.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import allow
from app.admin.forms import (
    ActionForm,
    ConfirmForm,
    PointCreateForm,
    PointUpdateForm,
    UnitCreateForm,
    UnitImportForm,
    UnitMoveForm,
    UnitRenameForm,
    UnitRetireForm,
    choices,
)
from app.citizen.lookups import lookups_forget
from app.extensions import db
from app.i18n import translate
from app.models import User
from app.models.units import UNIT_LEVEL_NAMES, UNIT_LEVELS
from app.refusals import Refused
from app.services import point_admin, unit_admin, unit_import
from app.services.dossier_codes import dossier_key
from app.services.imports import ImportFileError
from app.services.instruments import instrument_active
from app.services.unit_admin import PARENT_LEVELS

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


# -------------------------------------------------------------------- index


@bp.get("")
@allow(ADMIN)
def index():
    return page("index.html", summary=unit_admin.overview(db.session))


# ---------------------------------------------------------------- unit tree


def _units_page(*, create=None, upload=None, error=None, status=200, result=None):
    create = create or UnitCreateForm(formdata=None)
    options = [("", "—")] + [(i, label) for i, _, label in unit_admin.parent_options(db.session)]
    create.parent_id.choices = choices(options)
    return page(
        "units.html",
        status,
        tree=unit_admin.unit_tree(db.session),
        create=create,
        upload=upload or UnitImportForm(formdata=None),
        error=error,
        result=result,
        levels=unit_levels(),
    )


@bp.get("/don-vi")
@allow(ADMIN)
def units():
    return _units_page()


@bp.post("/don-vi")
@allow(ADMIN)
def unit_create():
    form = UnitCreateForm()
    try:
        unit = unit_admin.unit_create(
            db.session,
            actor(),
            code=form.code.data,
            name=form.name.data,
            level=form.level.data,
            parent_id=form.parent_id.data,
        )
    except Refused as exc:
        error, status = refused(exc)
        return _units_page(create=form, error=error, status=status)
    return done("adm.unit.created", url_for(".unit", unit_id=unit.id), code=unit.code)


@bp.post("/don-vi/nhap")
@allow(ADMIN)
def units_import():
    form = UnitImportForm()
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return _units_page(upload=form, error=translate("adm.import.no_file"), status=422)
    try:
        result = unit_import.units_import(db.session, actor(), upload.read(), upload.filename)
    except ImportFileError as exc:
        db.session.rollback()
        return _units_page(upload=form, error=str(exc), status=422)
    if not result.applied:
        db.session.rollback()
        return _units_page(upload=form, result=result, error=translate("adm.import.refused"), status=422)
    return done(
        "adm.import.done",
        url_for(".units"),
        created=len(result.created),
        renamed=len(result.renamed),
        unchanged=result.unchanged,
    )


def _unit_page(unit_id: int, *, error=None, status=200, **forms):
    unit = found(unit_admin.unit_get, unit_id)
    move = forms.get("move") or UnitMoveForm(formdata=None, parent_id=unit.parent_id)
    move.parent_id.choices = choices(
        (i, label)
        for i, level, label in unit_admin.parent_options(db.session)
        if level in PARENT_LEVELS[unit.level] and i != unit.id
    )
    return page(
        "unit.html",
        status,
        unit=unit,
        parent=unit.parent,
        children=sorted(unit.children, key=lambda u: (u.retired_at is not None, u.level, u.code)),
        points=point_admin.points_of(db.session, unit.id),
        active_below=unit_admin.active_descendants(db.session, unit),
        rename=forms.get("rename") or UnitRenameForm(formdata=None, name=unit.name),
        move=move,
        retire=forms.get("retire") or UnitRetireForm(formdata=None),
        action=ActionForm(formdata=None),
        point_form=forms.get("point_form") or PointCreateForm(formdata=None),
        error=error,
        levels=unit_levels(),
    )


@bp.get("/don-vi/<int:unit_id>")
@allow(ADMIN)
def unit(unit_id: int):
    return _unit_page(unit_id)


@bp.post("/don-vi/<int:unit_id>/doi-ten")
@allow(ADMIN)
def unit_rename(unit_id: int):
    form = UnitRenameForm()
    try:
        unit_admin.unit_rename(db.session, actor(), unit_id, form.name.data)
    except Refused as exc:
        error, status = refused(exc)
        return _unit_page(unit_id, error=error, status=status, rename=form)
    return done("adm.saved", url_for(".unit", unit_id=unit_id))


@bp.post("/don-vi/<int:unit_id>/chuyen")
@allow(ADMIN)
def unit_move(unit_id: int):
    form = UnitMoveForm()
    try:
        unit_admin.unit_move(db.session, actor(), unit_id, form.parent_id.data)
    except Refused as exc:
        error, status = refused(exc)
        return _unit_page(unit_id, error=error, status=status, move=form)
    return done("adm.unit.moved", url_for(".unit", unit_id=unit_id))


@bp.post("/don-vi/<int:unit_id>/ngung")
@allow(ADMIN)
def unit_retire(unit_id: int):
    form = UnitRetireForm()
    if not form.confirm.data:
        return _unit_page(unit_id, error=translate("adm.confirm_required"), status=422, retire=form)
    try:
        count = unit_admin.unit_retire(db.session, actor(), unit_id, subtree=bool(form.subtree.data))
    except Refused as exc:
        error, status = refused(exc)
        return _unit_page(unit_id, error=error, status=status, retire=form)
    return done("adm.unit.retired_n", url_for(".unit", unit_id=unit_id), n=count)


@bp.post("/don-vi/<int:unit_id>/khoi-phuc")
@allow(ADMIN)
def unit_restore(unit_id: int):
    try:
        count = unit_admin.unit_restore(db.session, actor(), unit_id)
    except Refused as exc:
        error, status = refused(exc)
        return _unit_page(unit_id, error=error, status=status)
    return done("adm.unit.restored_n", url_for(".unit", unit_id=unit_id), n=count)


@bp.get("/don-vi/<int:unit_id>/ap-phich.pdf")
@allow(ADMIN)
def unit_posters(unit_id: int):
    try:
        filename, pdf, _pages = point_admin.posters_pdf(
            db.session, current_app.config["PUBLIC_URL"], unit_id, current_app.extensions["instruments"]
        )
    except Refused as exc:
        found(unit_admin.unit_get, unit_id)  # an unknown unit is a plain 404
        return error_page(translate(exc.message_key), exc.status)
    return _download(pdf, "application/pdf", filename)


def _download(content: bytes, mimetype: str, filename: str):
    response = make_response(content)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ----------------------------------------------------------- service points


@bp.post("/don-vi/<int:unit_id>/quay")
@allow(ADMIN)
def point_create(unit_id: int):
    form = PointCreateForm()
    try:
        point = point_admin.point_create(
            db.session,
            actor(),
            unit_id,
            code=form.code.data,
            name=form.name.data,
            procedure_field=form.procedure_field.data,
        )
    except Refused as exc:
        error, status = refused(exc)
        return _unit_page(unit_id, error=error, status=status, point_form=form)
    return done("adm.point.created", url_for(".point", point_id=point.id), code=point.code)


def _point_page(point_id: int, *, error=None, status=200, **forms):
    point = found(point_admin.point_get, point_id)
    active = instrument_active(db.session, current_app.extensions["instruments"], point.instrument_code)
    questions = active.instrument.questions if active else ()
    procedure = next((q for q in questions if q.role.value == "procedure"), None)
    return page(
        "point.html",
        status,
        point=point,
        unit=point.unit,
        edit=forms.get("edit")
        or PointUpdateForm(formdata=None, name=point.name, procedure_field=point.procedure_field or ""),
        confirm=forms.get("confirm") or ConfirmForm(formdata=None),
        action=ActionForm(formdata=None),
        procedures=[c.label.vi for c in procedure.scale.choices] if procedure and procedure.scale else [],
        link=f"{current_app.config['PUBLIC_URL']}/s/{point.qr_token}",
        dossier_key=dossier_key(current_app.secret_key, point.id),
        error=error,
    )


@bp.get("/quay/<int:point_id>")
@allow(ADMIN)
def point(point_id: int):
    return _point_page(point_id)


@bp.get("/quay/<int:point_id>/ma-ho-so.pdf")
@allow(ADMIN)
def point_dossier_sheet(point_id: int):
    """Slips of one-time dossier codes for a counter without software (app/services/dossier_register.py)."""
    from app.services.dossier_register import dossier_sheet

    try:
        count, days = int(request.args.get("so", "16")), int(request.args.get("ngay", "60"))
    except ValueError:
        return error_page(translate("sheet.bad_number"), 422)
    try:
        filename, pdf = dossier_sheet(
            db.session, current_app.secret_key, current_app.config["PUBLIC_URL"], point_id, count, days
        )
    except Refused as exc:
        if exc.status == 404:
            abort(404)
        return error_page(translate(exc.message_key, **exc.values), exc.status)
    return _download(pdf, "application/pdf", filename)


@bp.post("/quay/<int:point_id>/sua")
@allow(ADMIN)
def point_update(point_id: int):
    form = PointUpdateForm()
    try:
        point_admin.point_update(
            db.session, actor(), point_id, name=form.name.data, procedure_field=form.procedure_field.data
        )
    except Refused as exc:
        error, status = refused(exc)
        return _point_page(point_id, error=error, status=status, edit=form)
    return done("adm.saved", url_for(".point", point_id=point_id))


@bp.post("/quay/<int:point_id>/ngung")
@allow(ADMIN)
def point_retire(point_id: int):
    form = ConfirmForm()
    if not form.confirm.data:
        return _point_page(point_id, error=translate("adm.confirm_required"), status=422)
    try:
        point_admin.point_retire(db.session, actor(), point_id)
    except Refused as exc:
        error, status = refused(exc)
        return _point_page(point_id, error=error, status=status)
    return done("adm.point.retired_done", url_for(".point", point_id=point_id))


@bp.post("/quay/<int:point_id>/khoi-phuc")
@allow(ADMIN)
def point_restore(point_id: int):
    try:
        point_admin.point_restore(db.session, actor(), point_id)
    except Refused as exc:
        error, status = refused(exc)
        return _point_page(point_id, error=error, status=status)
    return done("adm.point.restored", url_for(".point", point_id=point_id))


@bp.post("/quay/<int:point_id>/doi-ma")
@allow(ADMIN)
def point_rotate(point_id: int):
    form = ConfirmForm()
    if not form.confirm.data:
        return _point_page(point_id, error=translate("adm.confirm_required"), status=422, confirm=form)
    try:
        point_admin.point_rotate(db.session, actor(), point_id)
    except Refused as exc:
        error, status = refused(exc)
        return _point_page(point_id, error=error, status=status)
    return done("adm.point.rotated", url_for(".point", point_id=point_id))


@bp.get("/quay/<int:point_id>/qr.<any(png, svg):qr_format>")
@allow(ADMIN)
def point_qr(point_id: int, qr_format: str):
    try:
        filename, content, mimetype = point_admin.point_qr(
            db.session, current_app.config["PUBLIC_URL"], point_id, qr_format
        )
    except Refused as exc:
        return error_page(*refused(exc))
    return _download(content, mimetype, filename)
