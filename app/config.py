"""Every setting the application reads from the environment, in one place.

``Settings.from_env()`` is the only code that looks at ``os.environ`` for
application settings. ``create_app`` turns a ``Settings`` into Flask config.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Typed application settings.

    Attributes
    ----------
    env : str
        ``development`` (``make run``), ``production`` or ``testing``.
    secret_key : str or None
        Signs sessions and form nonces. Required in production; in
        development a random key is kept in the instance folder.
    database_url : str or None
        SQLAlchemy URL. None means the SQLite file ``instance/survey.db``.
        PostgreSQL URLs (``postgresql://`` or ``postgresql+psycopg://``) use psycopg 3.
    public_url : str
        Base URL printed on QR posters, e.g. ``https://khaosat.tinh.gov.vn``.
    max_content_length : int
        Largest request body accepted, in bytes.
    sql_echo : bool
        Log every SQL statement.
    ratelimit_storage_uri : str or None
        Where rate-limit counters live, e.g. ``redis://localhost:6379/0`` when
        several workers or servers must share them. None means each process
        counts in its own memory.
    device_daily_max : int
        Form submissions one browser may send for one counter in one day
        (app/services/devices.py); 0 turns the check off.
    counter_cache_seconds : float
        How long each worker keeps an active counter as its QR token names
        it (app/citizen/lookups.py): a change to a counter reaches the
        citizen forms of other workers up to this late. 0 keeps nothing.
    trusted_proxies : int
        How many reverse proxies in front of the app set ``X-Forwarded-For``
        and ``X-Forwarded-Proto``. 0 (the default) trusts no such header; behind
        nginx set 1, or every citizen shares the proxy's address and its rate limit.
    form_min_seconds_per_answer : float
        A QR response sent sooner after its form was opened than this many
        seconds per answer given is stored but flagged as too fast to have
        been read (``FORM_MIN_SECONDS_PER_ANSWER``, docs/integrity.md);
        0 turns the flag off.
    opening_hours : tuple of (time, time)
        When one-stop shops open and close, local time (``OPENING_HOURS``,
        default ``07:00-17:30``); a QR response sent outside them is
        flagged (app/services/anomalies/), never refused.
    opening_weekdays : frozenset of int
        The days they open, ISO numbers, Monday is 1 (``OPENING_WEEKDAYS``,
        default ``1-6``, or a list such as ``1,2,3,4,5``).
    session_idle_minutes : int
        A staff session (administrator, analyst, unit manager) ends after this
        many minutes without a request; the person signs in again.
    surveyor_session_idle_minutes : int
        The same for surveyors, longer: a tablet spends hours offline in the
        field, and its interviews wait on the tablet until the surveyor signs
        in again, so a short limit costs time but never data. Tablets that
        must send unattended use a bearer token instead.
    ranking_weights : tuple of (str, float)
        How units are ranked (``RANKING_WEIGHTS``): a weighted sum of
        indicators of the units table, e.g.
        ``INDEX:1,harassment:-0.5,informal_payment:-0.5`` so that harassment
        and informal payments pull a unit down. The default ``INDEX:1``
        ranks by the overall index alone (app/services/reports/composite.py).
    surveyor_remember_days : int
        How long a surveyor's "remember this tablet" sign-in lasts
        (``app/remember.py``); it ends earlier at sign-out, password change
        or reset, deactivation, or when an administrator ends it.
    """

    env: str = "development"
    secret_key: str | None = None
    database_url: str | None = None
    public_url: str = "http://127.0.0.1:5000"
    max_content_length: int = 256 * 1024
    sql_echo: bool = False
    ratelimit_storage_uri: str | None = None
    trusted_proxies: int = 0
    device_daily_max: int = 3
    counter_cache_seconds: float = 10.0
    form_min_seconds_per_answer: float = 2.0
    opening_hours: tuple[time, time] = (time(7, 0), time(17, 30))
    opening_weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6})
    session_idle_minutes: int = 30
    surveyor_session_idle_minutes: int = 480
    api_token_days: int = 90
    surveyor_remember_days: int = 30
    ranking_weights: tuple[tuple[str, float], ...] = (("INDEX", 1.0),)
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        app_env = env.get("APP_ENV", "development").strip().lower()
        if app_env not in ENVIRONMENTS:
            raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_env!r}")
        try:
            max_len = int(env.get("MAX_CONTENT_LENGTH", 256 * 1024))
        except ValueError as exc:
            raise ConfigError("MAX_CONTENT_LENGTH must be a number of bytes") from exc
        try:
            proxies = int(env.get("TRUSTED_PROXIES", 0))
        except ValueError as exc:
            raise ConfigError("TRUSTED_PROXIES must be a number (of reverse proxies), e.g. 1 behind nginx") from exc
        try:
            device_max = int(env.get("DEVICE_DAILY_MAX", 3))
        except ValueError as exc:
            raise ConfigError("DEVICE_DAILY_MAX must be a number of forms per browser, counter and day") from exc
        if device_max < 0:
            raise ConfigError("DEVICE_DAILY_MAX must be 0 (no limit) or more")
        try:
            counter_cache = float(env.get("COUNTER_CACHE_SECONDS", 10))
        except ValueError as exc:
            raise ConfigError("COUNTER_CACHE_SECONDS must be a number of seconds, e.g. 10") from exc
        if not 0 <= counter_cache <= 3600:
            raise ConfigError("COUNTER_CACHE_SECONDS must be between 0 (keep nothing) and 3600")
        try:
            min_fill = float(env.get("FORM_MIN_SECONDS_PER_ANSWER", 2))
        except ValueError as exc:
            raise ConfigError("FORM_MIN_SECONDS_PER_ANSWER must be a number of seconds, e.g. 2") from exc
        if not 0 <= min_fill <= 60:
            raise ConfigError("FORM_MIN_SECONDS_PER_ANSWER must be between 0 (no flag) and 60")
        opening_hours = _opening_hours(env.get("OPENING_HOURS", "").strip() or "07:00-17:30")
        opening_weekdays = _weekdays(env.get("OPENING_WEEKDAYS", "").strip() or "1-6")
        idle = _minutes(env, "SESSION_IDLE_MINUTES", 30, 24 * 60)
        surveyor_idle = _minutes(env, "SURVEYOR_SESSION_IDLE_MINUTES", 480, 7 * 24 * 60)
        token_days = _whole(env, "API_TOKEN_DAYS", 90, 730, "days")
        remember_days = _whole(env, "SURVEYOR_REMEMBER_DAYS", 30, 365, "days")
        ranking = _ranking_weights(env.get("RANKING_WEIGHTS", "").strip() or "INDEX:1")
        return cls(
            env=app_env,
            secret_key=env.get("SECRET_KEY") or None,
            database_url=env.get("DATABASE_URL") or None,
            public_url=(env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
            max_content_length=max_len,
            sql_echo=env.get("SQL_ECHO", "") in ("1", "true", "yes"),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or None,
            trusted_proxies=proxies,
            device_daily_max=device_max,
            counter_cache_seconds=counter_cache,
            form_min_seconds_per_answer=min_fill,
            opening_hours=opening_hours,
            opening_weekdays=opening_weekdays,
            session_idle_minutes=idle,
            surveyor_session_idle_minutes=surveyor_idle,
            api_token_days=token_days,
            surveyor_remember_days=remember_days,
            ranking_weights=ranking,
        )

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _opening_hours(raw: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError as exc:
        raise ConfigError(f"OPENING_HOURS must be like 07:00-17:30, not {raw!r}") from exc
    if not opens < closes:
        raise ConfigError(f"OPENING_HOURS must open before it closes, not {raw!r}")
    return opens, closes


def _weekdays(raw: str) -> frozenset[int]:
    days: set[int] = set()
    try:
        for part in raw.split(","):
            first, _, last = part.strip().partition("-")
            days.update(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise ConfigError(f"OPENING_WEEKDAYS must be like 1-6 or 1,2,3,4,5 (Monday is 1), not {raw!r}") from exc
    if not days or not days <= set(range(1, 8)):
        raise ConfigError(f"OPENING_WEEKDAYS must name days from 1 (Monday) to 7 (Sunday), not {raw!r}")
    return frozenset(days)


_INDICATOR_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def _ranking_weights(raw: str) -> tuple[tuple[str, float], ...]:
    """``INDEX:1,harassment:-0.5`` as ((key, weight), ...)."""
    example = "e.g. INDEX:1,harassment:-0.5,informal_payment:-0.5"
    out: list[tuple[str, float]] = []
    for part in raw.split(","):
        key, sep, number = part.partition(":")
        key = key.strip()
        try:
            weight = float(number)
        except ValueError:
            weight = math.nan
        if not sep or not _INDICATOR_KEY.fullmatch(key) or not math.isfinite(weight) or weight == 0:
            raise ConfigError(f"RANKING_WEIGHTS must be indicator:weight pairs ({example}), not {raw!r}")
        if any(key == k for k, _ in out):
            raise ConfigError(f"RANKING_WEIGHTS names {key} twice")
        out.append((key, weight))
    if len(out) > 12:
        raise ConfigError("RANKING_WEIGHTS may combine at most 12 indicators")
    return tuple(out)


def _whole(env: Mapping[str, str], name: str, default: int, most: int, unit: str) -> int:
    """A whole number from 1 to ``most`` (ASCII digits only), or a clear error."""
    raw = env.get(name, "").strip() or str(default)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:
        raise ConfigError(f"{name} must be a whole number of {unit} from 1 to {most}, not {raw!r}")
    return int(raw)


def _minutes(env: Mapping[str, str], name: str, default: int, most: int) -> int:
    return _whole(env, name, default, most, "minutes")


def database_url(settings: Settings, instance_path: Path) -> str:
    """The SQLAlchemy URL to use, normalising PostgreSQL URLs to psycopg 3."""
    url = settings.database_url
    if not url:
        return f"sqlite:///{instance_path / 'survey.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: hosts that mean "this machine": a poster printed with one is useless
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "0.0.0.0", "::1", ""})


def public_url(settings: Settings) -> str:
    """The base URL printed on QR posters, or a clear error in production.

    Refused in production when it is not set (the development default is
    ``http://127.0.0.1:5000``), not an http(s) URL, or names this machine:
    every poster printed and laminated at a counter would lead nowhere.
    """
    url = settings.public_url.rstrip("/")
    if settings.env != "production":
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host in LOCAL_HOSTS or host.startswith("127."):
        raise ConfigError(
            f"PUBLIC_URL must be the address citizens open, printed on every QR poster "
            f"(e.g. PUBLIC_URL=https://khaosat.tinh.gov.vn), not {url!r}. Set it before starting in production."
        )
    return url


def secret_key(settings: Settings, instance_path: Path) -> str:
    """The secret key, or a clear error in production.

    Development gets a random key stored in the instance folder, so sessions
    survive a restart and no key is ever written in the source.
    """
    if settings.secret_key:
        if settings.env == "production" and len(settings.secret_key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return settings.secret_key
    if settings.env == "production":
        raise ConfigError(
            "SECRET_KEY is not set. In production set it to a long random value, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.env == "testing":
        return secrets.token_urlsafe(32)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
