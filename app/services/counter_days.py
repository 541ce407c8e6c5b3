"""Counter-day counts kept with the roll-up, for the flag counts of a report.

A report states per unit how many responses the anomaly flags point at
(:mod:`app.services.flag_counts`). Counted from the responses, that is a sort
of every response of the period and the weeks before it (to find identical
answers within a counter-day); kept per instrument, counter, day and unit
(``counter_day_counts``), it is a read of one row per counter-day. The rows
of a day are rebuilt whenever its roll-up rows are (the same triggers mark
it, :mod:`app.services.rollup`), so they always equal what the responses give.

``responses`` counts the counter-channel responses of the instrument in any
status, as the flag rules do; ``marked`` those with a flag bit or whose
answers repeat another response of the same counter and day (of any unit);
``units`` how many units the counter-day holds responses of: where it holds
several, the report counts that counter-day from the responses (a repeat
across two units counts only when both are in the report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from app.models import CounterDayCount, Response
from app.services.anomalies import COUNTER_CHANNELS


def counter_days_rebuild(session: Session, instrument_code: str, versions: list[int], days: list[date]) -> None:
    """Replace the rows of ``days`` by counts of the responses to ``versions`` (the instrument's)."""
    c = CounterDayCount
    session.execute(delete(c).where(c.instrument_code == instrument_code, c.service_day.in_(days)))
    where = [
        Response.channel.in_(COUNTER_CHANNELS),
        Response.service_point_id.is_not(None),
        Response.instrument_version_id.in_(versions),
        Response.service_day.in_(days),
    ]
    found = session.execute(marked_per_counter_day(where)).all()
    if not found:
        return
    units = Counter((point, day) for point, day, *_ in found)
    session.execute(
        insert(c),
        [
            {
                "instrument_code": instrument_code,
                "service_day": day,
                "service_point_id": point,
                "unit_id": unit,
                "responses": n,
                "marked": int(marked or 0),
                "units": units[(point, day)],
            }
            for point, day, unit, n, marked in found
        ],
    )


def marked_per_counter_day(conditions: Sequence[ColumnElement[bool]]) -> Select:
    """Per (counter, day, unit) of the responses matching ``conditions``: how many,
    and how many have a flag bit or answers identical to another response of the
    same counter and day (``CounterDay.flagged``'s rule, without the burst)."""
    dup = (
        select(Response.service_point_id, Response.service_day, Response.payload_hash)
        .where(*conditions)
        .group_by(Response.service_point_id, Response.service_day, Response.payload_hash)
        .having(func.count() > 1)
        .subquery()
    )
    is_dup = dup.c.payload_hash.is_not(None)
    return (
        select(
            Response.service_point_id,
            Response.service_day,
            Response.unit_id,
            func.count(),
            func.sum(case(((Response.quality_flags != 0) | is_dup, 1), else_=0)),
        )
        .outerjoin(
            dup,
            and_(
                dup.c.service_point_id == Response.service_point_id,
                dup.c.service_day == Response.service_day,
                dup.c.payload_hash == Response.payload_hash,
            ),
        )
        .where(*conditions)
        .group_by(Response.service_point_id, Response.service_day, Response.unit_id)
    )
