"""Per-unit flag counts for a report, from one grouped query.

A report states, per unit, how many responses the anomaly flags point at
and how many were excluded (:class:`app.services.anomalies.FlagCounts`).
:func:`app.services.anomalies.counter_days` computes every flag of every
counter-day for the review screen (fill times, the duplicate answers joined
back to each response, one object per counter-day); a report needs only
each counter-day's responses and how many of them are marked (a flag bit,
or answers identical to another response of the same counter and day),
and the counter's usual volume for the burst rule. Here the duplicates are
counted in the same pass that groups the responses (a window over the
groups of identical answers, no join), which is what a report at a million
responses can afford. The rules are those of ``counter_days`` and
``CounterDay.flagged``; a test compares the two on seeded data.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.orm import Session

from app.models import CounterDayCount, InstrumentVersion, Response, RollupDirty, ServicePoint
from app.services.anomalies import (
    BASELINE_DAYS,
    BURST_FACTOR,
    BURST_MIN,
    COUNTER_CHANNELS,
    FlagCounts,
)
from app.services.anomalies.per_unit import flag_counts_complete
from app.services.counter_days import marked_per_counter_day


def counter_flagged(
    session: Session,
    unit_ids: Sequence[int],
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
    *,
    pairs: Sequence[tuple[int, date]] | None = None,
) -> dict[int, int]:
    """Per unit, the counter responses the flags point at (``CounterDay.flagged``
    summed); with ``pairs``, on those (counter, day) pairs only."""
    base = [
        Response.channel.in_(COUNTER_CHANNELS),
        Response.service_point_id.is_not(None),
        Response.unit_id.in_(list(unit_ids)),
        Response.service_day.between(date_from, date_to),
    ]
    if versions is not None:
        base.append(Response.instrument_version_id.in_(list(versions)))
    if pairs is not None:
        if not pairs:
            return {}
        base.append(tuple_(Response.service_point_id, Response.service_day).in_(list(pairs)))
    # Answers compared bytewise on PostgreSQL (a hex digest needs no collation).
    digest = Response.payload_hash
    if session.get_bind().dialect.name == "postgresql":
        digest = digest.collate("C")
    # One pass: per (counter, day, unit) the responses, those with a flag bit,
    # and how many repeat another's answers within the group.
    per_day = session.execute(
        select(
            Response.service_point_id,
            Response.service_day,
            Response.unit_id,
            func.count(),
            func.sum(case((Response.quality_flags != 0, 1), else_=0)),
            func.count(digest) - func.count(digest.distinct()),
        )
        .where(*base)
        .group_by(Response.service_point_id, Response.service_day, Response.unit_id)
    ).all()
    units_of: dict[tuple[int, date], int] = defaultdict(int)
    for point, day, *_ in per_day:
        units_of[(point, day)] += 1
    # Counter-days with repeated answers (or responses of two units, whose
    # repeats may cross them) are counted exactly as counter_days does.
    odd = sorted({(p, d) for p, d, _u, _n, _f, repeats in per_day if repeats or units_of[(p, d)] > 1})
    exact = _marked(session, [*base, tuple_(Response.service_point_id, Response.service_day).in_(odd)]) if odd else {}
    rows = [(point, unit, n, exact.get((point, day, unit), f)) for point, day, unit, n, f, _ in per_day]
    if not rows:
        return {}
    # Only a day of at least BURST_MIN responses can be a burst: only its counter needs a baseline.
    points = sorted({point for point, _unit, n, _m in rows if n >= BURST_MIN})
    # the counter's normal volume: responses per day, over the period and the weeks before it
    history = (
        []
        if not points
        else session.execute(
            select(Response.service_point_id, func.count())
            .where(
                Response.channel.in_(COUNTER_CHANNELS),
                Response.service_point_id.in_(points),
                Response.service_day.between(date_from - timedelta(days=BASELINE_DAYS), date_to),
            )
            .group_by(Response.service_point_id, Response.service_day)
        ).all()
    )
    return flagged_of_rows(rows, history)


def flagged_of_rows(rows, history) -> dict[int, int]:
    """Per unit, from ``(counter, unit, responses, marked)`` per counter-day and unit and the
    counters' ``(counter, responses)`` per day of the baseline weeks: the burst rule of
    ``CounterDay.flagged`` (a burst counts every response of the day, else the marked ones)."""
    per_day: dict[int, list[int]] = defaultdict(list)
    for point, n in history:
        per_day[point].append(int(n))
    baseline = {point: float(statistics.median(counts)) for point, counts in per_day.items()}
    flagged: dict[int, int] = defaultdict(int)
    for point, unit, n, marked in rows:
        n, marked = int(n), int(marked or 0)
        burst = n >= BURST_MIN and n >= BURST_FACTOR * baseline.get(point, float(n))
        flagged[unit] += n if burst else marked
    return flagged


def _marked(session: Session, conditions) -> dict[tuple[int, date, int], int]:
    """Per (counter, day, unit): responses with a flag bit or with answers
    identical to another response of the counter and day (``counter_days``' rule)."""
    rows = session.execute(marked_per_counter_day(conditions)).all()
    return {(p, d, u): int(m or 0) for p, d, u, _n, m in rows}


def flag_counts_by_unit(
    session: Session,
    unit_ids: Sequence[int],
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
    *,
    instrument_code: str | None = None,
) -> dict[int, FlagCounts]:
    """What :func:`app.services.anomalies.flags_by_unit` returns, for a report;
    with ``instrument_code`` (``versions`` then being all its versions), from
    the stored counter-day counts where they can answer (counter_days.py)."""
    if not unit_ids:
        return {}
    counters = None
    if instrument_code is not None:
        counters = counter_flagged_stored(session, instrument_code, unit_ids, date_from, date_to, versions)
    if counters is None:
        counters = counter_flagged(session, unit_ids, date_from, date_to, versions)
    return flag_counts_complete(session, unit_ids, counters, date_from, date_to, versions)


def counter_flagged_stored(
    session: Session,
    instrument_code: str,
    unit_ids: Sequence[int],
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None,
) -> dict[int, int] | None:
    """:func:`counter_flagged` of every version of an instrument, from the stored
    counter-day counts (:mod:`app.services.counter_days`); None when a day of
    the period or of the baseline weeks is marked for a rebuild, for this
    instrument or any that a counter serves (the baseline counts every
    response of a counter, whatever its instrument)."""
    start = date_from - timedelta(days=BASELINE_DAYS)
    at_counters = select(ServicePoint.instrument_code).distinct().scalar_subquery()
    versions_seen = select(InstrumentVersion.id).where(
        (InstrumentVersion.code == instrument_code) | InstrumentVersion.code.in_(at_counters)
    )
    marked = (
        select(RollupDirty.service_day)
        .where(
            RollupDirty.service_day.between(start, date_to),
            RollupDirty.instrument_version_id.in_(versions_seen.scalar_subquery()),
        )
        .limit(1)
    )
    if session.scalar(marked) is not None:
        return None
    c = CounterDayCount
    period = [c.instrument_code == instrument_code, c.service_day.between(date_from, date_to),
              c.unit_id.in_(list(unit_ids))]  # fmt: skip
    # counter-days of several units: from the responses, as counter_flagged counts them
    shared = session.execute(select(c.service_point_id, c.service_day).where(*period, c.units > 1).distinct()).all()
    flagged: dict[int, int] = defaultdict(int)
    for unit, n in counter_flagged(
        session, unit_ids, date_from, date_to, versions, pairs=[tuple(p) for p in shared]
    ).items():
        flagged[unit] += n
    alone = [*period, c.units == 1]
    candidates = select(c.service_point_id).where(*alone, c.responses >= BURST_MIN).distinct()
    per_day = (
        select(c.service_point_id.label("point"), func.sum(c.responses).label("n"))
        .where(c.service_point_id.in_(candidates.scalar_subquery()), c.service_day.between(start, date_to))
        .group_by(c.service_point_id, c.service_day)
    )
    if session.get_bind().dialect.name == "postgresql":
        days = per_day.subquery()
        baseline = (
            select(days.c.point, func.percentile_cont(0.5).within_group(days.c.n).label("b"))
            .group_by(days.c.point)
            .subquery()
        )
        burst = (c.responses >= BURST_MIN) & (c.responses >= BURST_FACTOR * baseline.c.b)
        found = session.execute(
            select(c.unit_id, func.sum(case((burst, c.responses), else_=c.marked)))
            .outerjoin(baseline, baseline.c.point == c.service_point_id)
            .where(*alone)
            .group_by(c.unit_id)
        ).all()
        for unit, n in found:
            flagged[unit] += int(n)
        return flagged
    rows = session.execute(select(c.service_point_id, c.unit_id, c.responses, c.marked).where(*alone)).all()
    for unit, n in flagged_of_rows(rows, session.execute(per_day).all()).items():
        flagged[unit] += n
    return flagged
