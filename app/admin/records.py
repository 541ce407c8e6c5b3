"""Administration of what the system holds: instrument versions, the review
of responses (exclude with a reason, restore) and the audit log.
Administrators only (see ``app.services.review`` for why analysts do not
exclude responses)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response as HttpResponse
from flask import current_app, request, stream_with_context, url_for
from sqlalchemy import select

from app.access import allow
from app.admin.forms import ActionForm, ExcludeForm, audit_filter, review_filter
from app.admin.routes import ADMIN, actor, bp, done, error_page, found, page, refused
from app.extensions import db
from app.i18n import translate
from app.models import Unit
from app.parsing import day_parse, digits_parse
from app.refusals import Refused
from app.services import anomalies, instrument_admin, review
from app.services import audit as audit_log
from app.services.audit import audit_record
from app.time import VIETNAM, vietnam_today
from app.urls import link_args

# ------------------------------------------------------ instrument versions


def _available() -> set[str]:
    return set(current_app.extensions["instruments"])


@bp.get("/bo-cau-hoi")
@allow(ADMIN)
def instruments():
    return page(
        "instruments.html",
        rows=instrument_admin.instrument_list(db.session, _available()),
        action=ActionForm(formdata=None),
    )


@bp.get("/bo-cau-hoi/<int:version_id>")
@allow(ADMIN)
def instrument(version_id: int):
    row = found(instrument_admin.instrument_get, version_id)
    return page("instrument.html", row=row, action=ActionForm(formdata=None))


@bp.post("/bo-cau-hoi/<int:version_id>/kich-hoat")
@allow(ADMIN)
def instrument_activate(version_id: int):
    try:
        row = instrument_admin.instrument_activate(db.session, actor(), version_id, _available())
    except Refused as exc:
        return error_page(*refused(exc))
    return done("adm.instrument.activated", url_for(".instruments"), version=f"{row.code} v{row.version}")


# ---------------------------------------------------------- response review


@bp.get("/phieu")
@allow(ADMIN)
def responses():
    try:
        flt = review_filter(request.args)
        result = review.response_list(db.session, flt)
    except Refused as exc:
        return error_page(translate(exc.message_key, **exc.values), 400)
    units = db.session.execute(select(Unit.code, Unit.name).order_by(Unit.path, Unit.code)).all()
    args = link_args(request.args, ("unit", "from", "to", "status"))
    return page("responses.html", result=result, flt=flt, units=units, args=args)


def _response_page(response_id: int, *, error=None, status=200, exclude=None):
    detail = found(review.response_detail, current_app.extensions["instruments"], response_id)
    return page(
        "response.html",
        status,
        detail=detail,
        exclude=exclude or ExcludeForm(formdata=None),
        action=ActionForm(formdata=None),
        error=error,
    )


@bp.get("/phieu/<int:response_id>")
@allow(ADMIN)
def response(response_id: int):
    return _response_page(response_id)


@bp.post("/phieu/<int:response_id>/loai")
@allow(ADMIN)
def response_exclude(response_id: int):
    form = ExcludeForm()
    try:
        review.response_exclude(db.session, actor(), response_id, form.reason.data)
    except Refused as exc:
        error, status = refused(exc)
        return _response_page(response_id, error=error, status=status, exclude=form)
    return done("adm.review.excluded", url_for(".response", response_id=response_id))


@bp.post("/phieu/<int:response_id>/khoi-phuc")
@allow(ADMIN)
def response_restore(response_id: int):
    try:
        review.response_restore(db.session, actor(), response_id)
    except Refused as exc:
        error, status = refused(exc)
        return _response_page(response_id, error=error, status=status)
    return done("adm.review.restored", url_for(".response", response_id=response_id))


# ------------------------------------------------------------ anomaly flags


def _anomalies_page(*, error=None, status=200, exclude=None):
    today = vietnam_today()
    date_from = day_parse(request.args.get("from")) or today - timedelta(days=30)
    date_to = day_parse(request.args.get("to")) or today
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days > 366:  # one year at most on one screen
        date_from = date_to - timedelta(days=366)
    result = anomalies.anomaly_review(db.session, date_from, date_to)
    return page(
        "anomalies.html",
        status,
        result=result,
        date_from=date_from,
        date_to=date_to,
        exclude=exclude or ExcludeForm(formdata=None),
        error=error,
    )


@bp.get("/bat-thuong")
@allow(ADMIN)
def anomalies_list():
    return _anomalies_page()


@bp.post("/bat-thuong/loai")
@allow(ADMIN)
def anomalies_exclude():
    form = ExcludeForm()
    point_id = digits_parse(request.form.get("point"), 12)
    day = day_parse(request.form.get("day"))
    if point_id is None or day is None:
        return error_page(translate("adm.anomalies.bad_request"), 400)
    try:
        n = review.counter_day_exclude(
            db.session, actor(), point_id, day, form.reason.data, marked_only=request.form.get("scope") != "all"
        )
    except Refused as exc:
        error, status = refused(exc)
        return _anomalies_page(error=error, status=status, exclude=form)
    return done("adm.anomalies.excluded", url_for(".anomalies_list"), n=n)


# ---------------------------------------------------------------- audit log


@bp.get("/nhat-ky")
@allow(ADMIN)
def audit():
    try:
        flt = audit_filter(request.args)
    except Refused as exc:
        return error_page(translate(exc.message_key, **exc.values), 400)
    args = link_args(request.args, ("action", "user", "from", "to"))
    return page(
        "audit.html",
        result=audit_log.audit_page(db.session, flt),
        flt=flt,
        actions=audit_log.audit_actions(db.session),
        args=args,
    )


@bp.get("/nhat-ky.csv")
@allow(ADMIN)
def audit_csv():
    try:
        flt = audit_filter(request.args)
    except Refused as exc:
        return error_page(translate(exc.message_key, **exc.values), 400)
    # Reading the log is itself recorded, before the rows are sent.
    audit_record(db.session, actor(), "audit.export", "audit_log", {"filter": request.args.to_dict()})
    db.session.commit()
    stamp = datetime.now(VIETNAM).strftime("%Y%m%d-%H%M")
    return HttpResponse(
        stream_with_context(audit_log.audit_csv(db.session, flt)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="nhat-ky-{stamp}.csv"'},
    )
