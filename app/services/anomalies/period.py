"""What the counter-day and surveyor-day scans share: the responses of a
period they read, and the answers given identically more than once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select

from app.models import Response


def period_where(
    base: Sequence[ColumnElement[bool]],
    unit_ids: Sequence[int] | None,
    versions: Sequence[int] | None,
    date_from: date,
    date_to: date,
) -> ColumnElement[bool]:
    """``base`` narrowed to ``unit_ids`` and the instrument ``versions``
    (None: all) and to the service days from ``date_from`` to ``date_to``,
    inclusive."""
    clauses = list(base)
    if unit_ids is not None:
        clauses.append(Response.unit_id.in_(list(unit_ids)))
    if versions is not None:
        clauses.append(Response.instrument_version_id.in_(list(versions)))
    return and_(*clauses, Response.service_day.between(date_from, date_to))


def identical_answers(where: ColumnElement[bool], group: Sequence):
    """(group..., payload_hash) seen more than once: identical answers."""
    return (
        select(*group, Response.payload_hash)
        .where(where)
        .group_by(*group, Response.payload_hash)
        .having(func.count() > 1)
        .subquery()
    )
