"""The public results page and its open-data downloads, for anyone.

``/ket-qua?ky=2026-Q3`` (or ``ky=2025``) shows what the province publishes
for a closed quarter or year; ``/ket-qua/du-lieu.csv`` and ``.json`` give the
same figures as open data (docs/open-data.md). An open or future period is
a 404, a value that names no period a 400. The figures are those of the
dashboard's report (:mod:`app.services.public_results`), so disclosure
control hides the same cells; comments are never shown.

Closed periods change rarely (a late paper import, an excluded response):
each worker keeps a period's figures for ``CACHE_SECONDS`` and tells
browsers and proxies they may keep the page as long, so a crowd opening the
page on the day the results come out costs one report build per worker.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, abort, current_app, make_response, render_template, request, session, url_for

from app.access import PUBLIC, allow
from app.extensions import db
from app.i18n import current_lang, languages, translate
from app.refusals import Refused
from app.render.spreadsheet import csv_line
from app.reports.forms import report_request
from app.services.public_results import (
    LICENCE,
    OPEN_DATA_COLUMNS,
    PublicResults,
    closed_periods,
    open_data_rows,
    period_code,
    public_period_parse,
    public_results,
)
from app.services.reports.build import InstrumentMissing
from app.services.reports.periods import Period
from app.time import vietnam_today

bp = Blueprint("results", __name__)

#: how long a worker, a browser or a proxy keeps a closed period's figures
CACHE_SECONDS = 600
#: the open-data formats
FORMATS = ("csv", "json")
#: the worker's copies of built results: app.extensions[CACHE] = {period code: (built at, results)}
CACHE = "public_results"


def _refused(exc: Refused):
    message = translate(exc.message_key, **exc.values)
    if request.path.endswith(".json"):
        body = make_response({"error": exc.message_key, "message": message}, exc.status)
    else:
        title = translate("notfound.title") if exc.status == 404 else None
        body = make_response(render_template("error.html", title=title, message=message), exc.status)
    abort(body)


def _period() -> Period:
    try:
        return public_period_parse(request.args.get("ky"), vietnam_today())
    except Refused as exc:
        _refused(exc)
        raise  # pragma: no cover  (abort raises)


def _results(period: Period) -> PublicResults:
    cache = current_app.extensions.setdefault(CACHE, {})
    code = period_code(period)
    kept = cache.get(code)
    if kept is not None and time.monotonic() - kept[0] < CACHE_SECONDS:
        return kept[1]
    # The dashboard's own request for the period: its instrument, grouping by unit, no unit filter.
    req = report_request({"period": period.kind, "date": period.start.isoformat()})
    try:
        results = public_results(db.session, current_app.extensions["instruments"], req)
    except InstrumentMissing:
        abort(404)
    cache[code] = (time.monotonic(), results)
    return results


def _cacheable(response):
    """Public data: anyone may keep it for a while; a signed-in person's page
    (it shows their account link), or one that sets the language cookie, only
    in the person's own browser."""
    signed_in = "_user_id" in session
    asked = request.args.get("lang")
    sets_cookie = asked in languages() and request.cookies.get("lang") != asked
    scope = "private" if signed_in or sets_cookie else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={CACHE_SECONDS}"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/ket-qua")
@allow(PUBLIC)
def page():
    period = _period()
    results = _results(period)
    html = render_template(
        "results/page.html",
        results=results,
        periods=closed_periods(db.session, vietnam_today()),
        period_code=period_code,
        lang=current_lang(),
        licence=LICENCE,
    )
    return _cacheable(make_response(html))


@bp.get("/ket-qua/du-lieu.<fmt>")
@allow(PUBLIC)
def data(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    period = _period()
    results = _results(period)
    rows = open_data_rows(results)
    name = f"ket-qua-{results.code}.{fmt}"
    if fmt == "csv":
        lines = [csv_line(OPEN_DATA_COLUMNS)] + [csv_line(row[c] for c in OPEN_DATA_COLUMNS) for row in rows]
        response = make_response("\ufeff" + "".join(lines))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        document = {
            "period": {"code": results.code, "kind": results.period.kind, "start": results.period.start.isoformat(),
                       "end": results.period.end.isoformat()},
            "instrument": results.instrument_title.vi,
            "licence": LICENCE,
            "method": current_app.config["PUBLIC_URL"].rstrip("/") + url_for("results.page", ky=results.code)
            + "#phuong-phap",
            "disclosure_min": results.thresholds.disclosure_min,
            "reliable_min": results.thresholds.reliable_min,
            "columns": list(OPEN_DATA_COLUMNS),
            "rows": rows,
        }  # fmt: skip
        response = make_response(json.dumps(document, ensure_ascii=False, indent=1))
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _cacheable(response)
