"""Views of the citizen form: parse, call a service, render."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from app.access import PUBLIC, allow
from app.citizen.forms import form_fields
from app.citizen.lookups import EXTENSION as LOOKUPS
from app.citizen.lookups import KeptLookups
from app.citizen.pages import FormPages
from app.extensions import db
from app.i18n import current_lang, translate
from app.ratelimit import rate_limited
from app.refusals import Refused
from app.services import devices, kiosk, verified
from app.services.anomalies import OpeningHours
from app.services.citizen_submit import citizen_submit
from app.services.form_nonce import nonce_issue
from app.services.instruments import ActiveInstrument
from app.services.service_points import PointInfo, service_point_by_token
from app.templating import display_prefs
from surveys import Validation, packed_multi

#: How long after a submission the same browser is told it already answered.
RECENT = timedelta(minutes=30)

#: The channel of every response this form takes (questions are asked by channel).
CHANNEL = "qr"

bp = Blueprint("citizen", __name__)
PAGES = "citizen_form_pages"


@bp.record_once
def _keep_pages(state) -> None:
    state.app.extensions[PAGES] = FormPages()
    state.app.extensions[LOOKUPS] = KeptLookups(state.app.config["COUNTER_CACHE_SECONDS"])


def _point_or_404(token: str) -> tuple[PointInfo, ActiveInstrument]:
    lookup = current_app.extensions[LOOKUPS].lookup(token, lambda t: service_point_by_token(db.session, t))
    if lookup.status == "retired":
        abort(404, description="retired")
    if lookup.point is None or lookup.instrument_version is None:
        abort(404)
    version_id, version = lookup.instrument_version
    instrument = current_app.extensions["instruments"].get(f"{lookup.point.instrument_code}.v{version}")
    if instrument is None:
        abort(404)
    return lookup.point, ActiveInstrument(version_id, instrument)


def _render_form(
    point, active, *, nonce, fields=None, validation=None, notice=None, status=200, kiosk_mode=False, code=None
):
    instrument = active.instrument
    # the questions the QR form asks, by section (sections it asks none of are left out)
    sections = [(s, asked) for s in instrument.sections if (asked := s.questions_in(CHANNEL))]

    def render(nonce_value: str) -> str:
        return render_template(
            "citizen/form.html",
            point=point,
            instrument=instrument,
            sections=sections,
            values=fields or {},
            errors=(validation.errors if validation else {}),
            nonce=nonce_value,
            notice=notice,
            kiosk=kiosk_mode,
            kiosk_idle=kiosk.IDLE_SECONDS,
            verified_code=code,
            rating_field=verified.RATING_FIELD,
            rating_order=verified.RATING_ORDER,
        )

    # a code's page is one person's: never kept for the next
    blank = fields is None and validation is None and notice is None and code is None
    base = _blank_form_key(point, active) if blank else None
    key = (base, kiosk_mode) if base is not None else None
    body = current_app.extensions[PAGES].page(key, nonce, render) if key is not None else render(nonce)
    response = current_app.make_response((body, status))
    # The nonce is single-use: a cached copy of the page would carry a spent one.
    response.headers["Cache-Control"] = "no-store"
    return _with_device_cookie(response)


def _blank_form_key(point: PointInfo, active: ActiveInstrument):
    """What a blank form page is made of (app/citizen/pages.py), or None
    when it must be rendered each time."""
    if current_app.debug or session.get("_user_id"):
        return None  # templates reload in debug; staff pages show their account
    prefs = display_prefs()
    return (point, active.version_id, current_lang(), prefs["size"], prefs["contrast"], request.full_path)


def _form_device() -> str:
    """The device id a new nonce names: the browser's cookie, or a new id
    that :func:`_with_device_cookie` gives it (app/services/devices.py)."""
    given = request.cookies.get(devices.COOKIE)
    if devices.device_id_valid(given):
        return given
    if "new_device" not in g:
        g.new_device = devices.device_id_new()
    return g.new_device


def _new_nonce(point: PointInfo, *, kiosk: bool = False) -> str:
    return nonce_issue(current_app.secret_key, point.id, _form_device(), kiosk=kiosk)


def _is_kiosk(point: PointInfo) -> bool:
    """Whether this browser holds the counter's kiosk key (app/services/kiosk.py)."""
    return kiosk.kiosk_key_valid(current_app.secret_key, request.cookies.get(kiosk.COOKIE), point.id)


def _with_device_cookie(response):
    """Give the browser the device id its nonce names, if it has none yet;
    the cookie ends with the service day."""
    new = g.get("new_device")
    if new is not None:
        response.set_cookie(
            devices.COOKIE,
            new,
            max_age=devices.cookie_max_age(datetime.now(UTC)),
            path="/s/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


#: The cookie that says "this browser just sent a form here": a flag and
#: nothing else (no time, issue 15.5), ending by itself after RECENT.
SENT_COOKIE = "da_gui"


def _recently_sent() -> bool:
    return request.cookies.get(SENT_COOKIE) == "1"


@bp.get("/s/<token>")
@allow(PUBLIC)
def form(token: str):
    point, active = _point_or_404(token)
    code = request.args.get(verified.CODE_FIELD)
    if code is not None:
        return _verified_form(point, active, code)
    if _recently_sent() and not request.args.get("moi"):
        return render_template("citizen/sent.html", point=point)
    return _render_form(point, active, nonce=_new_nonce(point))


def _opening() -> OpeningHours:
    opens, closes = current_app.config["OPENING_HOURS"]
    return OpeningHours(opens, closes, current_app.config["OPENING_WEEKDAYS"])


def _origin() -> str:
    """Where a POST came from by its ``Origin`` (else ``Referer``) header:
    ``same`` (this site, as the request or ``PUBLIC_URL`` names it), ``cross``
    or ``unknown`` (neither header; some privacy settings strip both)."""
    given = request.headers.get("Origin") or request.headers.get("Referer")
    if not given:
        return "unknown"
    ours = {request.host.lower(), urlsplit(current_app.config["PUBLIC_URL"]).netloc.lower()}
    try:
        netloc = urlsplit(given).netloc.lower()
    except ValueError:
        return "cross"
    return "same" if netloc and netloc in ours else "cross"


@bp.post("/s/<token>")
@allow(PUBLIC)
@rate_limited("RATELIMIT_CITIZEN_FORM")
def submit(token: str):
    point, active = _point_or_404(token)
    origin = _origin()
    if origin == "cross":  # another site's page posting into ours
        return render_template("error.html", message=translate("form.cross_site")), 403
    try:
        fields = form_fields(request.content_type, request.get_data(cache=False), packed_multi(active.instrument))
    except Refused as exc:
        return render_template("error.html", message=translate(exc.message_key)), exc.status
    most = current_app.config["DEVICE_DAILY_MAX"]
    result = citizen_submit(
        db.session,
        secret_key=current_app.secret_key,
        point=point,
        active=active,
        fields=fields,
        device_id=request.cookies.get(devices.COOKIE),
        device_limit=most or None,
        seconds_per_answer=current_app.config["FORM_MIN_SECONDS_PER_ANSWER"],
        origin_unknown=origin == "unknown",
        opening=_opening(),
        kiosk=(at_kiosk := _is_kiosk(point)),
    )
    if result.status in ("created", "duplicate") and result.kiosk:
        return redirect(url_for("citizen.kiosk_thanks", token=token), code=303)
    if result.status in ("created", "duplicate"):
        lang = current_lang()
        done = redirect(url_for("citizen.thanks", token=token, lang=None if lang == "vi" else lang), code=303)
        done.set_cookie(
            SENT_COOKIE,
            "1",
            max_age=int(RECENT.total_seconds()),
            path=f"/s/{token}",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return done
    if result.status == "device_limit":
        return render_template("error.html", message=translate("form.device_limit", n=most)), 429
    if result.status == "conflict":
        return render_template("citizen/conflict.html", point=point), 409
    # The form again, with every answer kept.
    again = {"point": point, "active": active, "fields": fields, "validation": result.validation,
             "kiosk_mode": at_kiosk}  # fmt: skip
    if result.status == "invalid":
        return _render_form(**again, nonce=fields["nonce"], status=422)
    if result.status == "expired":
        # Forged, for another counter, or open for over a day: a fresh nonce to send again.
        nonce = _new_nonce(point, kiosk=at_kiosk)
        return _render_form(**again, nonce=nonce, notice=translate("form.expired"), status=400)
    if result.status == "cookie":
        # No device cookie, or not the one the form was opened with: a fresh
        # nonce for the cookie the browser has (or is given now) to send again.
        nonce = _new_nonce(point, kiosk=at_kiosk)
        return _render_form(**again, nonce=nonce, notice=translate("form.cookies_needed"), status=400)
    response = _render_form(
        **{**again, "validation": Validation()},
        nonce=fields["nonce"],
        notice=translate("error.unavailable"),
        status=503,
    )
    response.headers["Retry-After"] = "30"
    return response


def _refusal_page(exc: Refused):
    return render_template("error.html", message=translate(exc.message_key, **exc.values)), exc.status


def _verified_form(point: PointInfo, active: ActiveInstrument, code: str):
    """The form a dossier's code opens (app/services/verified.py): the
    per-dossier rating first, then the questionnaire, all optional."""
    try:
        verified.verified_code_check(db.session, current_app.secret_key, point.id, code)
    except Refused as exc:
        return _refusal_page(exc)
    return _render_form(point, active, nonce=_new_nonce(point), code=code)


@bp.post("/s/<token>/ho-so")
@allow(PUBLIC)
@rate_limited("RATELIMIT_CITIZEN_FORM")
def verified_submit(token: str):
    """A verified form sent: stored once per dossier; forged 400, expired
    410, already answered 409, each with a page saying so."""
    point, active = _point_or_404(token)
    origin = _origin()
    if origin == "cross":
        return render_template("error.html", message=translate("form.cross_site")), 403
    try:
        fields = form_fields(request.content_type, request.get_data(cache=False), packed_multi(active.instrument))
        result = verified.verified_submit(
            db.session,
            secret_key=current_app.secret_key,
            point=point,
            active=active,
            fields=fields,
            seconds_per_answer=current_app.config["FORM_MIN_SECONDS_PER_ANSWER"],
            origin_unknown=origin == "unknown",
            opening=_opening(),
        )
    except Refused as exc:
        return _refusal_page(exc)
    if result.status in ("created", "duplicate"):
        lang = current_lang()
        return redirect(url_for("citizen.thanks", token=token, lang=None if lang == "vi" else lang), code=303)
    if result.status == "used":
        return render_template("error.html", message=translate("verified.used")), 409
    if result.status == "conflict":
        return render_template("citizen/conflict.html", point=point), 409
    code = fields.get(verified.CODE_FIELD)
    again = {"point": point, "active": active, "fields": fields, "validation": result.validation, "code": code}
    if result.status == "invalid":
        return _render_form(**again, nonce=fields["nonce"], status=422)
    if result.status == "expired":
        return _render_form(**again, nonce=_new_nonce(point), notice=translate("form.expired"), status=400)
    response = _render_form(**again, nonce=fields["nonce"], notice=translate("error.unavailable"), status=503)
    response.headers["Retry-After"] = "30"
    return response


@bp.get("/s/<token>/cam-on")
@allow(PUBLIC)
def thanks(token: str):
    point, _active = _point_or_404(token)
    return render_template("citizen/thanks.html", point=point)


@bp.get("/s/<token>/kiosk")
@allow(PUBLIC)
def kiosk_form(token: str):
    """The counter's shared tablet: opened once with the administrator's
    link (``?k=``, kept in a cookie), then the form for person after person."""
    point, active = _point_or_404(token)
    given = request.args.get("k")
    if given is not None:
        if not kiosk.kiosk_key_valid(current_app.secret_key, given, point.id):
            return render_template("error.html", message=translate("kiosk.not_enabled")), 403
        made = redirect(url_for("citizen.kiosk_form", token=token), code=303)
        made.set_cookie(kiosk.COOKIE, given, max_age=kiosk.COOKIE_MAX_AGE, path=f"/s/{token}",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")  # fmt: skip
        return made
    if not _is_kiosk(point):
        return render_template("error.html", message=translate("kiosk.not_enabled")), 403
    return _render_form(point, active, nonce=_new_nonce(point, kiosk=True), kiosk_mode=True)


@bp.get("/s/<token>/kiosk/cam-on")
@allow(PUBLIC)
def kiosk_thanks(token: str):
    point, _active = _point_or_404(token)
    return render_template("citizen/kiosk_thanks.html", point=point, seconds=kiosk.THANKS_SECONDS)
