"""session generation

Revision ID: 3a7e5c1d9b20
Revises: b7d41e9c3a55
Create Date: 2026-12-15 09:00:00

users.session_generation: a counter that is part of every session cookie
(``User.get_id``). Signing out, a password change or reset and
deactivation raise it, so a copied cookie stops working at once instead of
living for the cookie's whole lifetime (issue 15). Existing accounts start
at 0; cookies issued before this revision have another form and end, so
everyone signs in once more after the upgrade.

Added in place (``ALTER TABLE ... ADD COLUMN`` with its check): rebuilding
``users`` on SQLite would drop a table that audit events, tokens and
responses refer to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3a7e5c1d9b20"
down_revision = "b7d41e9c3a55"
branch_labels = None
depends_on = None

CHECK = "ck_users_session_generation_not_negative"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column's CHECK with the column, never afterwards.
        op.execute(
            "ALTER TABLE users ADD COLUMN session_generation INTEGER DEFAULT 0 NOT NULL "
            f"CONSTRAINT {CHECK} CHECK (session_generation >= 0)"
        )
        return
    op.add_column("users", sa.Column("session_generation", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_check_constraint(CHECK, "users", "session_generation >= 0")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(CHECK, "users", type_="check")
    # a plain DROP COLUMN (SQLite >= 3.35): rebuilding users would cascade to its dependants
    op.drop_column("users", "session_generation")
