"""Counter-days: what one counter's responses of one day show over a
period, against the counter's own normal volume and fill time."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Response
from app.models.responses import (
    FLAG_FAST_FILL,
    FLAG_NO_ORIGIN,
    FLAG_OFF_HOURS,
    FLAG_STRAIGHT_LINE,
    FLAG_UNTAGGED,
)
from app.services.anomalies.period import identical_answers, period_where

#: channels whose responses cluster by counter × day (tablet interviews by surveyor × day)
COUNTER_CHANNELS = ("qr", "kiosk", "qr-verified")
#: a counter's normal volume is its median responses per day over this many days before the period too
BASELINE_DAYS = 28
#: a day is a burst when it has at least this many times the counter's median ...
BURST_FACTOR = 3.0
#: ... and at least this many responses (a quiet counter's 3 against 1 is no burst)
BURST_MIN = 10
#: a fill is "far below the counter's median" under this share of it
FAST_SHARE = 1 / 3

#: the kinds of flag, in the order screens list them
COUNTER_KINDS = (
    "burst",
    "duplicates",
    "fast_fill",
    "fill_far_below_median",
    "straight_line",
    "off_hours",
    "untagged",
    "no_origin",
)


@dataclass(frozen=True)
class CounterDay:
    """What one counter's responses of one day show (channels
    :data:`COUNTER_CHANNELS`, excluded responses included: flags are about
    what arrived).

    Attributes
    ----------
    responses, excluded : int
        Responses of the day, and how many of them are excluded.
    fast_fill, no_origin, off_hours, straight_line, untagged : int
        Responses carrying each bit of ``quality_flags``.
    duplicates : int
        Responses whose answers are identical to another's of the same day.
    fill_far_below_median : int
        Fills under :data:`FAST_SHARE` of the counter's median fill time.
    marked : int
        Responses with at least one mark of their own (a bit or a duplicate).
    baseline : float
        The counter's median responses per day with responses, over the
        period and :data:`BASELINE_DAYS` before it (so is the median fill time).
    burst : bool
        At least :data:`BURST_FACTOR` × ``baseline`` and :data:`BURST_MIN` responses.
    """

    service_point_id: int
    unit_id: int
    service_day: date
    responses: int
    excluded: int
    fast_fill: int
    no_origin: int
    off_hours: int
    straight_line: int
    untagged: int
    duplicates: int
    fill_far_below_median: int
    marked: int
    baseline: float
    burst: bool

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of flag present (:data:`COUNTER_KINDS`)."""
        return tuple(k for k in COUNTER_KINDS if (self.burst if k == "burst" else getattr(self, k)))

    @property
    def flagged(self) -> int:
        """Responses the flags point at: the whole day for a burst, else the marked ones."""
        return self.responses if self.burst else self.marked


def _bit(bit: int):
    return func.sum(case((Response.quality_flags.op("&")(bit) != 0, 1), else_=0))


def counter_days(
    session: Session,
    unit_ids: Sequence[int] | None,
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
) -> list[CounterDay]:
    """Every counter-day of ``unit_ids`` (None: all) from ``date_from`` to
    ``date_to`` (service days, inclusive), flagged or not; ``kinds`` says
    which flags each has. With ``versions`` (instrument version ids), only
    the responses to them. Aggregated in SQL; Python sees one row per
    counter-day and per counter × fill time."""
    base = [Response.channel.in_(COUNTER_CHANNELS), Response.service_point_id.is_not(None)]
    period = period_where(base, unit_ids, versions, date_from, date_to)
    dup = identical_answers(period, [Response.service_point_id, Response.service_day])
    is_dup = dup.c.payload_hash.is_not(None)
    rows = session.execute(
        select(
            Response.service_point_id,
            Response.unit_id,
            Response.service_day,
            func.count(),
            func.sum(case((Response.status == "excluded", 1), else_=0)),
            _bit(FLAG_FAST_FILL),
            _bit(FLAG_NO_ORIGIN),
            _bit(FLAG_OFF_HOURS),
            _bit(FLAG_STRAIGHT_LINE),
            _bit(FLAG_UNTAGGED),
            func.sum(case((is_dup, 1), else_=0)),
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
        .where(period)
        .group_by(Response.service_point_id, Response.unit_id, Response.service_day)
        .order_by(Response.service_day, Response.service_point_id)
    ).all()
    if not rows:
        return []
    points = sorted({r[0] for r in rows})
    # the counter's normal volume: responses per day, over the period and the weeks before it
    history = session.execute(
        select(Response.service_point_id, Response.service_day, func.count())
        .where(
            Response.channel.in_(COUNTER_CHANNELS),
            Response.service_point_id.in_(points),
            Response.service_day.between(date_from - timedelta(days=BASELINE_DAYS), date_to),
        )
        .group_by(Response.service_point_id, Response.service_day)
    ).all()
    per_day: dict[int, list[int]] = defaultdict(list)
    for point, _day, n in history:
        per_day[point].append(n)
    baseline = {point: float(statistics.median(counts)) for point, counts in per_day.items()}
    # fill times: the counter's median over the same weeks, and the fills far below it per day
    fills = session.execute(
        select(Response.service_point_id, Response.service_day, Response.fill_seconds, func.count())
        .where(
            Response.channel.in_(COUNTER_CHANNELS),
            Response.service_point_id.in_(points),
            Response.service_day.between(date_from - timedelta(days=BASELINE_DAYS), date_to),
            Response.fill_seconds.is_not(None),
        )
        .group_by(Response.service_point_id, Response.service_day, Response.fill_seconds)
    ).all()
    by_point: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for point, _day, seconds, n in fills:
        by_point[point][seconds] += n
    medians = {point: _grouped_median(counts) for point, counts in by_point.items()}
    far_below: dict[tuple[int, date], int] = defaultdict(int)
    for point, day, seconds, n in fills:
        if day >= date_from and seconds < medians[point] * FAST_SHARE:
            far_below[(point, day)] += n
    out = []
    for point, unit, day, n, excluded, fast, origin, hours, straight, untagged, dups, marked in rows:
        usual = baseline.get(point, float(n))
        out.append(
            CounterDay(
                point,
                unit,
                day,
                n,
                excluded or 0,
                fast or 0,
                origin or 0,
                hours or 0,
                straight or 0,
                untagged or 0,
                dups or 0,
                far_below.get((point, day), 0),
                marked or 0,
                usual,
                n >= BURST_MIN and n >= BURST_FACTOR * usual,
            )
        )
    return out


def _grouped_median(counts: Mapping[int, int]) -> float:
    """The median of values given as {value: how many times}."""
    total = sum(counts.values())
    ordered = sorted(counts.items())
    middle = [(total - 1) // 2, total // 2]
    found: list[float] = []
    seen = 0
    for value, n in ordered:
        while middle and middle[0] < seen + n:
            found.append(value)
            middle.pop(0)
        seen += n
    return sum(found) / len(found)
