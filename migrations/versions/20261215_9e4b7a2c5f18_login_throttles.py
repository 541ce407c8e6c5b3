"""login throttles

Revision ID: 9e4b7a2c5f18
Revises: 6c2f8e4a1d37
Create Date: 2026-12-15 11:00:00

login_throttles: failed sign-ins per (username, keyed hash of the network
address) and the wait that follows (app/services/login_throttle.py). The
throttle used to count failures per username in the audit log, so anyone
could lock anyone out; the audit log keeps recording every failure.
No address is stored, only its HMAC; rows are deleted a day after their
last failure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9e4b7a2c5f18"
down_revision = "6c2f8e4a1d37"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address_tag", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "blocked_until IS NULL OR blocked_until >= last_failure_at",
            name=op.f("ck_login_throttles_blocked_after_failure"),
        ),
        sa.CheckConstraint("failures > 0", name=op.f("ck_login_throttles_failures_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("username", "address_tag", name="uq_login_throttles_username_address"),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_last_failure_at"), ["last_failure_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_last_failure_at"))
    op.drop_table("login_throttles")
