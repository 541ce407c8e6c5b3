"""Application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import access, ratelimit, remember
from app.config import Settings, database_url, public_url, secret_key
from app.extensions import compress, csrf, db
from app.urls import IdConverter
from surveys import load_all

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the application.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to :meth:`Settings.from_env`.
    instance_path : str, optional
        Where the SQLite database and the development secret live.
    """
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        APP_ENV=settings.env,
        TESTING=settings.env == "testing",
        SECRET_KEY=secret_key(settings, instance),
        DATABASE_URL=database_url(settings, instance),
        SQL_ECHO=settings.sql_echo,
        PUBLIC_URL=public_url(settings),
        DEVICE_DAILY_MAX=settings.device_daily_max,
        COUNTER_CACHE_SECONDS=settings.counter_cache_seconds,
        FORM_MIN_SECONDS_PER_ANSWER=settings.form_min_seconds_per_answer,
        OPENING_HOURS=settings.opening_hours,
        OPENING_WEEKDAYS=settings.opening_weekdays,
        RANKING_WEIGHTS=settings.ranking_weights,
        SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        SURVEYOR_SESSION_IDLE_MINUTES=settings.surveyor_session_idle_minutes,
        API_TOKEN_DAYS=settings.api_token_days,
        SURVEYOR_REMEMBER_DAYS=settings.surveyor_remember_days,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        MAX_FORM_MEMORY_SIZE=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=500,
        **settings.extra,
    )
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.url_map.converters["int"] = IdConverter  # before any route is added
    db.init_app(app)
    remember.init_app(app)  # a remembered tablet's session first, then access
    access.init_app(app)  # before csrf: decide access first
    ratelimit.init_app(app, settings.ratelimit_storage_uri)  # after access, before csrf
    csrf.init_app(app)
    compress.init_app(app)
    app.extensions["instruments"] = load_all()

    from app import errors, templating
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.citizen import bp as citizen_bp
    from app.cli import register_cli
    from app.dossier_sheets import bp as dossier_sheets_bp
    from app.public import bp as public_bp
    from app.reports import bp as reports_bp
    from app.results import bp as results_bp
    from app.surveyor import bp as surveyor_bp
    from app.targets import bp as targets_bp

    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(surveyor_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dossier_sheets_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(targets_bp)
    # The citizen form is anonymous and protected by its own signed one-time
    # nonce (app/citizen/forms.py); a session-bound CSRF token would fail
    # for people whose browser drops cookies.
    csrf.exempt(citizen_bp)
    # The JSON API applies CSRF itself (app/api/auth.py): a request with a
    # tablet's bearer token carries no cookie to forge and is exempt; a
    # request on the signed-in session must send the X-CSRFToken header.
    csrf.exempt(api_bp)
    register_cli(app)
    return app
