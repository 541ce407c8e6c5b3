"""device tag

Revision ID: 8d1c4b7e2f90
Revises: 5f3b9d2e7a41
Create Date: 2026-11-22 03:15:00

responses.device_tag: a salted, daily-rotating tag of the browser's random
device id and the counter (app/services/devices.py), against
ballot-stuffing. Nullable, added in place (no table rebuild on SQLite).
The (counter, day) index gains the tag as a third column, so the check at
each submission is an index look-up, not a scan of the counter's day; the
old index's queries use the new one's prefix.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8d1c4b7e2f90"
down_revision = "5f3b9d2e7a41"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("responses", sa.Column("device_tag", sa.String(length=32), nullable=True))
    op.drop_index("ix_responses_point_day", table_name="responses")
    op.create_index(
        "ix_responses_point_day_device", "responses", ["service_point_id", "service_day", "device_tag"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_responses_point_day_device", table_name="responses")
    op.create_index("ix_responses_point_day", "responses", ["service_point_id", "service_day"], unique=False)
    # a plain DROP COLUMN (SQLite >= 3.35): rebuilding responses would cascade to answers
    op.drop_column("responses", "device_tag")
