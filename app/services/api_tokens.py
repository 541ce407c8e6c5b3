"""Bearer tokens for the JSON API: one per surveyor's tablet or integration.

A token is shown once when it is made; the database keeps its sha256.
Tokens work only for active surveyor accounts and can be withdrawn.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, User
from app.refusals import Refused
from app.services.accounts import clock
from app.services.audit import audit_record

#: tokens start with this, so a leaked one is recognisable in logs and scanners
PREFIX = "ksat_"
#: roles a token may act for: the API serves surveyors' tablets
TOKEN_ROLES = ("surveyor",)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_token_issue(session: Session, user: User, label: str, *, actor: User | None = None) -> str:
    """Make a token for ``user`` and return it; only its digest is stored.

    Raises
    ------
    Refused
        The account is inactive or not a surveyor.
    """
    if user.role not in TOKEN_ROLES or not user.active:
        raise Refused("token.not_surveyor", username=user.username)
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), label=label.strip()[:100] or "tablet"))
    session.flush()
    audit_record(session, actor, "api_token.create", f"user:{user.username}", {"label": label[:100]})
    return token


def api_tokens_revoke(session: Session, user: User, *, actor: User | None = None) -> int:
    """Withdraw every token of ``user``; returns how many were in use."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock())
        .execution_options(synchronize_session=False)
    )
    audit_record(session, actor, "api_token.revoke", f"user:{user.username}", {"count": result.rowcount})
    return result.rowcount


def user_for_api_token(session: Session, token: str) -> User | None:
    """The active surveyor a token belongs to, or None (unknown, withdrawn,
    account deactivated or no longer a surveyor)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))
    )
    if user is None or not user.active or user.role not in TOKEN_ROLES:
        return None
    return user
