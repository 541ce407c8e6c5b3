"""A surveyor's tablet stays signed in across restarts, for a set number of days.

The sign-in session cookie ends with the browser: a tablet restarted in the
field left its interviews waiting until the surveyor signed in again. A
surveyor who ticks "remember this tablet" at sign-in gets a second cookie,
signed with the app's secret, holding their session id (``User.get_id``:
the account, its session generation and a fingerprint of its password
hash) and the time it was given. When a request comes without a live
session, the cookie starts a new one, for ``SURVEYOR_REMEMBER_DAYS`` after
it was given at most.

It stops working, on every tablet and every copy, when the session
generation rises or the password changes: at sign-out, password change or
reset, deactivation, and when an administrator ends the account's
sign-ins from the accounts screen. Other roles never get one and one
naming another role is ignored.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.services.accounts import user_for_session
from app.services.audit import audit_record

#: the cookie's name
COOKIE = "sv_nho"
#: the roles that may be remembered
REMEMBERED_ROLES = frozenset({"surveyor"})
_SALT = "surveyor-remember"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _max_age() -> int:
    return int(current_app.config["SURVEYOR_REMEMBER_DAYS"]) * 86400


def remember_set(response, user) -> None:
    """Give ``response`` the cookie that remembers ``user`` (surveyors only)."""
    if user.role not in REMEMBERED_ROLES:
        return
    response.set_cookie(
        COOKIE,
        _serializer().dumps(user.get_id()),
        max_age=_max_age(),
        path="/",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Lax",
    )


def remember_forget(response) -> None:
    response.delete_cookie(COOKIE, path="/")


def resume() -> None:
    """The ``before_request`` hook: a request with the cookie and no live
    session starts one for the remembered surveyor, if the cookie is still good."""
    raw = request.cookies.get(COOKIE)
    if not raw or request.endpoint in (None, "static") or current_user.is_authenticated:
        return
    try:
        session_id = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:  # SignatureExpired is one: too old, or forged
        return
    user = user_for_session(db.session, session_id) if isinstance(session_id, str) else None
    if user is None or user.role not in REMEMBERED_ROLES:
        return
    from app.access import session_touch

    session.clear()
    login_user(user)
    session_touch()
    audit_record(db.session, user, "login.resumed", user.username)
    db.session.commit()


def init_app(app: Flask) -> None:
    """Call before the access check, so the resumed session counts for it."""
    app.before_request(resume)
