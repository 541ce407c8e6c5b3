"""api token scope

Revision ID: 4f8a2d6c1e73
Revises: a1f3c5e7d901
Create Date: 2026-12-17 10:00:00

api_tokens.scope: what a bearer token may do. ``submit`` (a surveyor's
tablet: assignments, instruments, interviews) or ``read`` (an analyst's or
an integration's: published indicators, nothing written). Tokens made
before this revision were all tablets' tokens: ``submit``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4f8a2d6c1e73"
down_revision = "a1f3c5e7d901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=10), server_default="submit", nullable=False))
        batch_op.create_check_constraint(op.f("ck_api_tokens_scope_known"), "scope IN ('submit', 'read')")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope_known"), type_="check")
        batch_op.drop_column("scope")
