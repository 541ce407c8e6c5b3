"""Flags per unit, for the report layer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Response
from app.services.anomalies.counters import counter_days
from app.services.anomalies.surveyors import surveyor_days


@dataclass(frozen=True)
class FlagCounts:
    """Per unit: responses the flags point at (``flagged``) and responses
    excluded from the statistics (``excluded``, flagged or not)."""

    flagged: int = 0
    excluded: int = 0


def flags_by_unit(
    session: Session,
    unit_ids: Sequence[int],
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
) -> dict[int, FlagCounts]:
    """For the report layer: per unit of ``unit_ids`` (its own responses, not
    its subtree's), the responses the flags point at and the excluded ones
    over ``date_from`` to ``date_to`` (service days, inclusive), to the
    instrument ``versions`` when given. Every unit asked for has an entry
    (zeros when nothing was flagged)."""
    flagged: dict[int, int] = defaultdict(int)
    for day in counter_days(session, unit_ids, date_from, date_to, versions):
        flagged[day.unit_id] += day.flagged
    return flag_counts_complete(session, unit_ids, flagged, date_from, date_to, versions)


def flag_counts_complete(
    session: Session,
    unit_ids: Sequence[int],
    counter_flagged: dict[int, int],
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
) -> dict[int, FlagCounts]:
    """Per unit: ``counter_flagged`` (responses the counter-day flags point
    at, however they were counted) plus the surveyor-day flags, and the
    excluded responses; every unit of ``unit_ids`` has an entry."""
    flagged: dict[int, int] = defaultdict(int, counter_flagged)
    for sday in surveyor_days(session, unit_ids, date_from, date_to, versions):
        for unit, n in sday.flagged_by_unit().items():
            if unit in unit_ids:
                flagged[unit] += n
    conds = [
        Response.unit_id.in_(list(unit_ids)),
        Response.status == "excluded",
        Response.service_day.between(date_from, date_to),
    ]
    if versions is not None:
        conds.append(Response.instrument_version_id.in_(list(versions)))
    excluded = dict(
        session.execute(select(Response.unit_id, func.count()).where(*conds).group_by(Response.unit_id)).all()
    )
    return {u: FlagCounts(flagged.get(u, 0), excluded.get(u, 0)) for u in unit_ids}
