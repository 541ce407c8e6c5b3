"""Views of the JSON API ``/api/v1``: parse, call a service, answer in JSON.

Every refusal is a JSON body ``{"error", "message", "messages"}`` with a
4xx status (503 only when the database is down, with nothing stored).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.access import AUTHENTICATED, PUBLIC, allow
from app.api.auth import MAX_BODY_BYTES, api_guard, bearer_user, by_bearer_token
from app.api.body import json_body
from app.api.openapi import openapi_document
from app.extensions import db, login_manager
from app.i18n import current_lang, translate
from app.ratelimit import rate_limited
from app.refusals import Refused
from app.render.report_json import report_dict
from app.reports.forms import FilterError
from app.reports.scope import FILTER_PARAMS, UnitOutOfScope, scoped_report_request
from app.services.assignments import AssignmentInfo, assignments_of
from app.services.audit import audit_record
from app.services.dossier_register import MAX_DOSSIERS, RegisteredItem, dossiers_register
from app.services.instruments import instrument_active
from app.services.interviews import MAX_ITEMS, ItemResult, interviews_check, interviews_store
from app.services.reports.breakdown import BreakdownUnknown
from app.services.reports.build import InstrumentMissing, report_for
from app.services.transactions import DatabaseUnavailable, write_transaction
from app.texts import texts
from app.time import vietnam_today
from surveys.serialize import instrument_as_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(api_guard)
bp.record_once(lambda _state: login_manager.request_loader(bearer_user))

#: the status an item would have on its own (ItemResult.http_status in the OpenAPI)
ITEM_HTTP = {"created": 201, "duplicate": 200, "conflict": 409, "invalid": 422, "forbidden": 403}
#: error codes of whole-request refusals, by the i18n key of their message
ERROR_CODES = {
    "api.content_type": "unsupported_media_type",
    "api.encoding": "invalid_encoding",
    "api.json": "invalid_json",
    "api.json_value": "invalid_json",
    "api.batch_shape": "invalid_batch",
    "api.too_many": "too_many_items",
    "api.too_large": "payload_too_large",
    "api.csrf": "csrf_failed",
    "api.unavailable": "unavailable",
    "api.bad_request": "bad_request",
    "api.not_found": "not_found",
    "api.unit_out_of_scope": "unit_out_of_scope",
    "api.dossier.batch_shape": "invalid_batch",
    "api.dossier.too_many": "too_many_items",
    "error.method": "method_not_allowed",
}
HTTP_KEYS = {400: "api.bad_request", 404: "api.not_found", 405: "error.method", 413: "api.too_large"}


def _texts(key: str, **values: object) -> dict[str, str]:
    return {lang: texts(key, lang, **values) for lang in ("vi", "en")}


def _refuse(key: str, status: int, **values: object):
    body = {"error": ERROR_CODES[key], "message": translate(key, **values), "messages": _texts(key, **values)}
    return body, status


def _limits() -> dict[str, object]:
    return {"n": MAX_ITEMS, "mb": MAX_BODY_BYTES // (1024 * 1024)}


def _batch_items(key: str, shape_key: str, most: int, too_many_key: str, **values: object) -> list:
    """The array ``key`` of the request's JSON object; refused (``Refused``)
    when the body is not JSON, has no such array (``shape_key``, 400) or more
    than ``most`` items (``too_many_key``, 413, with ``values``)."""
    batch = json_body(request.content_type, request.get_data(cache=False))
    items = batch.get(key) if isinstance(batch, dict) else None
    if not isinstance(items, list):
        raise Refused(shape_key, 400)
    if len(items) > most:
        raise Refused(too_many_key, 413, **values)
    return items


@bp.errorhandler(CSRFError)
def csrf_refused(_exc: CSRFError):
    return _refuse("api.csrf", 400)


@bp.errorhandler(HTTPException)
def http_refused(exc: HTTPException):
    key = HTTP_KEYS.get(exc.code or 400, "api.bad_request")
    return _refuse(key, exc.code or 400, **_limits())


@bp.errorhandler(OperationalError)
@bp.errorhandler(DatabaseUnavailable)
def database_unavailable(exc: Exception):
    db.session.rollback()
    # The class only: the text would carry the statement.
    current_app.logger.error("database unavailable during an API request: %s", type(exc).__name__)
    body, status = _refuse("api.unavailable", 503)
    return body, status, {"Retry-After": "30"}


def _assignment_json(info: AssignmentInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "unit": {"id": info.unit_id, "code": info.unit_code, "name": info.unit_name},
        "service_point": (
            None if info.service_point_id is None else {"id": info.service_point_id, "name": info.service_point_name}
        ),
        "instrument": info.instrument_code,
        "instrument_version": info.instrument_version,
        "instrument_title": (
            None if info.instrument_title is None else {"vi": info.instrument_title.vi, "en": info.instrument_title.en}
        ),
        "target": info.target,
        "done": info.done,
        "starts_on": info.starts_on.isoformat(),
        "ends_on": info.ends_on.isoformat() if info.ends_on else None,
        "active": info.active,
        "interview_url": url_for("surveyor.interview", assignment_id=info.id),
    }


def _result_json(result: ItemResult) -> dict[str, object]:
    body: dict[str, object] = {
        "index": result.index,
        "client_uuid": result.client_uuid,
        "status": result.status,
        "http_status": ITEM_HTTP[result.status],
    }
    if result.problems:
        first = result.problems[0].message
        body["message"] = first.get(current_lang())
        body["messages"] = {"vi": first.vi, "en": first.en}
        body["errors"] = [
            {
                "field": p.field,
                "message": p.message.get(current_lang()),
                "messages": {"vi": p.message.vi, "en": p.message.en},
            }
            for p in result.problems
        ]
    return body


@bp.get("/openapi.json")
@allow(PUBLIC)
def openapi():
    return openapi_document(current_app.config["PUBLIC_URL"])


@bp.get("/session")
@allow("surveyor")
def session_info():
    user = current_user
    body: dict[str, object] = {
        "user": {"username": user.username, "display_name": user.display_name, "role": user.role},
        "auth": "bearer" if by_bearer_token() else "session",
    }
    if not by_bearer_token():
        body["csrf_token"] = generate_csrf()
    return body, 200, {"Cache-Control": "no-store"}


@bp.get("/assignments")
@allow("surveyor")
def assignments():
    found = assignments_of(db.session, current_app.extensions["instruments"], current_user.id, vietnam_today())
    return {"assignments": [_assignment_json(info) for info in found]}


@bp.get("/instruments/<code>")
@allow(AUTHENTICATED)
def instrument(code: str):
    active = instrument_active(db.session, current_app.extensions["instruments"], code)
    if active is None:
        return _refuse("api.not_found", 404)
    # What a tablet asks (its answers are checked with channel="tablet");
    # an instrument no tablet uses is described whole, for integrations.
    channel = "tablet" if "tablet" in active.instrument.channels else None
    return instrument_as_json(active.instrument, channel)


@bp.post("/interviews")
@allow("surveyor")
@rate_limited("RATELIMIT_API_INTERVIEWS", per_account=True)
def interviews():
    try:
        items = _batch_items("interviews", "api.batch_shape", MAX_ITEMS, "api.too_many", **_limits())
    except Refused as exc:
        return _refuse(exc.message_key, exc.status, **exc.values)
    surveyor = current_user._get_current_object()
    surveyor_id = surveyor.id
    ready, refused = interviews_check(
        db.session, current_app.extensions["instruments"], surveyor, items, datetime.now(UTC)
    )
    with write_transaction(db.session, "interviews"):
        stored = interviews_store(db.session, surveyor_id, ready)
    results = sorted([*refused, *stored], key=lambda r: r.index)
    counts = {status: sum(r.status == status for r in results) for status in ITEM_HTTP}
    return {"results": [_result_json(r) for r in results], "counts": counts}, 200, {"Cache-Control": "no-store"}


#: the query parameters of ``GET /indicators``: the dashboard's filters and the language of messages
INDICATOR_PARAMS = (*FILTER_PARAMS, "lang")


def _filter_refused(field: str, key: str, **values: object):
    messages = {lang: f"{field}: {texts(key, lang, **values)}" for lang in ("vi", "en")}
    body = {"error": "invalid_parameter", "parameter": field, "message": messages[current_lang()], "messages": messages}
    return body, 400


@bp.get("/indicators")
@allow("analyst", "unit_manager", "admin")
def indicators():
    """The published figures of the dashboard's filters, as its JSON
    download gives them (suppression applied), without citizens' comments."""
    unknown = sorted(set(request.args) - set(INDICATOR_PARAMS))
    if unknown:
        return _filter_refused(unknown[0], "api.unknown_parameter", allowed=", ".join(INDICATOR_PARAMS))
    try:
        req = scoped_report_request(db.session, current_user, request.args)
    except FilterError as exc:
        return _filter_refused(exc.field, exc.key, **exc.values)
    except UnitOutOfScope:
        return _refuse("api.unit_out_of_scope", 403)
    try:
        report = report_for(
            db.session,
            current_app.extensions["instruments"],
            req,
            comment_limit=0,
            ranking=current_app.config["RANKING_WEIGHTS"],
        )
    except InstrumentMissing:
        return _refuse("api.not_found", 404)
    except BreakdownUnknown:
        return _filter_refused("by", "filter.by", value=(req.by or "")[:40])
    data = report_dict(report)
    data.pop("comments", None)  # citizens' own words stay on the dashboard
    detail = {
        "period": [req.period.start.isoformat(), req.period.end.isoformat(), req.period.kind],
        "grouping": req.grouping,
        "bearer": by_bearer_token(),
    }
    audit_record(db.session, current_user, "api.indicators", req.filter.unit_code or "*", detail)
    db.session.commit()
    return data


#: the status a registered dossier would have on its own
DOSSIER_HTTP = {"created": 201, "existing": 200, "renewed": 201, "invalid": 422, "forbidden": 403}


def _dossier_json(item: RegisteredItem) -> dict[str, object]:
    body: dict[str, object] = {
        "index": item.index,
        "service_point_id": item.service_point_id,
        "dossier": item.dossier,
        "status": item.status,
        "http_status": DOSSIER_HTTP[item.status],
    }
    if item.code is not None and item.expires is not None:
        public = current_app.config["PUBLIC_URL"].rstrip("/")
        body["code"] = item.code
        body["expires"] = item.expires.isoformat()
        body["url"] = public + url_for("citizen.form", token=item.token, ma=item.code)
    if item.message_key is not None:
        body["message"] = translate(item.message_key)
        body["messages"] = _texts(item.message_key)
    return body


@bp.post("/dossiers")
@allow("unit_manager", "admin")
@rate_limited("RATELIMIT_API_DOSSIERS", per_account=True)
def dossiers():
    """Register dossiers of the caller's counters and return each one's
    one-time code and form URL (app/services/dossier_register.py)."""
    try:
        items = _batch_items(
            "dossiers", "api.dossier.batch_shape", MAX_DOSSIERS, "api.dossier.too_many", n=MAX_DOSSIERS
        )
    except Refused as exc:
        return _refuse(exc.message_key, exc.status, **exc.values)
    user = current_user._get_current_object()
    with write_transaction(db.session, "dossiers"):
        results = dossiers_register(db.session, current_app.secret_key, user, items)
        counts = {status: sum(r.status == status for r in results) for status in DOSSIER_HTTP}
        audit_record(db.session, user, "api.dossiers", None, {"counts": counts, "bearer": by_bearer_token()})
    return {"results": [_dossier_json(r) for r in results], "counts": counts}, 200, {"Cache-Control": "no-store"}
