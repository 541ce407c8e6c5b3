"""cluster roll-up

Revision ID: b7d41e9c3a55
Revises: 8d1c4b7e2f90
Create Date: 2026-12-05 10:30:00

The per-cluster roll-up that reports read (app/models/rollup.py), its
layouts, and the days to rebuild. Triggers on ``responses`` mark the
service day of every inserted, deleted or changed response, so every path
that writes responses (the citizen form, tablets, paper imports,
exclusions, the demo seed, a hand-written UPDATE) keeps the roll-up
honest. Every existing day starts dirty: the first read builds the roll-up.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7d41e9c3a55"
down_revision = "8d1c4b7e2f90"
branch_labels = None
depends_on = None

#: the columns of a response that change its place or its sums in the roll-up
ROLLUP_COLUMNS = (
    "status",
    "service_day",
    "unit_id",
    "service_point_id",
    "surveyor_id",
    "channel",
    "codes",
    "instrument_version_id",
)

POSTGRESQL_UP = [
    """
    CREATE FUNCTION rollup_dirty_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO rollup_dirty (service_day)
        SELECT DISTINCT service_day FROM new_rows ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION rollup_dirty_old() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO rollup_dirty (service_day)
        SELECT DISTINCT service_day FROM old_rows ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION rollup_dirty_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO rollup_dirty (service_day) VALUES (OLD.service_day) ON CONFLICT DO NOTHING;
        IF NEW.service_day IS DISTINCT FROM OLD.service_day THEN
            INSERT INTO rollup_dirty (service_day) VALUES (NEW.service_day) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$
    """,
    # One call per statement for inserts and deletes (a bulk import marks
    # each day once); row by row for the few updates that matter.
    """
    CREATE TRIGGER responses_rollup_insert AFTER INSERT ON responses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_new()
    """,
    """
    CREATE TRIGGER responses_rollup_delete AFTER DELETE ON responses
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_old()
    """,
    f"""
    CREATE TRIGGER responses_rollup_update AFTER UPDATE OF {", ".join(ROLLUP_COLUMNS)} ON responses
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ROLLUP_COLUMNS)})
    EXECUTE FUNCTION rollup_dirty_changed()
    """,
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS responses_rollup_update ON responses",
    "DROP TRIGGER IF EXISTS responses_rollup_delete ON responses",
    "DROP TRIGGER IF EXISTS responses_rollup_insert ON responses",
    "DROP FUNCTION IF EXISTS rollup_dirty_changed()",
    "DROP FUNCTION IF EXISTS rollup_dirty_old()",
    "DROP FUNCTION IF EXISTS rollup_dirty_new()",
]
SQLITE_UP = [
    """
    CREATE TRIGGER responses_rollup_insert AFTER INSERT ON responses
    BEGIN INSERT OR IGNORE INTO rollup_dirty (service_day) VALUES (NEW.service_day); END
    """,
    """
    CREATE TRIGGER responses_rollup_delete AFTER DELETE ON responses
    BEGIN INSERT OR IGNORE INTO rollup_dirty (service_day) VALUES (OLD.service_day); END
    """,
    f"""
    CREATE TRIGGER responses_rollup_update AFTER UPDATE OF {", ".join(ROLLUP_COLUMNS)} ON responses
    WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ROLLUP_COLUMNS)}
    BEGIN
        INSERT OR IGNORE INTO rollup_dirty (service_day) VALUES (OLD.service_day);
        INSERT OR IGNORE INTO rollup_dirty (service_day) VALUES (NEW.service_day);
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS responses_rollup_update",
    "DROP TRIGGER IF EXISTS responses_rollup_delete",
    "DROP TRIGGER IF EXISTS responses_rollup_insert",
]


def upgrade() -> None:
    op.create_table(
        "rollup_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_code", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_layouts")),
        sa.UniqueConstraint("signature", name=op.f("uq_rollup_layouts_signature")),
    )
    op.create_table(
        "cluster_rollup",
        sa.Column("instrument_code", sa.String(length=40), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("procedure", sa.Integer(), nullable=False),
        sa.Column("layout_id", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("counts", sa.LargeBinary(), nullable=False),
        sa.Column("shares", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("responses > 0", name=op.f("ck_cluster_rollup_responses_positive")),
        sa.CheckConstraint("length(counts) % 2 = 0", name=op.f("ck_cluster_rollup_counts_whole")),
        sa.CheckConstraint("length(shares) % 8 = 0", name=op.f("ck_cluster_rollup_shares_whole")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_cluster_rollup_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["layout_id"], ["rollup_layouts.id"], name=op.f("fk_cluster_rollup_layout_id_rollup_layouts")
        ),
        sa.PrimaryKeyConstraint(
            "instrument_code", "service_day", "unit_id", "owner", "channel", "procedure", name=op.f("pk_cluster_rollup")
        ),
    )
    op.create_table(
        "rollup_dirty",
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("service_day", name=op.f("pk_rollup_dirty")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)
    op.execute("INSERT INTO rollup_dirty (service_day) SELECT DISTINCT service_day FROM responses")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("rollup_dirty")
    op.drop_table("cluster_rollup")
    op.drop_table("rollup_layouts")
