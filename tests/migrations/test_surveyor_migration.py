"""The tablet-interview migration (c6a1e0f5b2d4) keeps every stored answer.

On SQLite it rebuilds ``responses``; dropping the old table would cascade
to ``answers`` (ON DELETE CASCADE) unless they are set aside first.
"""

from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import text

from app.extensions import engine_for
from app.migrations import alembic_config, schema_upgrade

BEFORE = "109c91ec1ad8"


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_upgrade_and_downgrade_keep_the_answers(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'kept.db'}")
    schema_upgrade(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO instrument_versions (code, version, title, checksum, source, active, registered_at) "
                "VALUES ('x', 1, 't', 'c', 's', 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO units (code, name, level, path, created_at) "
                "VALUES ('P', 'p', 'province', '/', CURRENT_TIMESTAMP)"
            )
        )
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO responses (client_uuid, payload_hash, instrument_version_id, unit_id, channel, "
                    "status, received_at, service_day) "
                    "VALUES (:u, 'h', 1, 1, 'qr', 'submitted', CURRENT_TIMESTAMP, '2026-11-20')"
                ),
                {"u": uuid.uuid4().hex},
            )
            conn.execute(
                text("INSERT INTO answers (response_id, question_code, value_int) VALUES (:r, 'a', 1), (:r, 'b', 2)"),
                {"r": n + 1},
            )
    schema_upgrade(engine)
    assert (_count(engine, "responses"), _count(engine, "answers")) == (3, 6)
    with engine.connect() as conn:
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(responses)"))}
    assert {"surveyor_id", "device_id"} <= columns
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, BEFORE)
    assert (_count(engine, "responses"), _count(engine, "answers")) == (3, 6)
    schema_upgrade(engine)
    assert _count(engine, "answers") == 6
    engine.dispose()
