"""Administration of the unit tree.

The administration screens (``app.admin``) call these functions; they own
the queries and the changes. Every change writes one audit row (action
``admin.<what>``, a target such as ``unit:T01-X01`` and a detail with the
values before and after), flushes, and leaves the commit to the request.
A refused change raises :class:`app.refusals.Refused`.

The other administration services: service points, QR codes and posters
in :mod:`app.services.point_admin`, instrument versions in
:mod:`app.services.instrument_admin`, accounts in
:mod:`app.services.user_admin`, the unit-list import in
:mod:`app.services.unit_import`, the response review in
:mod:`app.services.review`, the audit log in :mod:`app.services.audit`;
the checks they share in :mod:`app.services.admin_checks`.
The unit tree
-------------
A department (sở, ngành) and a district (huyện) sit under the province; a
commune (xã, phường, thị trấn) sits under a district, or directly under the
province (the two-tier local government in force since July 2025 has no
districts). Moving a unit rewrites the materialised ``path`` of the unit
and of everything below it in one UPDATE, so the subtree queries
(``subtree_clause``, unit scope, reports) follow at once; responses keep
their unit and follow it too.

Retiring a unit that still has active units below it is refused unless the
administrator asks to retire the whole subtree; then every active unit in
it gets the same ``retired_at``, and restoring the unit brings back exactly
those. A retired unit's QR codes answer "no longer in use", its counters
get no posters, and its responses stay in every report of their period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, cast, func, literal, select, update
from sqlalchemy.orm import Session

from app.models import Response, ServicePoint, Unit, User
from app.models.units import UNIT_LEVELS
from app.refusals import Refused
from app.services.accounts import clock
from app.services.admin_checks import clean_code, clean_name, expire_loaded, flush_new, not_found
from app.services.audit import audit_record
from app.services.units import child_path, subtree_clause

#: the levels a unit of each level may sit under
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "province": (),
    "department": ("province",),
    "district": ("province",),
    "commune": ("district", "province"),
}
#: depth of each level, for creating a tree parents first
LEVEL_RANK = {"province": 0, "department": 1, "district": 1, "commune": 2}
# ---------------------------------------------------------------- unit tree


@dataclass(frozen=True)
class UnitRow:
    """One line of the unit tree as the screens show it."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    depth: int
    retired: bool
    active_points: int


def unit_tree(session: Session) -> list[UnitRow]:
    """Every unit, parents before children; siblings by level (departments,
    then districts, then communes) and code."""
    points = dict(
        session.execute(
            select(ServicePoint.unit_id, func.count())
            .where(ServicePoint.retired_at.is_(None))
            .group_by(ServicePoint.unit_id)
        ).all()
    )
    units = session.scalars(select(Unit)).all()
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (UNIT_LEVELS.index(u.level), u.code))
    rows: list[UnitRow] = []
    stack = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        rows.append(
            UnitRow(
                unit.id,
                unit.code,
                unit.name,
                unit.level,
                unit.parent_id,
                depth,
                unit.retired_at is not None,
                points.get(unit.id, 0),
            )
        )
        stack.extend((child, depth + 1) for child in reversed(children[unit.id]))
    return rows


def unit_get(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise not_found()
    return unit


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(func.lower(Unit.code) == code.strip().lower()))


def parent_options(session: Session) -> list[tuple[int, str, str]]:
    """Active units that can hold others: (id, level, "name (code)")."""
    rows = session.execute(
        select(Unit.id, Unit.level, Unit.name, Unit.code)
        .where(Unit.level.in_(("province", "district")), Unit.retired_at.is_(None))
        .order_by(Unit.path, Unit.level, Unit.code)
    ).all()
    return [(uid, level, f"{name} ({code})") for uid, level, name, code in rows]


def _check_parent(session: Session, level: str, parent_id: int | None, *, moving: Unit | None = None) -> Unit | None:
    allowed = PARENT_LEVELS.get(level)
    if allowed is None:
        raise Refused("adm.unit.level_invalid")
    if not allowed:
        if parent_id is not None:
            raise Refused("adm.unit.province_has_no_parent")
        return None
    parent = session.get(Unit, parent_id) if parent_id is not None else None
    if parent is None:
        raise Refused("adm.unit.parent_required")
    # Checked before the levels (which alone would already forbid it) for
    # the clearer message, and so a change of the level rules cannot make
    # a cycle in the tree.
    if moving is not None and (parent.id == moving.id or parent.path.startswith(child_path(moving))):
        raise Refused("adm.unit.move_into_itself")
    if parent.level not in allowed:
        raise Refused(f"adm.unit.parent_level.{level}")
    if parent.retired_at is not None:
        raise Refused("adm.unit.parent_retired")
    return parent


def unit_create(session: Session, actor: User, *, code: str, name: str, level: str, parent_id: int | None) -> Unit:
    """Add a unit under ``parent_id`` (None for a province)."""
    code = clean_code(code)
    name = clean_name(name)
    if level not in UNIT_LEVELS:
        raise Refused("adm.unit.level_invalid")
    parent = _check_parent(session, level, parent_id)
    if unit_by_code(session, code) is not None:
        raise Refused("adm.unit.code_taken", code=code)
    unit = Unit(code=code, name=name, level=level, parent=parent, path=child_path(parent), created_at=clock())
    session.add(unit)
    flush_new(session, Refused("adm.unit.code_taken", code=code))
    audit_record(
        session,
        actor,
        "admin.unit.create",
        f"unit:{code}",
        {"after": {"code": code, "name": name, "level": level, "parent": parent.code if parent else None}},
    )
    return unit


def unit_rename(session: Session, actor: User, unit_id: int, name: str) -> Unit:
    unit = unit_get(session, unit_id)
    name = clean_name(name)
    if name != unit.name:
        before, unit.name = unit.name, name
        session.flush()
        audit_record(session, actor, "admin.unit.rename", f"unit:{unit.code}", {"before": before, "after": name})
    return unit


def unit_move(session: Session, actor: User, unit_id: int, parent_id: int | None) -> Unit:
    """Put ``unit_id`` (and everything below it) under ``parent_id``.

    One UPDATE rewrites the prefix of ``path`` for the unit and all its
    descendants: their paths all start with the unit's old path.
    """
    unit = unit_get(session, unit_id)
    if unit.retired_at is not None:
        raise Refused("adm.unit.retired")
    if unit.level == "province":
        raise Refused("adm.unit.province_has_no_parent")
    parent = _check_parent(session, unit.level, parent_id, moving=unit)
    assert parent is not None  # every level but province has one
    if parent.id == unit.parent_id:
        return unit
    before = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    old_path, new_path = unit.path, child_path(parent)
    moved = session.execute(
        update(Unit)
        .where(subtree_clause(unit))
        .values(
            path=cast(literal(new_path), String) + func.substr(Unit.path, len(old_path) + 1),
            parent_id=case((Unit.id == unit.id, parent.id), else_=Unit.parent_id),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    expire_loaded(session, Unit)
    audit_record(
        session,
        actor,
        "admin.unit.move",
        f"unit:{unit.code}",
        {"before": before.code if before else None, "after": parent.code, "units_moved": moved},
    )
    return unit


def active_descendants(session: Session, unit: Unit) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Unit)
        .where(Unit.path.startswith(child_path(unit), autoescape=True), Unit.retired_at.is_(None))
    )


def unit_retire(session: Session, actor: User, unit_id: int, *, subtree: bool) -> int:
    """Retire a unit; with ``subtree`` also the active units below it.

    Returns how many units were retired. Refused when units below are still
    active and ``subtree`` is false.
    """
    unit = unit_get(session, unit_id)
    if unit.retired_at is not None:
        raise Refused("adm.unit.retired")
    below = active_descendants(session, unit)
    if below and not subtree:
        raise Refused("adm.unit.has_active_children", n=below)
    return _subtree_retired_set(
        session, actor, unit, Unit.retired_at.is_(None), clock(), "admin.unit.retire", "units_retired"
    )


def unit_restore(session: Session, actor: User, unit_id: int) -> int:
    """Bring back a retired unit and the units retired together with it."""
    unit = unit_get(session, unit_id)
    if unit.retired_at is None:
        raise Refused("adm.unit.not_retired")
    parent = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    if parent is not None and parent.retired_at is not None:
        raise Refused("adm.unit.parent_retired")
    return _subtree_retired_set(
        session, actor, unit, Unit.retired_at == unit.retired_at, None, "admin.unit.restore", "units_restored"
    )


def _subtree_retired_set(
    session: Session,
    actor: User,
    unit: Unit,
    which: ColumnElement[bool],
    retired_at: datetime | None,
    action: str,
    counted: str,
) -> int:
    """Set ``retired_at`` on the units of ``unit``'s subtree that ``which``
    selects and record ``action``, with how many changed under ``counted``;
    returns how many."""
    changed = session.execute(
        update(Unit)
        .where(subtree_clause(unit), which)
        .values(retired_at=retired_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    expire_loaded(session, Unit)
    retired = retired_at is not None
    audit_record(
        session,
        actor,
        action,
        f"unit:{unit.code}",
        {"before": {"retired": not retired}, "after": {"retired": retired}, counted: changed},
    )
    return changed


# ------------------------------------------------------------------ summary


@dataclass(frozen=True)
class Overview:
    units: int
    retired_units: int
    service_points: int
    users: int
    inactive_users: int
    excluded_responses: int


def overview(session: Session) -> Overview:
    """Counts for the administration home page."""

    def count(model: type, *conds) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conds))

    return Overview(
        units=count(Unit, Unit.retired_at.is_(None)),
        retired_units=count(Unit, Unit.retired_at.is_not(None)),
        service_points=count(ServicePoint, ServicePoint.retired_at.is_(None)),
        users=count(User, User.active.is_(True)),
        inactive_users=count(User, User.active.is_(False)),
        excluded_responses=count(Response, Response.status == "excluded"),
    )
