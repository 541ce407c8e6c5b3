"""month moments and counter-day counts

Revision ID: 5e9a1c7b3d28
Revises: c4d8e2a6b915
Create Date: 2026-12-20 09:00:00

``month_moments``: per instrument, unit, month and channel, the sums of the
month's roll-up rows that every figure of a report is computed from
(app/services/month_moments.py), so that a report reads a few rows per
unit instead of every cluster; ``counter_day_counts``: per counter, day and
unit, the responses and those the anomaly flags mark, so that a report's
flag counts read counter-days, not responses (app/services/flag_counts.py).
A partial index on the excluded responses serves a report's count of
them per unit. Both tables are rebuilt with the roll-up: every day holding
responses is marked for a rebuild here, and the next report (or
``flask --app wsgi rollup --rebuild``) fills the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5e9a1c7b3d28"
down_revision = "c4d8e2a6b915"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "month_moments",
        sa.Column("instrument_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("layout_id", sa.Integer(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("sums", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("responses > 0", name=op.f("ck_month_moments_responses_positive")),
        sa.CheckConstraint("length(sums) % 8 = 0", name=op.f("ck_month_moments_sums_whole")),
        sa.CheckConstraint("channel >= -1", name=op.f("ck_month_moments_channel_known")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_month_moments_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["layout_id"], ["rollup_layouts.id"], name=op.f("fk_month_moments_layout_id_rollup_layouts")
        ),
        sa.PrimaryKeyConstraint("instrument_code", "month", "unit_id", "channel", name=op.f("pk_month_moments")),
    )
    op.create_table(
        "counter_day_counts",
        sa.Column("instrument_code", sa.String(length=40), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("marked", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.CheckConstraint("responses > 0", name=op.f("ck_counter_day_counts_responses_positive")),
        sa.CheckConstraint("marked >= 0 AND marked <= responses", name=op.f("ck_counter_day_counts_marked_within")),
        sa.CheckConstraint("units > 0", name=op.f("ck_counter_day_counts_units_positive")),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_counter_day_counts_service_point_id_service_points"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_counter_day_counts_unit_id_units")),
        sa.PrimaryKeyConstraint(
            "instrument_code", "service_day", "service_point_id", "unit_id", name=op.f("pk_counter_day_counts")
        ),
    )
    op.create_index(
        "ix_responses_excluded_unit_day",
        "responses",
        ["unit_id", "service_day"],
        postgresql_where=sa.text("status = 'excluded'"),
        sqlite_where=sa.text("status = 'excluded'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # read whole, never compressed: a row is a vector of counts and sums that pglz barely shrinks
        op.execute("ALTER TABLE month_moments ALTER COLUMN sums SET STORAGE EXTERNAL")
    op.execute(
        "INSERT INTO rollup_dirty (instrument_version_id, service_day) "
        "SELECT DISTINCT r.instrument_version_id, r.service_day FROM responses r "
        "WHERE NOT EXISTS (SELECT 1 FROM rollup_dirty d WHERE d.instrument_version_id = r.instrument_version_id "
        "AND d.service_day = r.service_day)"
    )


def downgrade() -> None:
    op.drop_index("ix_responses_excluded_unit_day", table_name="responses")
    op.drop_table("counter_day_counts")
    op.drop_table("month_moments")
