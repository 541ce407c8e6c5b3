"""Rate limits on the forms anyone may post: the citizen form and staff sign-in.

A flood of posts from one address (a script stuffing the survey, a password
guesser) is refused with a 429 and a friendly page. The limits are per
client address; the counters live in memory, or in Redis when
``RATELIMIT_STORAGE_URI`` is set (several workers or servers), for about a
minute, and are never written to the database or linked to a response: the
promise that no IP address is stored with a response (design.md) holds.

Behind a reverse proxy set ``TRUSTED_PROXIES`` (``app.config.Settings``),
or every client shares the proxy's address and therefore one counter.

The limits are read from the app config on each request, so a test can
lower them; the test configuration raises them far above what any test
sends, and only the dedicated rate-limit tests bring them down.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded

from app.extensions import limiter
from app.i18n import translate

#: config key -> limit in production and development
LIMITS = {
    # a person answers once per visit; 20 a minute leaves room for a shared
    # Wi-Fi at a busy one-stop shop (one public address for many phones)
    "RATELIMIT_CITIZEN_FORM": "20 per minute",
    # on top of the per-account throttle (app.services.accounts): this one
    # stops one address from trying many accounts
    "RATELIMIT_LOGIN": "10 per minute",
}
#: what tests get unless they lower a limit themselves
TESTING_LIMIT = "100000 per minute"


def configured(name: str) -> Callable[[], str]:
    """A limit read from ``app.config[name]`` when a request comes in."""
    return lambda: current_app.config[name]


def too_many_requests(exc: RateLimitExceeded):
    """429 in the person's language (JSON under /api/), with Retry-After."""
    retry_after = str(exc.limit.limit.get_expiry()) if getattr(exc, "limit", None) else "60"
    headers = {"Retry-After": retry_after}
    if request.path.startswith("/api/"):
        return {"error": "Too Many Requests", "message": translate("ratelimit.body")}, 429, headers
    page = render_template("error.html", title=translate("ratelimit.title"), message=translate("ratelimit.body"))
    return page, 429, headers


def init_app(app: Flask, storage_uri: str | None) -> None:
    """Bind the limiter. Call after ``access.init_app`` (access is decided
    first) and before ``csrf.init_app`` (a guesser without a form token is
    counted too)."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    # Named explicitly: Flask-Limiter warns when it picks memory by itself.
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri or "memory://")
    for name, value in LIMITS.items():
        app.config.setdefault(name, TESTING_LIMIT if app.testing else value)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
