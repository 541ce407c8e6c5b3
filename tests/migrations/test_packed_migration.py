"""The packed-answers migration (5f3b9d2e7a41) fills existing responses from their answers.

Runs on the suite's database engine: SQLite (filled in Python) or
PostgreSQL (filled by one UPDATE per version), in a schema of its own there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app.extensions import engine_for
from app.migrations import alembic_config, schema_upgrade
from surveys import INSTRUMENTS_DIR, answers_pack, load_all, packed_layout

BEFORE = "c6a1e0f5b2d4"
SCHEMA = "packed_migration"


@pytest.fixture
def old_engine(engine: Engine, tmp_path) -> Iterator[Engine]:
    """An empty database of the suite's kind, migrated to the revision before."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        url = make_url(str(engine.url.render_as_string(hide_password=False)))
        scratch = engine_for(url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(False))
    else:
        scratch = engine_for(f"sqlite:///{tmp_path / 'packed.db'}")
    schema_upgrade(scratch, BEFORE)
    yield scratch
    scratch.dispose()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))


def test_upgrade_packs_the_stored_answers(old_engine):
    sipas = load_all()["sipas-counter.v1"]
    source = (INSTRUMENTS_DIR / "sipas-counter.v1.yaml").read_text(encoding="utf-8")
    stored = [
        {"procedure": 3, "visits": 2, "E1_1": 4, "E1_2": 9, "overall": 5, "comment": "Tốt"},
        {"E1_1": 1, "harassment": 8},
        {},
    ]
    with old_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO instrument_versions (id, code, version, title, checksum, source, active, registered_at) "
                "VALUES (1, 'sipas-counter', 1, 't', 'c', :s, TRUE, CURRENT_TIMESTAMP), "
                "(2, 'x', 1, 't', 'c', 'not an instrument', TRUE, CURRENT_TIMESTAMP)"
            ),
            {"s": source},
        )
        conn.execute(
            text(
                "INSERT INTO units (id, code, name, level, path, created_at) "
                "VALUES (1, 'P', 'Tỉnh', 'province', '/', CURRENT_TIMESTAMP)"
            )
        )
        for n, answers in enumerate(stored, start=1):
            conn.execute(
                text(
                    "INSERT INTO responses (id, client_uuid, payload_hash, instrument_version_id, unit_id, channel, "
                    "status, received_at, service_day) "
                    "VALUES (:id, :u, 'h', :v, 1, 'qr', 'submitted', CURRENT_TIMESTAMP, '2026-11-20')"
                ),
                {"id": n, "u": uuid.uuid4().hex, "v": 1 if n < 3 else 2},
            )
            for code, value in answers.items():
                conn.execute(
                    text(
                        "INSERT INTO answers (response_id, question_code, value_int, value_text) "
                        "VALUES (:r, :q, :i, :t)"
                    ),
                    {"r": n, "q": code, "i": value if isinstance(value, int) else None,
                     "t": value if isinstance(value, str) else None},
                )  # fmt: skip

    schema_upgrade(old_engine)

    layout = packed_layout(sipas)
    with old_engine.connect() as conn:
        layouts = dict(conn.execute(text("SELECT id, packed_codes FROM instrument_versions")).all())
        codes = dict(conn.execute(text("SELECT id, codes FROM responses")).all())
        answers = conn.execute(text("SELECT count(*) FROM answers")).scalar()
    assert layouts == {1: ",".join(layout), 2: ""}
    assert bytes(codes[1]) == answers_pack(layout, stored[0])
    assert bytes(codes[2]) == answers_pack(layout, stored[1])
    assert bytes(codes[3]) == b""
    assert answers == 8  # the record is untouched (on SQLite ``responses`` was rebuilt)

    cfg = alembic_config()
    with old_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, BEFORE)
    with old_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar() == 8
