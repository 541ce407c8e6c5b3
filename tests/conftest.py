"""Fixtures shared by the whole suite.

The database is the one named by ``DATABASE_URL`` (CI sets it to a real
PostgreSQL) or else a fresh SQLite file. It is migrated once per session
with Alembic, exactly as in production; each test then runs inside a
transaction that is rolled back, so tests cannot see each other's rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.config import Settings, database_url
from app.extensions import DatabaseState, engine_for
from app.migrations import schema_upgrade
from app.models import ServicePoint, Unit
from app.services.instruments import instruments_sync
from app.services.units import child_path


def _reset_postgres(engine: Engine) -> None:
    name = make_url(str(engine.url)).database or ""
    if "test" not in name:
        raise RuntimeError(f"refusing to wipe database {name!r}: tests only wipe a database named *test*")
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url_for_tests(tmp_path_factory: pytest.TempPathFactory) -> str:
    settings = Settings(env="testing", database_url=os.environ.get("DATABASE_URL") or None)
    return database_url(settings, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url_for_tests: str) -> Iterator[Engine]:
    engine = engine_for(database_url_for_tests)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    schema_upgrade(engine)
    with Session(engine) as session:
        instruments_sync(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def app(connection: Connection, database_url_for_tests: str, tmp_path: Path):
    app = create_app(
        Settings(env="testing", database_url=database_url_for_tests, public_url="https://khaosat.test"),
        instance_path=str(tmp_path / "instance"),
    )
    app.extensions["db"].engine.dispose()
    # Requests commit through this session; with create_savepoint the commit
    # only releases a savepoint and the test's outer transaction rolls back.
    app.extensions["db"] = DatabaseState(
        connection.engine,
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False),
    )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app) -> Iterator[Session]:
    """A session on the test's connection, outside any app context: pushing
    one here would make every test request share its ``g``."""
    session = app.extensions["db"].sessionmaker()
    yield session
    session.close()


@pytest.fixture
def point(db_session: Session) -> ServicePoint:
    """A province, a commune and one active counter in it."""
    province = Unit(code="T01", name="Tỉnh Thử Nghiệm", level="province", path="/")
    db_session.add(province)
    db_session.flush()
    commune = Unit(code="T01-X01", name="UBND xã Tân Phú", level="commune", parent=province, path=child_path(province))
    db_session.add(commune)
    db_session.flush()
    counter = ServicePoint(unit=commune, code="Q01", name="Quầy Tư pháp – hộ tịch")
    db_session.add(counter)
    db_session.commit()
    return counter
