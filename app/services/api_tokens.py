"""Bearer tokens for the JSON API: one per surveyor's tablet or integration.

A token has a scope: ``submit`` (a surveyor's tablet: assignments,
instruments, interviews) or ``read`` (an analyst's or an integration's:
the published indicators, nothing written; a unit manager's sees only
their units) or ``dossiers`` (a unit's one-stop-shop software, held by a
unit manager's account: registers dossiers of the unit's counters and
nothing else). A token of one scope cannot do what another does.

A token is shown once when it is made; the database keeps its sha256.
Tokens work only for active accounts of their scope's roles, expire (``API_TOKEN_DAYS``),
end when the account's password is changed or reset, and an administrator
can withdraw one of them (a lost tablet) or the command line all of them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, User
from app.refusals import Refused
from app.services.audit import audit_record
from app.time import service_day_of

#: tokens start with this, so a leaked one is recognisable in logs and scanners
PREFIX = "ksat_"
#: the roles a token of each scope may act for
SCOPE_ROLES = {"submit": ("surveyor",), "read": ("analyst", "unit_manager"), "dossiers": ("unit_manager",)}
SCOPES = tuple(SCOPE_ROLES)
#: roles any token may act for
TOKEN_ROLES = tuple(role for roles in SCOPE_ROLES.values() for role in roles)
#: lifetime of a token when the caller gives none (the ``API_TOKEN_DAYS`` default)
DEFAULT_DAYS = 90


def clock() -> datetime:
    """Now, in UTC. Tests replace it to reach a token's expiry."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_token_issue(
    session: Session,
    user: User,
    label: str,
    *,
    days: int = DEFAULT_DAYS,
    actor: User | None = None,
    scope: str = "submit",
) -> str:
    """Make a token for ``user`` that works for ``days`` days and return it;
    only its digest is stored.

    Raises
    ------
    ValueError
        ``scope`` is not one of :data:`SCOPES`.
    Refused
        The account is inactive or its role may not hold a token of ``scope``
        (``submit``: surveyors; ``read``: analysts and unit managers).
    """
    if scope not in SCOPE_ROLES:
        raise ValueError(f"unknown token scope {scope!r}; use one of {', '.join(SCOPES)}")
    if user.role not in SCOPE_ROLES[scope] or not user.active:
        key = {"submit": "token.not_surveyor", "read": "token.not_reader"}.get(scope, "token.not_dossier_system")
        raise Refused(key, username=user.username)
    token = PREFIX + secrets.token_urlsafe(32)
    now = clock()
    expires = now + timedelta(days=days)
    label = label.strip()[:100] or "tablet"
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_digest(token),
            label=label,
            created_at=now,
            expires_at=expires,
            scope=scope,
        )
    )
    session.flush()
    detail = {"label": label, "expires": service_day_of(expires).isoformat(), "scope": scope}
    audit_record(session, actor, "api_token.create", f"user:{user.username}", detail)
    return token


def api_tokens_revoke(session: Session, user: User, *, actor: User | None = None, reason: str | None = None) -> int:
    """Withdraw every token of ``user``; returns how many were in use.

    ``reason`` names the event that withdrew them (``password.change``,
    ``password.reset``); without one it was asked for (the command line),
    and is audited even when there was nothing to withdraw.
    """
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock())
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount
    if count or reason is None:
        detail: dict[str, object] = {"count": count}
        if reason is not None:
            detail["reason"] = reason
        audit_record(session, actor, "api_token.revoke", f"user:{user.username}", detail)
    return count


def api_token_revoke(session: Session, actor: User | None, user_id: int, token_id: int) -> ApiToken:
    """Withdraw one token of account ``user_id`` (a lost tablet), audited.

    Raises
    ------
    Refused
        404 when the account has no such token in use (withdrawn already,
        or another account's).
    """
    row = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )
    user = session.get(User, user_id)
    if row is None or user is None:
        raise Refused("adm.not_found", status=404)
    row.revoked_at = clock()
    session.flush()
    detail = {"token": row.id, "label": row.label, "count": 1}
    audit_record(session, actor, "api_token.revoke", f"user:{user.username}", detail)
    return row


@dataclass(frozen=True)
class TokenRow:
    """A token as the account page lists it (never the token itself).

    ``status`` is ``active``, ``expired`` or ``revoked``.
    """

    id: int
    label: str
    created_at: datetime
    last_used_on: date | None
    expires_at: datetime
    revoked_at: datetime | None
    scope: str
    status: str


def api_tokens_of(session: Session, user_id: int) -> list[TokenRow]:
    """The tokens of an account, those in use first, newest first."""
    now = clock()
    rows = session.execute(
        select(
            ApiToken.id,
            ApiToken.label,
            ApiToken.created_at,
            ApiToken.last_used_on,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.scope,
        )
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    listed = []
    for row in rows:
        status = "revoked" if row.revoked_at is not None else ("expired" if _aware(row.expires_at) <= now else "active")
        listed.append(TokenRow(*row, status=status))
    return sorted(listed, key=lambda t: t.status != "active")


@dataclass(frozen=True)
class TokenUse:
    """A request's valid token: the account it acts for, and whether its use
    today is noted already (:func:`api_token_note_use`)."""

    user: User
    token_id: int
    noted_today: bool
    #: ``submit`` or ``read`` (:data:`SCOPES`)
    scope: str = "submit"


def api_token_use(session: Session, token: str) -> TokenUse | None:
    """The active account a token belongs to, with the token's scope, or
    None (unknown, withdrawn, expired, account deactivated or its role no
    longer one of the scope's). Only reads."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    now = clock()
    found = session.execute(
        select(User, ApiToken.id, ApiToken.last_used_on, ApiToken.scope)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == token_digest(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    ).first()
    if found is None:
        return None
    user, token_id, last_used_on, scope = found
    if not user.active or user.role not in SCOPE_ROLES.get(scope, ()):
        return None
    return TokenUse(user, token_id, last_used_on == service_day_of(now), scope)


def api_token_note_use(session: Session, token_id: int) -> None:
    """Note today (a Vietnamese day) as the token's last use; the caller
    commits. Done once a day per token, never per request."""
    today = service_day_of(clock())
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, or_(ApiToken.last_used_on.is_(None), ApiToken.last_used_on != today))
        .values(last_used_on=today)
        .execution_options(synchronize_session=False)
    )
