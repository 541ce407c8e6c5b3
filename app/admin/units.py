"""The unit tree: create, import, rename, move, retire and restore units,
their QR posters, and new counters from a unit's page."""

from __future__ import annotations

from flask import current_app, url_for

from app.access import allow
from app.admin.forms import (
    ActionForm,
    PointCreateForm,
    UnitCreateForm,
    UnitImportForm,
    UnitMoveForm,
    UnitRenameForm,
    UnitRetireForm,
    choices,
)
from app.admin.routes import ADMIN, actor, bp, done, download, error_page, found, page, refused, unit_levels
from app.extensions import db
from app.i18n import translate
from app.refusals import Refused
from app.services import point_admin, unit_admin, unit_import
from app.services.imports import ImportFileError
from app.services.unit_admin import PARENT_LEVELS


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
    return download(pdf, "application/pdf", filename)


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
