"""Find the service point a QR token names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.models import InstrumentVersion, RetiredQrToken, ServicePoint, Unit

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class PointInfo:
    """What the citizen form needs to know about a counter."""

    id: int
    unit_id: int
    unit_name: str
    name: str
    procedure_field: str | None
    instrument_code: str
    token: str


@dataclass(frozen=True)
class PointLookup:
    """``status`` is ``active``, ``retired`` (old poster or retired counter) or ``unknown``."""

    status: Literal["active", "retired", "unknown"]
    point: PointInfo | None = None
    #: (id, version) of the active version of the counter's instrument, if any
    instrument_version: tuple[int, int] | None = None


_ACTIVE_VERSION = (
    select(InstrumentVersion.id, InstrumentVersion.version)
    .where(InstrumentVersion.code == ServicePoint.instrument_code, InstrumentVersion.active.is_(True))
    .order_by(InstrumentVersion.version.desc())
    .limit(1)
)
#: built once: the statement runs on every form view and submission
_BY_TOKEN = (
    select(
        ServicePoint.id,
        ServicePoint.unit_id,
        ServicePoint.name,
        ServicePoint.procedure_field,
        ServicePoint.instrument_code,
        ServicePoint.qr_token,
        ServicePoint.retired_at,
        Unit.name.label("unit_name"),
        Unit.retired_at.label("unit_retired_at"),
        _ACTIVE_VERSION.with_only_columns(InstrumentVersion.id).scalar_subquery().label("version_id"),
        _ACTIVE_VERSION.with_only_columns(InstrumentVersion.version).scalar_subquery().label("version"),
    )
    .join(Unit, Unit.id == ServicePoint.unit_id)
    .where(ServicePoint.qr_token == bindparam("token"))
)


def service_point_by_token(session: Session, token: str) -> PointLookup:
    """The counter of a QR token, with its instrument's active version.

    One query of plain columns: it runs on every form view and submission,
    where loading ORM objects and a second round trip for the instrument
    cost more than the rest of the lookup.
    """
    if not TOKEN_RE.match(token):
        return PointLookup("unknown")
    row = session.execute(_BY_TOKEN, {"token": token}).first()
    if row is None:
        retired = session.get(RetiredQrToken, token)
        return PointLookup("retired" if retired is not None else "unknown")
    if row.retired_at is not None or row.unit_retired_at is not None:
        return PointLookup("retired")
    return PointLookup(
        "active",
        PointInfo(
            id=row.id,
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            name=row.name,
            procedure_field=row.procedure_field,
            instrument_code=row.instrument_code,
            token=row.qr_token,
        ),
        None if row.version_id is None else (row.version_id, row.version),
    )
