"""Find the service point a QR token names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RetiredQrToken, ServicePoint, Unit

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


def service_point_by_token(session: Session, token: str) -> PointLookup:
    if not TOKEN_RE.match(token):
        return PointLookup("unknown")
    row = session.execute(
        select(ServicePoint, Unit.name, Unit.retired_at)
        .join(Unit, Unit.id == ServicePoint.unit_id)
        .where(ServicePoint.qr_token == token)
    ).first()
    if row is None:
        retired = session.get(RetiredQrToken, token)
        return PointLookup("retired" if retired is not None else "unknown")
    point, unit_name, unit_retired = row
    if point.retired_at is not None or unit_retired is not None:
        return PointLookup("retired")
    return PointLookup(
        "active",
        PointInfo(
            id=point.id,
            unit_id=point.unit_id,
            unit_name=unit_name,
            name=point.name,
            procedure_field=point.procedure_field,
            instrument_code=point.instrument_code,
            token=point.qr_token,
        ),
    )
