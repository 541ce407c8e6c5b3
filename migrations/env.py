"""Alembic environment: runs against a connection handed in by the app
(``app/migrations.py``) or, from the alembic command line, DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

from alembic import context

from app.config import Settings, database_url
from app.extensions import engine_for
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    instance = Path(__file__).resolve().parent.parent / "instance"
    engine = engine_for(database_url(Settings.from_env(), instance))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
