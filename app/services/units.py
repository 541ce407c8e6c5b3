"""Queries over the unit tree (materialised paths, see ``Unit.path``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from app.models import Unit


def child_path(parent: Unit | None) -> str:
    """The ``path`` a new child of ``parent`` gets ("/" for a root)."""
    return "/" if parent is None else f"{parent.path}{parent.id}/"


def subtree_clause(unit: Unit) -> ColumnElement[bool]:
    """SQL condition selecting ``unit`` and every unit below it."""
    return or_(Unit.id == unit.id, Unit.path.startswith(child_path(unit), autoescape=True))


def root_id(unit: Unit) -> int:
    """Id of the province (root) ``unit`` belongs to."""
    parts = [p for p in unit.path.split("/") if p]
    return int(parts[0]) if parts else unit.id
