"""Which responses an analysis, a report or an export covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, literal, select
from sqlalchemy.orm import Session, aliased

from app.models import Answer, InstrumentVersion, Response, Unit
from app.services.units import subtree_clause


@dataclass(frozen=True)
class ResponseFilter:
    """Which responses an analysis covers.

    Attributes
    ----------
    instrument : str
        Instrument code; every version of it counts (versions keep codes).
    date_from, date_to : date, optional
        Service days, inclusive.
    unit_code : str, optional
        Only this unit and the units below it.
    level : str, optional
        Only responses collected by units of this level.
    procedure : int, optional
        Only responses whose procedure-field answer has this code.
    channel : str, optional
        ``qr``, ``tablet``, ``paper``, ``kiosk`` or ``qr-verified``.
    """

    instrument: str = "sipas-counter"
    date_from: date | None = None
    date_to: date | None = None
    unit_code: str | None = None
    level: str | None = None
    procedure: int | None = None
    channel: str | None = None


def filter_conditions(session: Session, flt: ResponseFilter, status: str = "submitted") -> list:
    """SQL conditions on ``Response`` selecting the responses of ``flt`` in
    ``status`` (the submitted ones, which every figure counts, by default)."""
    r = Response
    # The version ids as literals, not a subquery: PostgreSQL then knows from
    # its statistics how many responses match and plans the joins for it.
    versions = session.scalars(select(InstrumentVersion.id).where(InstrumentVersion.code == flt.instrument)).all()
    conds = [r.status == status, r.instrument_version_id.in_(sorted(versions))]
    if flt.date_from is not None:
        conds.append(r.service_day >= flt.date_from)
    if flt.date_to is not None:
        conds.append(r.service_day <= flt.date_to)
    if flt.channel is not None:
        conds.append(r.channel == flt.channel)
    units = units_clause(session, flt, r.unit_id)
    if units is not None:
        conds.append(units)
    if flt.procedure is not None:
        proc = aliased(Answer)
        conds.append(
            select(proc.response_id)
            .where(
                proc.response_id == r.id,
                proc.question_code == "procedure",
                proc.value_int == flt.procedure,
            )
            .exists()
        )
    return conds


def units_clause(session: Session, flt: ResponseFilter, column: ColumnElement[int]) -> ColumnElement[bool] | None:
    """SQL condition on a unit-id ``column`` for the filter's unit and level; None when it has neither."""
    if flt.unit_code is None and flt.level is None:
        return None
    units = select(Unit.id)
    if flt.unit_code is not None:
        root = session.scalar(select(Unit).where(Unit.code == flt.unit_code))
        units = units.where(subtree_clause(root) if root is not None else literal(False))
    if flt.level is not None:
        units = units.where(Unit.level == flt.level)
    return column.in_(units.scalar_subquery())


def version_ids(session: Session, instrument: str) -> list[int]:
    """Ids of every registered version of ``instrument``, ascending."""
    return sorted(session.scalars(select(InstrumentVersion.id).where(InstrumentVersion.code == instrument)))
