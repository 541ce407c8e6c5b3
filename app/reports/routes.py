"""Dashboard and downloads for analysts and unit managers.

A unit manager sees their unit and the units below it: any filter naming
another unit is refused with 403, and without one the filter is narrowed
to their own unit. Every view and download is written to the audit log.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.access import allow, unit_scope_clause
from app.extensions import db
from app.i18n import current_lang, translate
from app.models import Unit
from app.render.charts.svg import funnel_chart, trend_chart, units_chart
from app.reports.forms import FORMATS, GROUPINGS, FilterError
from app.reports.scope import FILTER_PARAMS, UnitOutOfScope, scoped_report_request
from app.services.audit import audit_record
from app.services.reports.breakdown import BreakdownUnknown, breakdown_choices, instrument_choices
from app.services.reports.build import InstrumentMissing, report_for
from app.services.reports.labels import CHANNEL_NAMES, GROUPING_NAMES, LEVEL_NAMES
from app.services.reports.model import INDEX_KEY, Report, ReportRequest
from app.urls import link_args

bp = Blueprint("reports", __name__)

STAFF = ("admin", "analyst", "unit_manager")


def _scoped_request() -> ReportRequest:
    """Parse the filter and hold a unit manager to their own subtree."""
    try:
        return scoped_report_request(db.session, current_user, request.args)
    except FilterError as exc:
        # the reason itself, not a generic "bad request": the person can fix it
        abort(make_response(render_template("error.html", message=exc.text(current_lang())), 400))
    except UnitOutOfScope as exc:
        message = translate("rep.unit_refused", unit=exc.own)
        title = translate("access.denied.title")
        abort(make_response(render_template("error.html", title=title, message=message), 403))


def _build(req: ReportRequest, limit: int = 300, *, refuse_by: bool = True) -> Report:
    try:
        return report_for(
            db.session,
            current_app.extensions["instruments"],
            req,
            comment_limit=limit,
            ranking=current_app.config["RANKING_WEIGHTS"],
        )
    except InstrumentMissing:
        abort(404)
    except BreakdownUnknown:
        if not refuse_by:
            raise
        message = translate("filter.by", value=(req.by or "")[:40])
        abort(make_response(render_template("error.html", message=message), 400))


def _audit(action: str, req: ReportRequest, **extra) -> None:
    detail = {
        "period": [req.period.start.isoformat(), req.period.end.isoformat(), req.period.kind],
        "filter": {k: v for k, v in asdict(req.filter).items() if v is not None and k not in ("date_from", "date_to")},
        "grouping": req.grouping,
        **extra,
    }
    if req.search:
        detail["comment_search"] = req.search
    audit_record(db.session, current_user, action, req.filter.unit_code or "*", detail)
    db.session.commit()


@bp.get("/bao-cao")
@allow(*STAFF)
def dashboard():
    req = _scoped_request()
    dropped_by = None
    try:
        report = _build(req, limit=100, refuse_by=False)
    except BreakdownUnknown:
        # a breakdown of another instrument, left in the form when switching: show the report without it
        dropped_by, req = req.by, replace(req, by=None)
        report = _build(req, limit=100)
    instrument = current_app.extensions["instruments"][report.instrument_key]
    _audit("report.view", req)
    lang = current_lang()
    total = next((s.current for s in report.summary if s.key == INDEX_KEY), None)
    charts = {
        "units": units_chart(report.units, total.estimate if total else None, translate("rep.chart_units"), lang=lang),
        "funnel": funnel_chart(report.funnel, translate("rep.chart_funnel"), lang=lang),
        "trend": trend_chart(report.trend, translate("rep.chart_trend"), lang=lang),
        "harassment": trend_chart(report.trend, translate("rep.harassment"), key="harassment", lang=lang),
    }
    scope_units = db.session.execute(
        select(Unit.code, Unit.name).where(unit_scope_clause(current_user)).order_by(Unit.path, Unit.code)
    ).all()
    procedure = next((q for q in instrument.questions if q.role.value == "procedure"), None)
    registry = current_app.extensions["instruments"]
    titles = {i.code: i.title for i in registry.values()}
    # the instruments with responses in the person's units, and the one shown even if it has none
    codes = sorted(set(instrument_choices(db.session, unit_scope_clause(current_user))) | {instrument.code})
    instruments = [(code, titles.get(code)) for code in codes]
    return render_template(
        "reports/dashboard.html",
        report=report,
        req=req,
        lang=lang,
        charts=charts,
        formats=FORMATS,
        groupings=GROUPINGS,
        grouping_names=GROUPING_NAMES,
        level_names=LEVEL_NAMES,
        channel_names=CHANNEL_NAMES,
        scope_units=scope_units,
        procedure=procedure,
        instruments=instruments,
        breakdowns=breakdown_choices(instrument),
        dropped_by=dropped_by,
        args=link_args(request.args, (*FILTER_PARAMS, "q")),  # the comment search too
    )


@bp.get("/bao-cao/tai-ve.<fmt>")
@allow(*STAFF)
def download(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    from app.render.csv.report import CSV_TABLES, TableUnknown, table_check
    from app.render.report_files import report_file

    try:
        table = table_check(request.args.get("table") or None)
    except TableUnknown as exc:
        message = translate("filter.table", value=str(exc)[:40], choices=", ".join(CSV_TABLES))
        abort(make_response(render_template("error.html", message=message), 400))
    req = _scoped_request()
    report = _build(req, limit=5000)
    rendered = report_file(report, fmt, current_lang(), table)
    _audit("report.download", req, format=fmt, **({"table": table} if table else {}))
    response = make_response(rendered.content)
    response.headers["Content-Type"] = rendered.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response
