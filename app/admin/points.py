"""Service points (counters): their page, edits, retiring and restoring,
a new QR token, the QR code and the sheet of one-time dossier codes."""

from __future__ import annotations

from flask import abort, current_app, request, url_for

from app.access import allow
from app.admin.forms import ActionForm, ConfirmForm, PointUpdateForm
from app.admin.routes import ADMIN, actor, bp, done, download, error_page, found, page, refused
from app.extensions import db
from app.i18n import translate
from app.refusals import Refused
from app.services import point_admin
from app.services.dossier_codes import dossier_key
from app.services.instruments import instrument_active


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
    return download(pdf, "application/pdf", filename)


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
    return download(content, mimetype, filename)
