"""response quality flags

Revision ID: a1f3c5e7d901
Revises: 9e4b7a2c5f18
Create Date: 2026-12-16 09:00:00

responses.quality_flags: what was noticed as a response was stored (a sum
of bits, app/models/responses.py: sent faster than the questions can be
read, a POST without Origin or Referer, outside opening hours, all top
answers, no device tag) and responses.fill_seconds (the time taken to fill
a QR form, kept when the times are coarsened). Flagged responses are stored
and counted; an administrator reviews and may exclude them
(docs/integrity.md). Added in place with a default of 0 (no table rebuild
on SQLite); QR responses already stored without a device tag get the
"untagged" bit (16).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a1f3c5e7d901"
down_revision = "9e4b7a2c5f18"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("responses", sa.Column("quality_flags", sa.Integer(), server_default="0", nullable=False))
    op.add_column("responses", sa.Column("fill_seconds", sa.Integer(), nullable=True))
    op.execute("UPDATE responses SET quality_flags = 16 WHERE channel = 'qr' AND device_tag IS NULL")


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite >= 3.35): rebuilding responses would cascade to answers
    op.drop_column("responses", "fill_seconds")
    op.drop_column("responses", "quality_flags")
