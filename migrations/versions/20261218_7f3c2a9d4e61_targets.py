"""targets

Revision ID: 7f3c2a9d4e61
Revises: 4f8a2d6c1e73
Create Date: 2026-12-18 10:00:00

targets: a unit's target on an indicator (the SIPAS index, an element, a
criterion) for a year, either a level (at least value %) or a rise (value
points over the previous year) (issue 17; app/models/targets.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7f3c2a9d4e61"
down_revision = "4f8a2d6c1e73"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("instrument_code", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('level', 'rise')", name=op.f("ck_targets_kind_known")),
        sa.CheckConstraint("value > 0 AND value <= 100", name=op.f("ck_targets_value_range")),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name=op.f("ck_targets_year_range")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_targets_unit_id_units"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint("unit_id", "instrument_code", "indicator", "year", name="uq_targets_unit_indicator_year"),
    )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_targets_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_targets_unit_id"))
    op.drop_table("targets")
