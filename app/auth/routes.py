"""Views of staff sign-in: parse the form, call one service, render."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from app.access import AUTHENTICATED, PUBLIC, allow, session_touch
from app.auth.forms import LoginForm, PasswordForm
from app.auth.navigation import home_url, staff_links
from app.extensions import db
from app.i18n import translate
from app.ratelimit import rate_limited
from app.refusals import Refused
from app.remember import remember_forget, remember_set
from app.services.accounts import PASSWORD_MIN_LENGTH, authenticate, password_change, sign_out
from app.services.login_throttle import address_tag
from app.services.user_admin import password_is_temporary
from app.urls import local_path

bp = Blueprint("auth", __name__)


def _address() -> str:
    """The tag of the client's address for the sign-in throttle (never the
    address itself; behind a proxy it is right only with TRUSTED_PROXIES)."""
    return address_tag(current_app.secret_key, request.remote_addr)


def _slowed(seconds: int) -> str:
    """Why this device must wait, and for how long, in the person's language."""
    if seconds < 60:
        wait = translate("auth.wait.seconds", n=seconds)
    else:
        wait = translate("auth.wait.minutes", n=-(-seconds // 60))
    return translate("auth.slowed", wait=wait)


def _begin_session(user) -> None:
    # A new session at sign-in: nothing planted in the cookie before
    # (session fixation) survives, including the old CSRF token.
    session.clear()
    login_user(user)
    session_touch()  # the idle timeout counts from now


def _login_page(form: LoginForm, *, error: str | None = None, status: int = 200, next_path=None):
    page = render_template("auth/login.html", form=form, error=error, next=next_path)
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/dang-nhap", methods=["GET", "POST"])
@allow(PUBLIC)
@rate_limited("RATELIMIT_LOGIN")
def login():
    next_path = local_path(request.values.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(next_path or home_url(current_user))
    form = LoginForm()
    if request.method == "GET":
        return _login_page(form, next_path=next_path)
    if not form.validate_on_submit():
        return _login_page(form, error=translate("auth.required"), status=422, next_path=next_path)
    outcome = authenticate(db.session, form.username.data or "", form.password.data or "", address=_address())
    db.session.commit()
    if outcome.status == "throttled":
        error = _slowed(outcome.retry_after)
        page, status, headers = _login_page(form, error=error, status=429, next_path=next_path)
        return page, status, {**headers, "Retry-After": str(outcome.retry_after)}
    if outcome.user is None:
        return _login_page(form, error=translate("auth.failed"), status=401, next_path=next_path)
    _begin_session(outcome.user)
    if password_is_temporary(db.session, outcome.user):
        # An administrator set this password: the person should choose their own first.
        flash(translate("password.temporary"))
        return redirect(url_for("auth.password"), code=303)
    response = redirect(next_path or home_url(outcome.user), code=303)
    if form.remember.data:
        remember_set(response, outcome.user)
    return response


@bp.app_context_processor
def navigation() -> dict[str, object]:
    """``staff_links(user)`` for the bar in ``base.html`` (called only for signed-in staff)."""
    return {"staff_links": staff_links}


@bp.post("/dang-xuat")
@allow(AUTHENTICATED)
def logout():
    user = current_user._get_current_object()
    sign_out(db.session, user)  # every session of the account ends, copies of this cookie too
    db.session.commit()
    logout_user()
    session.clear()
    flash(translate("auth.logged_out"))
    response = redirect(url_for("auth.login"), code=303)
    remember_forget(response)
    return response


@bp.get("/tai-khoan")
@allow(AUTHENTICATED)
def account():
    return render_template("auth/account.html", user=current_user)


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def password():
    form = PasswordForm()
    error, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            error, status = translate("password.required"), 422
        else:
            user = current_user._get_current_object()
            try:
                password_change(
                    db.session,
                    user,
                    current=form.current.data or "",
                    new=form.new.data or "",
                    confirmation=form.confirmation.data or "",
                    address=_address(),
                )
            except Refused as exc:
                db.session.commit()  # keeps the audit row and the throttle's count of a wrong current password
                slowed = exc.message_key == "auth.slowed"
                error = _slowed(exc.values["seconds"]) if slowed else translate(exc.message_key, **exc.values)
                status = exc.status
            else:
                db.session.commit()
                # Every session of this account ended with the change
                # (its session generation rose); this one starts again.
                _begin_session(user)
                flash(translate("password.changed"))
                return redirect(url_for("auth.account"), code=303)
    page = render_template("auth/password.html", form=form, error=error, min_length=PASSWORD_MIN_LENGTH)
    return page, status, {"Cache-Control": "no-store"}


@bp.app_errorhandler(CSRFError)
def csrf_failed(exc: CSRFError):
    """A staff form without a valid token: usually a page left open too long."""
    if request.path.startswith("/api/"):
        return {"error": exc.name, "message": translate("auth.session_expired")}, 400
    page = render_template("error.html", message=translate("auth.session_expired"))
    return page, 400
