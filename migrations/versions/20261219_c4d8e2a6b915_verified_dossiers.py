"""verified dossiers

Revision ID: c4d8e2a6b915
Revises: 7f3c2a9d4e61
Create Date: 2026-12-19 09:00:00

Verified responses tied to a dossier and the response rate (issue 16.3–16.4):
the channel ``qr-verified`` (responses.channel widened to 12 characters, its
CHECK extended), responses.dossier_rating (the three-level per-dossier
rating, set exactly for that channel), used_dossiers (one response per
dossier and counter: a unique constraint), registered_dossiers (dossiers a
unit's software registered through the API) and dossier_counts (dossiers per
counter and month, imported). app/models/dossiers.py says why no table links
a dossier to a response.

SQLite cannot change a CHECK in place: ``responses`` is rebuilt, keeping its
answers (as revisions c6a1e0f5b2d4 and 5f3b9d2e7a41 do) and putting back
the roll-up triggers of revision b7d41e9c3a55, which the rebuild drops.
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "c4d8e2a6b915"
down_revision = "7f3c2a9d4e61"
branch_labels = None
depends_on = None

OLD_CHANNELS = "channel IN ('qr', 'tablet', 'paper', 'kiosk')"
NEW_CHANNELS = "channel IN ('qr', 'tablet', 'paper', 'kiosk', 'qr-verified')"
RATING_CHECK = (
    "(channel = 'qr-verified') = (dossier_rating IS NOT NULL) AND "
    "(dossier_rating IS NULL OR dossier_rating IN (1, 2, 3))"
)


def _rollup_revision():
    """The roll-up revision's module: its trigger statements are the one source."""
    path = Path(__file__).with_name("20261205_b7d41e9c3a55_cluster_rollup.py")
    spec = importlib.util.spec_from_file_location("rollup_b7d41e9c3a55", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _responses_rebuilt_on_sqlite(sqlite: bool):
    """SQLite rebuilds the table (dropping triggers, cascading to answers);
    PostgreSQL alters it in place but will not retype a column a trigger
    names, so the roll-up's update trigger steps aside meanwhile."""
    rollup = _rollup_revision()
    if not sqlite:
        update = next(s for s in rollup.POSTGRESQL_UP if "TRIGGER responses_rollup_update" in s)
        op.execute("DROP TRIGGER responses_rollup_update ON responses")
        yield
        op.execute(update)
        return
    op.execute("CREATE TEMPORARY TABLE _answers_kept AS SELECT * FROM answers")
    yield
    op.execute("DELETE FROM answers")
    op.execute("INSERT INTO answers SELECT * FROM _answers_kept")
    op.execute("DROP TABLE _answers_kept")
    for statement in rollup.SQLITE_UP:
        op.execute(statement)


def _token_scopes(scopes: str) -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_api_tokens_scope_known"), f"scope IN ({scopes})")


def upgrade() -> None:
    _token_scopes("'submit', 'read', 'dossiers'")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with _responses_rebuilt_on_sqlite(sqlite), op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=10), type_=sa.String(length=12))
        batch_op.add_column(sa.Column("dossier_rating", sa.SmallInteger(), nullable=True))
        batch_op.drop_constraint(op.f("ck_responses_channel_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_responses_channel_known"), NEW_CHANNELS)
        batch_op.create_check_constraint(op.f("ck_responses_dossier_rating_only_verified"), RATING_CHECK)
    op.create_table(
        "used_dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("dossier", sa.String(length=32), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_used_dossiers_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_dossiers")),
        sa.UniqueConstraint("service_point_id", "dossier", name="uq_used_dossiers_point_dossier"),
    )
    op.create_table(
        "registered_dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("dossier", sa.String(length=32), nullable=False),
        sa.Column("expires", sa.Date(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_registered_dossiers_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_dossiers")),
        sa.UniqueConstraint("service_point_id", "dossier", name="uq_registered_dossiers_point_dossier"),
    )
    with op.batch_alter_table("registered_dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registered_dossiers_service_point_id"), ["service_point_id"], unique=False)
    op.create_table(
        "dossier_counts",
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("dossiers >= 0", name=op.f("ck_dossier_counts_dossiers_non_negative")),
        sa.CheckConstraint("source IN ('import', 'admin')", name=op.f("ck_dossier_counts_source_known")),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_dossier_counts_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("service_point_id", "month", name=op.f("pk_dossier_counts")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM api_tokens WHERE scope = 'dossiers'")
    _token_scopes("'submit', 'read'")
    op.drop_table("dossier_counts")
    with op.batch_alter_table("registered_dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_dossiers_service_point_id"))
    op.drop_table("registered_dossiers")
    op.drop_table("used_dossiers")
    op.execute("DELETE FROM responses WHERE channel = 'qr-verified'")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with _responses_rebuilt_on_sqlite(sqlite), op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_responses_dossier_rating_only_verified"), type_="check")
        batch_op.drop_constraint(op.f("ck_responses_channel_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_responses_channel_known"), OLD_CHANNELS)
        batch_op.drop_column("dossier_rating")
        batch_op.alter_column("channel", existing_type=sa.String(length=12), type_=sa.String(length=10))
