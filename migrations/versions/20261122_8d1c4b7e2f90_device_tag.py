"""device tag

Revision ID: 8d1c4b7e2f90
Revises: 5f3b9d2e7a41
Create Date: 2026-11-22 03:15:00

responses.device_tag: a salted, daily-rotating tag of the browser's random
device id and the counter (app/services/devices.py), against
ballot-stuffing. Nullable, added in place (no table rebuild on SQLite).
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


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite >= 3.35): rebuilding responses would cascade to answers
    op.drop_column("responses", "device_tag")
