"""Rate limits on the forms anyone may post: the citizen form and staff sign-in.

A flood of posts from one address (a script stuffing the survey, a password
guesser) is refused with a 429 and a friendly page. The limits are per
client address and per limited form; the counters live in memory, or in
Redis when ``RATELIMIT_STORAGE_URI`` is set (several workers or servers),
for one fixed window of the limit (a minute), and are never written to the
database or linked to a response: the promise that no IP address is stored
with a response (design.md) holds.

Behind a reverse proxy set ``TRUSTED_PROXIES`` (``app.config.Settings``),
or every client shares the proxy's address and therefore one counter.

The limits are read from the app config on each request, so a test can
lower them; the test configuration raises them far above what any test
sends, and only the dedicated rate-limit tests bring them down.

The counting is the ``limits`` library's fixed window (one ``INCR`` with its
expiry, in one round trip to Redis). Flask-Limiter, which this module used
before, wraps the same library; it evaluated each limited request twice
(before the request and in the view's decorator) and cost about 0.4 ms of
CPU per POST, a tenth of a citizen POST's whole cost
(docs/benchmarks-reliability.md). This module keeps what the app used of it:
a per-form limit from the config, the client address as key, a 429 with
``Retry-After``, and counting in memory while Redis is unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from flask import Flask, current_app, render_template, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from app.i18n import translate

#: config key -> limit in production and development
LIMITS = {
    # a person answers once per visit; 20 a minute leaves room for a shared
    # Wi-Fi at a busy one-stop shop (one public address for many phones)
    "RATELIMIT_CITIZEN_FORM": "20 per minute",
    # on top of the per-account throttle (app.services.accounts): this one
    # stops one address from trying many accounts
    "RATELIMIT_LOGIN": "10 per minute",
    # per bearer token (or signed-in surveyor), not per address: a tablet
    # sends batches, a few a minute when it catches up after a day offline
    "RATELIMIT_API_INTERVIEWS": "30 per minute",
    # per token: a unit's one-stop-shop software registering dossiers one
    # receipt at a time, several counters behind one token
    "RATELIMIT_API_DOSSIERS": "120 per minute",
}
#: what tests get unless they lower a limit themselves
TESTING_LIMIT = "100000 per minute"
EXTENSION = "ratelimit"
#: the namespace of the counters' keys in a shared Redis
KEY_PREFIX = "khaosat"
#: after Redis failed, count in memory for this long before trying it again
RETRY_STORAGE_SECONDS = 30.0
#: a Redis that hangs must not hang the form: its answer is a counter
REDIS_TIMEOUT_SECONDS = 0.5
_MARK = "_rate_limit"

View = TypeVar("View", bound=Callable)


class RateLimitExceeded(TooManyRequests):
    """A 429: the address has used up ``limit`` for now.

    Attributes
    ----------
    retry_after : int
        Seconds to wait: the limit's window, an upper bound for a fixed window.
    """

    def __init__(self, limit: RateLimitItem) -> None:
        super().__init__()
        self.retry_after = limit.get_expiry()


def rate_limited(
    config_key: str, methods: tuple[str, ...] = ("POST",), *, per_account: bool = False
) -> Callable[[View], View]:
    """Mark a view as limited by ``app.config[config_key]`` for ``methods``,
    per client address, or with ``per_account`` per bearer token (per
    signed-in account without one): one tablet cannot flood the API
    whatever addresses it uses, and tablets behind one address do not share.

    The view is not wrapped: the limit is checked by the app's
    ``before_request`` hook (:func:`init_app`), so a request that another
    hook refuses (a missing CSRF token) is counted too.
    """

    def mark(view: View) -> View:
        setattr(view, _MARK, (config_key, frozenset(methods), per_account))
        return view

    return mark


@lru_cache(maxsize=64)
def _limit_of(text: str) -> RateLimitItem:
    return parse(text)


class RateLimits:
    """The counters of one app: in the configured storage, in memory while
    that storage is unreachable.

    Parameters
    ----------
    storage_uri : str
        ``memory://`` or ``redis://host:port/db`` (any storage of ``limits``).
    clock : callable, optional
        Monotonic seconds; tests pass their own.
    """

    def __init__(self, storage_uri: str, clock: Callable[[], float] = time.monotonic) -> None:
        options = {"wrap_exceptions": True}
        if storage_uri.startswith(("redis://", "rediss://", "redis+")):
            options |= {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
        self.storage = storage_from_string(storage_uri, **options)
        self._counter = FixedWindowRateLimiter(self.storage)
        self._fallback = FixedWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._storage_down_until: float | None = None

    @property
    def storage_down(self) -> bool:
        """True while the counting is in memory after the storage failed."""
        return self._storage_down_until is not None and self._clock() < self._storage_down_until

    def hit(self, limit: RateLimitItem, scope: str, key: str) -> bool:
        """Count one request of ``key`` under ``scope``; False when over ``limit``.

        When the storage fails the request is counted in this process's
        memory for :data:`RETRY_STORAGE_SECONDS`, then the storage is tried
        again; if even that fails the request goes through: a citizen's
        answer matters more than a counter.
        """
        if not self.storage_down:
            try:
                allowed = self._counter.hit(limit, KEY_PREFIX, scope, key)
            except StorageError as exc:
                current_app.logger.warning("rate-limit storage unreachable, counting in memory: %s", exc)
                self._storage_down_until = self._clock() + RETRY_STORAGE_SECONDS
            else:
                self._storage_down_until = None
                return allowed
        try:
            return self._fallback.hit(limit, KEY_PREFIX, scope, key)
        except Exception:  # the last resort must not refuse an answer
            current_app.logger.exception("in-memory rate limit failed; request let through")
            return True


def check_limit() -> None:
    """The ``before_request`` hook: raise :class:`RateLimitExceeded` when the
    client's address has used up the limit of the view it asks for."""
    view = current_app.view_functions.get(request.endpoint or "")
    marked = getattr(view, _MARK, None)
    if marked is None or request.method not in marked[1] or not current_app.config["RATELIMIT_ENABLED"]:
        return
    config_key = marked[0]
    limit = _limit_of(current_app.config[config_key])
    if not current_app.extensions[EXTENSION].hit(limit, config_key, _client_key(marked[2])):
        raise RateLimitExceeded(limit)


def _client_key(per_account: bool) -> str:
    if per_account:
        from flask import g
        from flask_login import current_user

        if current_user.is_authenticated:  # loads the bearer token's account (app/api/auth.py)
            token = g.get("api_token_id")
            return f"token:{token}" if token is not None else f"user:{current_user.get_id()}"
    return request.remote_addr or "unknown"


def too_many_requests(exc: RateLimitExceeded):
    """429 in the person's language (JSON under /api/), with Retry-After."""
    headers = {"Retry-After": str(exc.retry_after)}
    if request.path.startswith("/api/"):
        return {"error": "Too Many Requests", "message": translate("ratelimit.body")}, 429, headers
    page = render_template("error.html", title=translate("ratelimit.title"), message=translate("ratelimit.body"))
    return page, 429, headers


def init_app(app: Flask, storage_uri: str | None) -> None:
    """Bind the limits. Call after ``access.init_app`` (access is decided
    first) and before ``csrf.init_app`` (a guesser without a form token is
    counted too)."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri or "memory://")
    for name, value in LIMITS.items():
        app.config.setdefault(name, TESTING_LIMIT if app.testing else value)
    app.extensions[EXTENSION] = RateLimits(app.config["RATELIMIT_STORAGE_URI"])
    app.before_request(check_limit)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
