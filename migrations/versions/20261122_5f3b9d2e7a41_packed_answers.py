"""packed answers

Revision ID: 5f3b9d2e7a41
Revises: c6a1e0f5b2d4
Create Date: 2026-11-22 02:20:00

Every response also holds its coded answers packed side by side
(``responses.codes``, see surveys/packing.py) and every instrument version
the layout of that value (``instrument_versions.packed_codes``), so that
reports and exports read one row per response instead of one per answer.
The answers table is unchanged and stays the record.

Existing rows are filled from the answers: on PostgreSQL by one UPDATE per
instrument version, on SQLite (small databases) in Python.
"""

from __future__ import annotations

import struct
from contextlib import contextmanager

import sqlalchemy as sa
import yaml
from alembic import op

revision = "5f3b9d2e7a41"
down_revision = "c6a1e0f5b2d4"
branch_labels = None
depends_on = None

#: surveys.packing.MISSING; copied so that this migration keeps meaning what
#: it meant when it was written
MISSING = -(2**31)
CODES_CHECK = "length(codes) % 4 = 0"


def _layout(source: str) -> list[str]:
    """surveys.packing.packed_layout of an instrument file's text: coded
    questions (every kind but text) in file order. A source that is not an
    instrument (possible only in hand-made test databases) has none."""
    try:
        raw = yaml.safe_load(source)
    except yaml.YAMLError:
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("sections"), list):
        return []
    return [
        q["code"]
        for section in raw["sections"]
        if isinstance(section, dict)
        for q in section.get("questions") or []
        if isinstance(q, dict) and isinstance(q.get("code"), str) and q.get("kind") != "text"
    ]


@contextmanager
def _answers_kept_on_sqlite(sqlite: bool):
    """Keep the answers while SQLite rebuilds ``responses`` (dropping the old
    table would cascade to ``answers``); as in revision c6a1e0f5b2d4."""
    if not sqlite:
        yield
        return
    op.execute("CREATE TEMPORARY TABLE _answers_kept AS SELECT * FROM answers")
    yield
    op.execute("DELETE FROM answers")
    op.execute("INSERT INTO answers SELECT * FROM _answers_kept")
    op.execute("DROP TABLE _answers_kept")


def _fill_postgresql(conn, version_id: int, layout: list[str]) -> None:
    if not layout:
        conn.execute(sa.text("UPDATE responses SET codes = ''::bytea WHERE instrument_version_id = :v"),
                     {"v": version_id})  # fmt: skip
        return
    conn.execute(
        sa.text(
            "UPDATE responses r SET codes = p.codes FROM ("
            "  SELECT r2.id, string_agg(coalesce(int4send(a.value_int), int4send(:missing)), ''::bytea"
            "                           ORDER BY l.pos) AS codes"
            "  FROM responses r2 CROSS JOIN unnest(CAST(:layout AS text[])) WITH ORDINALITY AS l(code, pos)"
            "  LEFT JOIN answers a ON a.response_id = r2.id AND a.question_code = l.code"
            "  WHERE r2.instrument_version_id = :v GROUP BY r2.id) p "
            "WHERE r.id = p.id"
        ),
        {"v": version_id, "layout": layout, "missing": MISSING},
    )


def _fill_sqlite(conn, version_id: int, layout: list[str], batch: int = 2000) -> None:
    pack = struct.Struct(f">{len(layout)}i").pack
    last = 0
    while True:
        ids = conn.execute(
            sa.text("SELECT id FROM responses WHERE instrument_version_id = :v AND id > :last ORDER BY id LIMIT :n"),
            {"v": version_id, "last": last, "n": batch},
        ).scalars().all()  # fmt: skip
        if not ids:
            return
        values: dict[int, dict[str, int]] = {i: {} for i in ids}
        rows = conn.execute(
            sa.text(
                "SELECT response_id, question_code, value_int FROM answers "
                "WHERE response_id BETWEEN :lo AND :hi AND value_int IS NOT NULL"
            ),
            {"lo": ids[0], "hi": ids[-1]},
        )
        for response_id, code, value in rows:
            if response_id in values:
                values[response_id][code] = value
        conn.execute(
            sa.text("UPDATE responses SET codes = :codes WHERE id = :id"),
            [{"id": i, "codes": pack(*(values[i].get(c, MISSING) for c in layout))} for i in ids],
        )
        last = ids[-1]


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    op.add_column("instrument_versions", sa.Column("packed_codes", sa.Text(), server_default="", nullable=False))
    op.add_column("responses", sa.Column("codes", sa.LargeBinary(), nullable=True))
    versions = conn.execute(sa.text("SELECT id, source FROM instrument_versions")).all()
    for version_id, source in versions:
        layout = _layout(source)
        conn.execute(sa.text("UPDATE instrument_versions SET packed_codes = :p WHERE id = :v"),
                     {"p": ",".join(layout), "v": version_id})  # fmt: skip
        (_fill_sqlite if sqlite else _fill_postgresql)(conn, version_id, layout)
    with _answers_kept_on_sqlite(sqlite), op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.alter_column("codes", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_responses_codes_whole_answers"), CODES_CHECK)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with _answers_kept_on_sqlite(sqlite), op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_responses_codes_whole_answers"), type_="check")
        batch_op.drop_column("codes")
    # a plain DROP COLUMN (SQLite >= 3.35): rebuilding instrument_versions
    # would trip the RESTRICT foreign key from responses
    op.drop_column("instrument_versions", "packed_codes")
