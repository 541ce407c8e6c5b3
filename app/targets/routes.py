"""Targets: the year's list with each target's progress, and its classification file.

- ``/chi-tieu?nam=2026``: the targets of a year, each with the unit's figure,
  its interval and the classification (administrators and analysts); an
  administrator also adds, edits and deletes targets here (CSRF, audited).
- ``/chi-tieu/xep-loai.xlsx`` and ``.csv``: the year-end classification
  (administrators and analysts; every download in the audit log).

A unit manager and a surveyor get 403: targets are set by the province.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import allow
from app.extensions import db
from app.i18n import current_lang, translate
from app.models import TARGET_KINDS
from app.refusals import Refused
from app.services import targets as service
from app.services.audit import audit_record
from app.services.instruments import instrument_active
from app.services.reports.build import InstrumentMissing
from app.services.targets_export import targets_csv, targets_xlsx
from app.services.unit_admin import unit_tree
from app.targets.forms import DeleteForm, TargetForm
from app.time import vietnam_today
from surveys import Instrument

bp = Blueprint("targets", __name__, url_prefix="/chi-tieu")

ADMIN = "admin"
READERS = ("admin", "analyst")
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _refusal_page(exc: Refused):
    db.session.rollback()
    body = render_template("error.html", message=translate(exc.message_key, **exc.values))
    abort(make_response(body, exc.status))


def _year() -> int:
    text = request.args.get("nam")
    if not text:
        return vietnam_today().year
    try:
        return service.year_parse(text)
    except Refused as exc:
        _refusal_page(exc)
        raise  # pragma: no cover  (abort raises)


def _instrument() -> Instrument:
    active = instrument_active(db.session, current_app.extensions["instruments"], service.INSTRUMENT)
    if active is None:
        abort(404)
    return active.instrument


def _progress(year: int):
    try:
        return service.targets_progress(db.session, current_app.extensions["instruments"], year)
    except InstrumentMissing:
        abort(404)


def _form_choices(form: TargetForm, instrument: Instrument) -> TargetForm:
    lang = current_lang()
    rows = [row for row in unit_tree(db.session) if not row.retired]
    form.unit_id.choices = [("", "—")] + [(row.id, f"{'· ' * row.depth}{row.name} ({row.code})") for row in rows]
    form.indicator.choices = [(key, text.get(lang)) for key, text in service.indicator_options(instrument)]
    form.kind.choices = [(kind, translate(f"tgt.kind.{kind}")) for kind in TARGET_KINDS]
    return form


def _index_page(year: int, *, form: TargetForm | None = None, error: str | None = None, status: int = 200):
    instrument = _instrument()
    form = _form_choices(form or TargetForm(formdata=None, year=str(year)), instrument)
    body = render_template(
        "targets/index.html",
        year=year,
        progress=_progress(year),
        form=form,
        delete=DeleteForm(formdata=None),
        can_edit=current_user.role == ADMIN,
        lang=current_lang(),
        error=error,
    )
    return body, status


def _save(form: TargetForm, target_id: int | None = None):
    return service.target_save(
        db.session,
        current_user._get_current_object(),
        _instrument(),
        target_id=target_id,
        unit_id=form.unit_id.data,
        indicator=form.indicator.data or "",
        year=form.year.data,
        kind=form.kind.data or "",
        value=form.value.data,
        note=form.note.data,
    )


def _done(message_key: str, year: int):
    db.session.commit()
    flash(translate(message_key))
    return redirect(url_for(".index", nam=year), code=303)


@bp.get("")
@allow(*READERS)
def index():
    return _index_page(_year())


@bp.post("")
@allow(ADMIN)
def create():
    form = TargetForm()
    try:
        target = _save(form)
    except Refused as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        return _index_page(vietnam_today().year, form=form, error=translate(exc.message_key, **exc.values),
                           status=exc.status)  # fmt: skip
    return _done("tgt.saved", target.year)


def _edit_page(target_id: int, *, form: TargetForm | None = None, error: str | None = None, status: int = 200):
    try:
        target = service.target_get(db.session, target_id)
    except Refused:
        abort(404)
    form = form or TargetForm(
        formdata=None,
        unit_id=target.unit_id,
        indicator=target.indicator,
        year=str(target.year),
        kind=target.kind,
        value=f"{target.value:g}",
        note=target.note or "",
    )
    body = render_template(
        "targets/edit.html",
        target=target,
        form=_form_choices(form, _instrument()),
        delete=DeleteForm(formdata=None),
        error=error,
    )
    return body, status


@bp.get("/<int:target_id>")
@allow(ADMIN)
def edit(target_id: int):
    return _edit_page(target_id)


@bp.post("/<int:target_id>")
@allow(ADMIN)
def update(target_id: int):
    form = TargetForm()
    try:
        target = _save(form, target_id)
    except Refused as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        return _edit_page(target_id, form=form, error=translate(exc.message_key, **exc.values), status=exc.status)
    return _done("tgt.saved", target.year)


@bp.post("/<int:target_id>/xoa")
@allow(ADMIN)
def delete(target_id: int):
    if not DeleteForm().validate_on_submit():
        abort(400)  # pragma: no cover  (CSRFProtect refuses a missing token first)
    try:
        target = service.target_get(db.session, target_id)
        year = target.year
        service.target_delete(db.session, current_user._get_current_object(), target_id)
    except Refused:
        db.session.rollback()
        abort(404)
    return _done("tgt.deleted", year)


@bp.get("/xep-loai.<ext>")
@allow(*READERS)
def export(ext: str):
    if ext not in FORMATS:
        abort(404)
    year = _year()
    lang = current_lang()
    progress = _progress(year)
    content = targets_xlsx(progress, lang) if ext == "xlsx" else targets_csv(progress, lang)
    audit_record(db.session, current_user, "targets.export", str(year), {"format": ext, "targets": len(progress)})
    db.session.commit()
    response = make_response(content)
    response.headers["Content-Type"] = FORMATS[ext]
    response.headers["Content-Disposition"] = f'attachment; filename="xep-loai-chi-tieu-{year}.{ext}"'
    return response
