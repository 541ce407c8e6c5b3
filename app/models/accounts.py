"""Staff accounts (tài khoản) and the audit log of what staff did.

Citizens never have accounts: the survey is anonymous. Staff audit rows
hold no IP address either; the account and the action are what matter.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import Unit

ROLES = ("admin", "analyst", "unit_manager", "surveyor")
#: roles whose work is tied to one unit and the units below it
UNIT_ROLES = ("unit_manager", "surveyor")


class User(Base):
    """A staff account: administrator, analyst, unit manager or surveyor.

    Implements the interface Flask-Login expects (``is_authenticated``,
    ``is_active``, ``is_anonymous``, ``get_id``) without importing Flask.
    """

    repr_columns = ("username", "role")

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        CheckConstraint(f"role NOT IN {UNIT_ROLES!r} OR unit_id IS NOT NULL", name="unit_role_has_unit"),
        CheckConstraint("username = lower(username)", name="username_lower_case"),
        CheckConstraint("session_generation >= 0", name="session_generation_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower-case so "Admin" and "admin" are one account
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: the person's name as shown on screens and in the audit log
    display_name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash (PHC string) of the password; never the password itself
    password_hash: Mapped[str] = mapped_column(String(255))
    #: admin, analyst, unit_manager or surveyor
    role: Mapped[str] = mapped_column(String(20))
    #: the unit whose subtree a unit manager or surveyor works in; required
    #: for those roles, optional (informative) for admins and analysts
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: a deactivated account cannot sign in and its open sessions end
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: part of every session cookie of this account (``get_id``); raised by
    #: ``app.services.accounts.sessions_end`` at sign-out, password change or
    #: reset and deactivation, so every copy of an older cookie stops working
    session_generation: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    unit: Mapped[Unit | None] = relationship()

    # Flask-Login's user interface.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The value kept in the session cookie: the id, the session
        generation (bumped to end every session of the account) and a
        fingerprint of the password hash (a new hash ends them too, however
        it was set)."""
        return f"{self.id}:{self.session_generation}:{password_fingerprint(self.password_hash)}"


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a (salted) password hash; reveals nothing usable."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


class AuditEvent(Base):
    """One thing a staff member did (or tried): sign in, download a report,
    change an account, exclude a response."""

    repr_columns = ("action", "target")

    __tablename__ = "audit_events"
    __table_args__ = (
        # recent events of one kind for one target (e.g. the password last set
        # by an administrator, app.services.user_admin.password_is_temporary)
        Index("ix_audit_events_action_target_at", "action", "target", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: when it happened (server clock, UTC)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    #: the account that acted; None for anonymous attempts and the command line,
    #: and set to None if the account is ever deleted
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the actor's username at the time, kept even if the account is renamed
    actor_username: Mapped[str | None] = mapped_column(String(80))
    #: what happened, e.g. login.success, login.failure, logout, password.change,
    #: report.view, report.download, admin.<what> (admin.unit.move, admin.user.create,
    #: ...), response.exclude, response.restore
    action: Mapped[str] = mapped_column(String(40))
    #: what it happened to, e.g. the username tried, "unit:DEMO-HA", "report:2026-Q3"
    target: Mapped[str | None] = mapped_column(String(200))
    #: further facts as JSON (reason of a failure, fields changed, format)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LoginThrottle(Base):
    """Recent failed sign-ins (or current-password checks) for one username
    from one network address, and until when that pair must wait.

    Keyed by username *and* address so that guessing from one place slows
    only that place: the account's owner elsewhere signs in as usual
    (``app.services.login_throttle``). The address is never stored, only a
    keyed hash of it; rows go once the username signs in from there, or a
    day after their last failure.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("username", "address_tag", name="uq_login_throttles_username_address"),
        CheckConstraint("failures > 0", name="failures_positive"),
        CheckConstraint("blocked_until IS NULL OR blocked_until >= last_failure_at", name="blocked_after_failure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the username tried, lower-case (whether or not such an account exists)
    username: Mapped[str] = mapped_column(String(80))
    #: HMAC-SHA256 (keyed with the application's secret) of the client address,
    #: an IPv6 address cut to its /64 network; 32 hex digits
    address_tag: Mapped[str] = mapped_column(String(32))
    #: failures since the last success from there, or since the row was forgotten
    failures: Mapped[int]
    #: when the newest failure happened (UTC); the row is deleted a day later
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: no attempt from this pair is checked before this moment (None: no wait)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
