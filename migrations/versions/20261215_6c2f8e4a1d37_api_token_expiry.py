"""api token expiry

Revision ID: 6c2f8e4a1d37
Revises: 3a7e5c1d9b20
Create Date: 2026-12-15 10:00:00

api_tokens.expires_at (a token stops working then; ``API_TOKEN_DAYS``
after it is made) and api_tokens.last_used_on (the last Vietnamese day it
was used, a day rather than a time). Tokens made before this revision
expire 90 days after the upgrade, so no tablet stops in the middle of a
survey round because of it.

``api_tokens`` is rebuilt on SQLite (batch mode) to make the new column
NOT NULL with its check; nothing refers to that table, so nothing cascades.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "6c2f8e4a1d37"
down_revision = "3a7e5c1d9b20"
branch_labels = None
depends_on = None

#: how long tokens already handed out keep working after the upgrade
GRACE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_on", sa.Date(), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.get_bind().execute(tokens.update().values(expires_at=datetime.now(UTC) + GRACE))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_check_constraint(op.f("ck_api_tokens_expires_after_created"), "expires_at > created_at")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_expires_after_created"), type_="check")
        batch_op.drop_column("last_used_on")
        batch_op.drop_column("expires_at")
