"""The verified-dossiers migration (c4d8e2a6b915) widens the channel and, on
SQLite, rebuilds ``responses`` without losing answers or the roll-up triggers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import engine_for
from app.migrations import schema_upgrade

BEFORE = "7f3c2a9d4e61"


def _response(conn, n: int, channel: str, rating: int | None = None) -> None:
    conn.execute(
        text(
            "INSERT INTO responses (id, client_uuid, payload_hash, instrument_version_id, unit_id, channel, "
            "status, received_at, service_day, codes, quality_flags, dossier_rating) "
            "VALUES (:id, :u, 'h', 1, 1, :c, 'submitted', CURRENT_TIMESTAMP, '2026-12-20', :codes, 0, :r)"
        ),
        {"id": n, "u": uuid.uuid4().hex, "c": channel, "codes": b"", "r": rating},
    )


def test_sqlite_upgrade_keeps_answers_and_roll_up_triggers(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'verified.db'}")
    schema_upgrade(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO instrument_versions (id, code, version, title, checksum, source, active, registered_at, "
                "packed_codes) VALUES (1, 'x', 1, 't', 'c', 's', TRUE, CURRENT_TIMESTAMP, '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO units (id, code, name, level, path, created_at) "
                "VALUES (1, 'P', 'Tỉnh', 'province', '/', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO responses (id, client_uuid, payload_hash, instrument_version_id, unit_id, channel, "
                "status, received_at, service_day, codes) "
                "VALUES (1, :u, 'h', 1, 1, 'qr', 'submitted', CURRENT_TIMESTAMP, '2026-12-20', :codes)"
            ),
            {"u": uuid.uuid4().hex, "codes": b""},
        )
        conn.execute(text("INSERT INTO answers (response_id, question_code, value_int) VALUES (1, 'overall', 5)"))
        conn.execute(text("DELETE FROM rollup_dirty"))

    schema_upgrade(engine)

    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar() == 1
        triggers = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert {"responses_rollup_insert", "responses_rollup_delete", "responses_rollup_update"} <= triggers
        _response(conn, 2, "qr-verified", 3)
        assert conn.execute(text("SELECT count(*) FROM rollup_dirty")).scalar() == 1
    for channel, rating in (("qr-verified", None), ("qr", 2), ("qr-verified", 4), ("sms", None)):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            _response(conn, 3, channel, rating)
    engine.dispose()
