"""Extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

csrf = CSRFProtect()
#: gzip/brotli for pages, CSS and JS: citizens are on slow mobile data and
#: a small deployment may serve straight from gunicorn without a proxy.
compress = Compress()
#: who is signed in (staff only); bound, with its user loader and the
#: access rules, by ``app.access.init_app``
login_manager = LoginManager()
# Flask-Login's IP-based session protection would sign surveyors out each
# time a tablet changes network; sessions are instead renewed at sign-in, end
# at sign-out, password change or reset and deactivation (the session
# generation in ``User.get_id``) and after a time without use (app/access.py).
login_manager.session_protection = None


@dataclass
class DatabaseState:
    """What one app holds: its engine and the factory for request sessions.

    Tests replace ``sessionmaker`` with one bound to an outer transaction that
    is rolled back after each test.
    """

    engine: Engine
    sessionmaker: sessionmaker[Session]


def _sqlite_connect(dbapi_connection, _record) -> None:
    # WAL lets readers run while one writer writes; busy_timeout makes a
    # writer wait for the lock instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy
    # emit BEGIN itself (the recipe in SQLAlchemy's SQLite dialect docs).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def engine_for(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the settings this application needs on each backend.

    ``hide_parameters``: an error's text never carries a statement's
    parameters, which are citizens' answers, comments and device tags.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """SQLAlchemy 2 bound to Flask: one engine per app, one session per app context."""

    def init_app(self, app: Flask) -> None:
        engine = engine_for(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
        app.extensions["db"] = DatabaseState(engine, sessionmaker(bind=engine, expire_on_commit=False))
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def state(app: Flask | None = None) -> DatabaseState:
        return (app or current_app).extensions["db"]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.state().sessionmaker()
        return g.db_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.close()
        except DBAPIError as exc:
            # The connection died after the response was made (a database
            # restart, a cut connection): closing rolls back a transaction
            # that no longer exists. The response stands, SQLAlchemy has
            # invalidated the connection and the pool replaces it; raising
            # here would turn a finished page into a 500.
            current_app.logger.warning("database connection lost while closing the session: %s", exc)


db = Database()
