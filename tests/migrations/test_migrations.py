"""Alembic owns the schema: the migrations build exactly what the models say."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import engine_for
from app.migrations import schema_heads, schema_upgrade
from app.models import Base


def test_there_is_a_single_head():
    assert len(schema_heads()) == 1


def test_migrated_database_matches_the_models(engine):
    # `engine` was upgraded from an empty database (SQLite or PostgreSQL) by conftest.
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        assert diff == []
        assert context.get_current_revision() == schema_heads()[0]


def test_empty_sqlite_upgrades_to_head_and_back(tmp_path):
    from alembic import command

    from app.migrations import alembic_config

    engine = engine_for(f"sqlite:///{tmp_path / 'fresh.db'}")
    schema_upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"units", "service_points", "instrument_versions", "responses", "answers"} <= tables
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


def test_constraints_hold_in_the_database(connection):
    insert = "INSERT INTO units (code, name, level, path, created_at) VALUES (:c, 'x', :level, '/', CURRENT_TIMESTAMP)"

    nested = connection.begin_nested()
    with pytest.raises(IntegrityError):
        connection.execute(text(insert), {"c": "X", "level": "planet"})
    nested.rollback()
    nested = connection.begin_nested()
    with pytest.raises(IntegrityError):
        # a commune must have a parent
        connection.execute(text(insert), {"c": "Y", "level": "commune"})
    nested.rollback()
