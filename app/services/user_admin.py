"""Staff accounts as the administrator manages them.

Creating an account and resetting a password give it a temporary password
the administrator chose; the person is sent to change it at their next
sign-in (:func:`password_is_temporary`). That fact is read from the audit
log (the last password an administrator set against the last one the
person set), so it needs no column of its own.

Guards: an administrator cannot take away their own administrator role or
deactivate themselves, and the last active administrator stays one, so the
installation never locks itself out. Password hashes never leave this
module: the rows returned to screens do not carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import ROLES, AuditEvent, Unit, User
from app.models.accounts import UNIT_ROLES
from app.refusals import Refused
from app.services.accounts import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    clock,
    password_hash,
    password_problem,
    sessions_end,
    user_create,
)
from app.services.admin_checks import NAME_MAX
from app.services.api_tokens import api_tokens_revoke
from app.services.audit import audit_record

#: audit actions with which an administrator set someone's password
ADMIN_SET_PASSWORD = ("admin.user.create", "admin.user.password_reset")


@dataclass(frozen=True)
class UserRow:
    """An account as the list shows it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    unit_name: str | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None


def user_list(session: Session) -> list[UserRow]:
    rows = session.execute(
        select(
            User.id,
            User.username,
            User.display_name,
            User.role,
            Unit.code,
            Unit.name,
            User.active,
            User.created_at,
            User.last_login_at,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.active.desc(), User.role, User.username)
    ).all()
    return [UserRow(*row) for row in rows]


def user_get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Refused("adm.not_found", status=404)
    return user


def _unit_for(session: Session, role: str, unit_id: int | None) -> Unit | None:
    if role not in ROLES:
        raise Refused("account.role_unknown", role=role)
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise Refused("adm.not_found", status=404)
    if unit is not None and unit.retired_at is not None:
        raise Refused("adm.unit.retired")
    if role in UNIT_ROLES and unit is None:
        raise Refused("account.unit_required")
    return unit


def _display_name(raw: str | None, fallback: str) -> str:
    name = " ".join((raw or "").split()) or fallback
    if len(name) > NAME_MAX:
        raise Refused("adm.name_invalid", max=NAME_MAX)
    return name


def _check_password(password: str, confirmation: str, username: str) -> None:
    if password != confirmation:
        raise Refused("password.mismatch")
    problem = password_problem(password, username)
    if problem:
        raise Refused(problem, n=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)


def user_add(
    session: Session,
    actor: User,
    *,
    username: str,
    display_name: str | None,
    role: str,
    unit_id: int | None,
    password: str,
    confirmation: str,
) -> User:
    """Create an account with a temporary password (audited as ``admin.user.create``)."""
    unit = _unit_for(session, role, unit_id)
    _check_password(password, confirmation, username.strip().lower())
    return user_create(
        session,
        username=username,
        password=password,
        role=role,
        display_name=_display_name(display_name, username.strip().lower()),
        unit=unit,
        actor=actor,
        via="admin",
    )


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )


def _keep_an_admin(session: Session, actor: User, user: User) -> None:
    """Refuse to take the administrator role or access away from ``user``
    when it is the actor themselves or the last active administrator."""
    if user.id == actor.id:
        raise Refused("adm.user.not_yourself")
    if user.role == "admin" and user.active and _other_active_admins(session, user) == 0:
        raise Refused("adm.user.last_admin")


def _snapshot(user: User) -> dict[str, object]:
    return {
        "display_name": user.display_name,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "active": user.active,
    }


def user_update(
    session: Session, actor: User, user_id: int, *, display_name: str | None, role: str, unit_id: int | None
) -> User:
    """Change an account's name, role and unit (``admin.user.update``)."""
    user = user_get(session, user_id)
    unit = _unit_for(session, role, unit_id)
    if user.role == "admin" and role != "admin":
        _keep_an_admin(session, actor, user)
    before = _snapshot(user)
    user.display_name = _display_name(display_name, user.username)
    user.role = role
    user.unit = unit
    session.flush()
    after = _snapshot(user)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        audit_record(
            session,
            actor,
            "admin.user.update",
            f"user:{user.username}",
            {"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}},
        )
    return user


def user_set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (every open session ends) or reactivate an account."""
    user = user_get(session, user_id)
    if user.active == active:
        return user
    if not active:
        _keep_an_admin(session, actor, user)
    user.active = active
    if not active:
        sessions_end(session, user)  # reactivating later does not revive them
    session.flush()
    audit_record(
        session,
        actor,
        "admin.user.reactivate" if active else "admin.user.deactivate",
        f"user:{user.username}",
        {"before": {"active": not active}, "after": {"active": active}},
    )
    return user


def user_sessions_end(session: Session, actor: User, user_id: int) -> User:
    """End every sign-in of an account on every device, remembered tablets
    included (a lost or shared tablet); the person signs in again. Their
    tablets' API tokens are withdrawn one by one on the same screen."""
    user = user_get(session, user_id)
    if user.id == actor.id:
        raise Refused("adm.user.own_sessions")
    sessions_end(session, user)
    audit_record(session, actor, "admin.user.sessions_end", f"user:{user.username}")
    return user


def user_password_reset(session: Session, actor: User, user_id: int, *, password: str, confirmation: str) -> User:
    """Set a temporary password the person must change at their next sign-in.

    Their open sessions end (:func:`~app.services.accounts.sessions_end`) and
    their tablets' tokens are withdrawn.
    """
    user = user_get(session, user_id)
    if user.id == actor.id:
        raise Refused("adm.user.own_password")
    _check_password(password, confirmation, user.username)
    user.password_hash = password_hash(password)
    user.password_changed_at = clock()
    sessions_end(session, user)
    audit_record(session, actor, "admin.user.password_reset", f"user:{user.username}", {"temporary": True})
    api_tokens_revoke(session, user, actor=actor, reason="password.reset")
    return user


def password_is_temporary(session: Session, user: User) -> bool:
    """Whether ``user``'s password was last set by an administrator (through
    the administration screens, not the command line) rather than by them."""
    set_by_admin = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.target == f"user:{user.username}",
            or_(
                AuditEvent.action == "admin.user.password_reset",
                and_(
                    AuditEvent.action == "admin.user.create",
                    AuditEvent.actor_user_id.is_not(None),
                    AuditEvent.actor_user_id != user.id,
                ),
            ),
        )
    )
    if set_by_admin is None:
        return False
    changed = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.action == "password.change", AuditEvent.target == user.username
        )
    )
    return changed is None or changed < set_by_admin
