"""Who may open what: deny by default, and unit scope.

Every view declares who may use it with ``@allow(...)``. A ``before_request``
hook checks the declaration for the matched endpoint:

- no declaration: 403 (a forgotten route is closed, and the access-matrix
  test in ``tests/app/test_access_matrix.py`` fails until it is declared);
- ``public``: anyone, signed in or not;
- otherwise a signed-out person is sent to the sign-in page (401 JSON under
  ``/api/``), and a signed-in person without an allowed role gets 403.

Roles do not imply each other: an administrator reaches a page only if the
page names ``admin`` (or ``authenticated``).

What a person sees *inside* a page is narrowed by their unit:
``unit_scope_clause(user)`` (:mod:`app.services.scope`, re-exported here
for the views) selects the units they may see.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.extensions import db, login_manager
from app.i18n import translate
from app.models import ROLES, User
from app.services.accounts import user_for_session
from app.services.scope import PROVINCE_ROLES, unit_scope_clause, unit_visible, visible_unit_ids

__all__ = [
    "PROVINCE_ROLES",
    "allow",
    "allowed_roles",
    "init_app",
    "unit_scope_clause",
    "unit_visible",
    "visible_unit_ids",
]

PUBLIC = "public"
AUTHENTICATED = "authenticated"
#: everything ``allow`` accepts
ACCESS_ROLES = frozenset({PUBLIC, AUTHENTICATED, *ROLES})
#: the attribute ``allow`` sets on a view function
ATTRIBUTE = "allowed_roles"

#: the session key holding when the session was last used (Unix seconds)
SEEN = "_seen"
#: rewrite that time at most this often, not on every request (a new cookie each time)
TOUCH_EVERY = 60

View = TypeVar("View", bound=Callable[..., object])


def allow(*roles: str) -> Callable[[View], View]:
    """Declare who may use a view: any of ``public``, ``authenticated``,
    ``admin``, ``analyst``, ``unit_manager``, ``surveyor``.

    Works above or below the route decorator: it marks the function itself.
    """
    unknown = set(roles) - ACCESS_ROLES
    if not roles or unknown:
        raise ValueError(f"allow() needs roles from {sorted(ACCESS_ROLES)}, got {sorted(unknown) or 'none'}")

    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, frozenset(roles))
        return view

    return mark


def allowed_roles(view: Callable[..., object] | None) -> frozenset[str] | None:
    """The roles ``view`` was declared for, or None if it declares none."""
    return getattr(view, ATTRIBUTE, None)


def _api() -> bool:
    return request.path.startswith("/api/")


def _forbidden():
    if _api():
        return {"error": "Forbidden", "message": translate("access.denied.body")}, 403
    page = render_template(
        "error.html", title=translate("access.denied.title"), message=translate("access.denied.body")
    )
    return page, 403


def _sign_in_needed():
    if _api():
        return {"error": "Unauthorized", "message": translate("auth.login_required")}, 401
    here = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=here))


def check_access():
    """The ``before_request`` hook; returns a response to refuse, None to go on."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # no route matched (404/405 follows), or a static file
    roles = allowed_roles(current_app.view_functions.get(endpoint))
    if roles is None:
        current_app.logger.error("endpoint %r declares no access (use @allow); refused", endpoint)
        return _forbidden()
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        return _sign_in_needed()
    if AUTHENTICATED in roles or current_user.role in roles:
        return None
    return _forbidden()


def no_store_for_staff(response):
    """The ``after_request`` hook: pages for signed-in staff hold names and
    figures that must not stay in a shared cache or on a shared tablet."""
    view = current_app.view_functions.get(request.endpoint or "")
    roles = allowed_roles(view)
    if roles is not None and PUBLIC not in roles and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def now_seconds() -> float:
    """The clock of the idle timeout (tests move it)."""
    return time.time()


def session_touch() -> None:
    """Note in the session that it was used now (at sign-in, then on use)."""
    session[SEEN] = int(now_seconds())


def _idle_limit(user: User) -> int:
    """Seconds a session of ``user`` may go unused (``app.config.Settings``)."""
    key = "SURVEYOR_SESSION_IDLE_MINUTES" if user.role == "surveyor" else "SESSION_IDLE_MINUTES"
    return 60 * int(current_app.config[key])


def _load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the account of the session cookie, unless
    its sessions were ended or this one lay unused too long."""
    user = user_for_session(db.session, session_id)
    if user is None:
        return None
    seen, now = session.get(SEEN), now_seconds()
    if not isinstance(seen, int) or now - seen > _idle_limit(user):
        session.clear()  # the person signs in again; nothing of the old session is kept
        return None
    if now - seen >= TOUCH_EVERY:
        session_touch()
    return user


def init_app(app: Flask) -> None:
    """Bind the sign-in session and the access check to ``app``.

    Call before ``csrf.init_app`` so that access is decided first: a
    signed-out POST to a staff page is sent to sign in, not told about a
    missing form token.
    """
    # Bound by hand rather than with login_manager.init_app(app): that adds
    # an after_request hook for remember-me cookies (staff sign-in does not
    # use them) which reads the session on every response, so even CSS and
    # JS would go out with "Vary: Cookie"; and a context processor that
    # loads the account for every page rendered. The proxy below loads it
    # only when a template asks.
    app.login_manager = login_manager  # type: ignore[attr-defined]
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.user_loader(_load_user)
    app.before_request(check_access)
    app.after_request(no_store_for_staff)
