"""Unit scope: which units a person may see.

Administrators and analysts see the whole province; a unit manager sees
their unit and the units below it, never their neighbours'; a surveyor
works in their unit's subtree. Plain SQL conditions, usable by services and
views alike.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from app.models import Unit, User
from app.models.accounts import UNIT_ROLES
from app.services.units import subtree_clause

#: roles that see every unit of the province
PROVINCE_ROLES = ("admin", "analyst")


def unit_scope_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``Unit`` selecting the units ``user`` may see.

    Administrators and analysts see every unit; a unit manager sees their
    unit and the units below it, never their neighbours; a surveyor works
    in their unit's subtree. Nobody else (and no account) sees any.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in PROVINCE_ROLES:
        return true()
    if user.role in UNIT_ROLES and user.unit is not None:
        return subtree_clause(user.unit)
    return false()


def visible_unit_ids(session: Session, user: User | None) -> list[int]:
    """Ids of the units ``user`` may see, in id order."""
    return list(session.scalars(select(Unit.id).where(unit_scope_clause(user)).order_by(Unit.id)))


def unit_visible(session: Session, user: User | None, unit_id: int) -> bool:
    """Whether ``user`` may see the unit ``unit_id``."""
    query = select(Unit.id).where(Unit.id == unit_id, unit_scope_clause(user))
    return session.scalar(query) is not None
