"""Anomaly flags: signs that a counter's or a surveyor's figures were
stuffed, computed from what is stored, never acted on silently.

Two layers (docs/integrity.md):

* **as a response is stored** (:func:`submit_flags`), what only that moment
  knows is kept as bits of ``responses.quality_flags``: too fast to have
  been read, a POST naming no origin, outside opening hours, every rating
  at the top (straight-lining), no device tag; and the fill time in whole
  seconds (``responses.fill_seconds``), which outlives the coarsened times;
* **over a period** (:func:`counter_days`, :func:`surveyor_days`), what
  only the whole day shows: a burst against the counter's own normal
  volume, identical answer patterns, fills far below the counter's median,
  surveyors over their target or with zero-duration interviews.

Nothing here changes a response. A flag points an administrator at a
counter-day or a surveyor-day on the review screen; excluding responses
stays a decision with a reason, audited (:mod:`app.services.review`).
Reports read :func:`flags_by_unit`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
from app.models.surveyors import SurveyorAssignment
from app.time import VIETNAM
from surveys import Instrument, Role, Value

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
#: an interview shorter than this many seconds has "zero duration"
ZERO_DURATION_SECONDS = 60
#: fill times are kept up to an hour (a form left open longer says nothing more)
FILL_SECONDS_MAX = 3600
#: straight-lining needs at least this many rated criteria
STRAIGHT_MIN = 5

# ------------------------------------------------------- as a response is stored


@dataclass(frozen=True)
class OpeningHours:
    """When a counter's one-stop shop is open (local time), from the config
    keys ``OPENING_HOURS`` and ``OPENING_WEEKDAYS`` (ISO: Monday is 1)."""

    opens: time = time(7, 0)
    closes: time = time(17, 30)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6})

    def covers(self, moment: datetime) -> bool:
        local = moment.astimezone(VIETNAM)
        return local.isoweekday() in self.weekdays and self.opens <= local.time() < self.closes


def straight_lined(instrument: Instrument, answers: Mapping[str, Value]) -> bool:
    """True when at least :data:`STRAIGHT_MIN` criteria were rated and every
    rated criterion, and the overall question if answered, got the top answer."""
    rated = 0
    for q in instrument.questions:
        if q.role not in (Role.CRITERION, Role.OVERALL) or q.scale is None or q.code not in answers:
            continue
        value = answers[q.code]
        if not isinstance(value, int) or value in q.scale.not_applicable or not q.scale.satisfied:
            continue
        if value != max(q.scale.satisfied):
            return False
        rated += q.role is Role.CRITERION
    return rated >= STRAIGHT_MIN


def submit_flags(
    *,
    instrument: Instrument,
    answers: Mapping[str, Value],
    opened_at: datetime | None,
    submitted_at: datetime,
    seconds_per_answer: float,
    opening: OpeningHours | None,
    origin_unknown: bool = False,
    tagged: bool = True,
) -> tuple[int, int | None]:
    """``(quality_flags, fill_seconds)`` of a response being stored.

    ``seconds_per_answer`` times the number of answers is the shortest
    plausible fill (0: no such flag); ``opening`` None: no opening-hours flag.
    """
    flags = FLAG_NO_ORIGIN if origin_unknown else 0
    if not tagged:
        flags |= FLAG_UNTAGGED
    fill = None
    if opened_at is not None:
        taken = (submitted_at - opened_at).total_seconds()
        fill = int(min(max(taken, 0), FILL_SECONDS_MAX))
        if taken < seconds_per_answer * len(answers):
            flags |= FLAG_FAST_FILL
    if opening is not None and not opening.covers(submitted_at):
        flags |= FLAG_OFF_HOURS
    if straight_lined(instrument, answers):
        flags |= FLAG_STRAIGHT_LINE
    return flags, fill


# ---------------------------------------------------------------- over a period

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
SURVEYOR_KINDS = ("over_target", "zero_duration", "duplicates")


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


@dataclass(frozen=True)
class SurveyorDay:
    """One surveyor's tablet interviews of one day.

    Attributes
    ----------
    per_unit : tuple of (unit_id, interviews, marked)
        The interviews by the unit they are about.
    zero_duration : int
        Interviews shorter than :data:`ZERO_DURATION_SECONDS` (or with no times).
    duplicates : int
        Interviews whose answers are identical to another's of the same day.
    cumulative : int
        The surveyor's interviews from the start of their assignments to this day.
    target : int or None
        The sum of the targets of the assignments running that day (None: none).
    over_target : bool
        ``cumulative`` exceeds ``target``.
    """

    surveyor_id: int
    service_day: date
    per_unit: tuple[tuple[int, int, int], ...]
    interviews: int
    excluded: int
    zero_duration: int
    duplicates: int
    marked: int
    cumulative: int
    target: int | None
    over_target: bool

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in SURVEYOR_KINDS if (self.over_target if k == "over_target" else getattr(self, k)))

    @property
    def flagged(self) -> int:
        """Interviews the flags point at: the whole day over target, else the marked ones."""
        return self.interviews if self.over_target else self.marked

    @property
    def unit_ids(self) -> tuple[int, ...]:
        return tuple(u for u, _n, _m in self.per_unit)

    def flagged_by_unit(self) -> dict[int, int]:
        return {u: (n if self.over_target else m) for u, n, m in self.per_unit}


@dataclass(frozen=True)
class FlagCounts:
    """Per unit: responses the flags point at (``flagged``) and responses
    excluded from the statistics (``excluded``, flagged or not)."""

    flagged: int = 0
    excluded: int = 0


def _bit(bit: int):
    return func.sum(case((Response.quality_flags.op("&")(bit) != 0, 1), else_=0))


def _duplicates(channel_clause, group: Sequence):
    """(group..., payload_hash) seen more than once: identical answers."""
    return (
        select(*group, Response.payload_hash)
        .where(channel_clause)
        .group_by(*group, Response.payload_hash)
        .having(func.count() > 1)
        .subquery()
    )


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
    if unit_ids is not None:
        base.append(Response.unit_id.in_(list(unit_ids)))
    if versions is not None:
        base.append(Response.instrument_version_id.in_(list(versions)))
    period = and_(*base, Response.service_day.between(date_from, date_to))
    dup = _duplicates(period, [Response.service_point_id, Response.service_day])
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


def _duration_seconds(session: Session):
    """Seconds from started_at to submitted_at, in the database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Response.submitted_at - Response.started_at)
    return (func.julianday(Response.submitted_at) - func.julianday(Response.started_at)) * 86400


def surveyor_days(
    session: Session,
    unit_ids: Sequence[int] | None,
    date_from: date,
    date_to: date,
    versions: Sequence[int] | None = None,
) -> list[SurveyorDay]:
    """Every surveyor-day of tablet interviews about ``unit_ids`` (None: all)
    from ``date_from`` to ``date_to``, flagged or not; with ``versions``, only
    the interviews answering those instrument versions."""
    base = [Response.channel == "tablet", Response.surveyor_id.is_not(None)]
    if unit_ids is not None:
        base.append(Response.unit_id.in_(list(unit_ids)))
    if versions is not None:
        base.append(Response.instrument_version_id.in_(list(versions)))
    period = and_(*base, Response.service_day.between(date_from, date_to))
    dup = _duplicates(period, [Response.surveyor_id, Response.service_day])
    is_dup = dup.c.payload_hash.is_not(None)
    duration = _duration_seconds(session)
    zero = Response.started_at.is_(None) | Response.submitted_at.is_(None) | (duration < ZERO_DURATION_SECONDS)
    rows = session.execute(
        select(
            Response.surveyor_id,
            Response.service_day,
            Response.unit_id,
            func.count(),
            func.sum(case((Response.status == "excluded", 1), else_=0)),
            func.sum(case((zero, 1), else_=0)),
            func.sum(case((is_dup, 1), else_=0)),
            func.sum(case((zero | is_dup | (Response.quality_flags != 0), 1), else_=0)),
        )
        .outerjoin(
            dup,
            and_(
                dup.c.surveyor_id == Response.surveyor_id,
                dup.c.service_day == Response.service_day,
                dup.c.payload_hash == Response.payload_hash,
            ),
        )
        .where(period)
        .group_by(Response.surveyor_id, Response.service_day, Response.unit_id)
    ).all()
    if not rows:
        return []
    surveyors = sorted({r[0] for r in rows})
    assignments = session.execute(
        select(SurveyorAssignment.surveyor_id, SurveyorAssignment.starts_on, SurveyorAssignment.ends_on,
               SurveyorAssignment.target_count)
        .where(SurveyorAssignment.surveyor_id.in_(surveyors))
    ).all()  # fmt: skip
    first_start = {
        s: min((a.starts_on for a in assignments if a.surveyor_id == s), default=date_from) for s in surveyors
    }
    earliest = min(min(first_start.values()), date_from)
    before = dict(
        session.execute(
            select(Response.surveyor_id, func.count())
            .where(
                Response.channel == "tablet",
                Response.surveyor_id.in_(surveyors),
                Response.service_day >= earliest,
                Response.service_day < date_from,
            )
            .group_by(Response.surveyor_id)
        ).all()
    )
    merged: dict[tuple[int, date], list] = {}
    for surveyor, day, unit, n, excluded, zero_n, dups, marked in rows:
        entry = merged.setdefault((surveyor, day), [[], 0, 0, 0, 0, 0])
        entry[0].append((unit, n, marked or 0))
        for i, value in enumerate((n, excluded, zero_n, dups, marked), start=1):
            entry[i] += value or 0
    out = []
    running: dict[int, int] = {s: before.get(s, 0) for s in surveyors}
    for (surveyor, day), (units, n, excluded, zero_n, dups, marked) in sorted(merged.items(), key=lambda kv: kv[0][1]):
        running[surveyor] += n
        targets = [
            a.target_count
            for a in assignments
            if a.surveyor_id == surveyor and a.starts_on <= day and (a.ends_on is None or day <= a.ends_on)
        ]
        target = sum(targets) if targets else None
        over = target is not None and running[surveyor] > target
        out.append(
            SurveyorDay(surveyor, day, tuple(sorted(units)), n, excluded, zero_n, dups, marked, running[surveyor],
                        target, over)
        )  # fmt: skip
    return sorted(out, key=lambda d: (d.service_day, d.surveyor_id))


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
    if not unit_ids:
        return {}
    for day in counter_days(session, unit_ids, date_from, date_to, versions):
        flagged[day.unit_id] += day.flagged
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


# ------------------------------------------------------------- the review screen


@dataclass(frozen=True)
class FlaggedCounterDay:
    """A flagged counter-day as the review screen lists it."""

    day: CounterDay
    unit_code: str
    unit_name: str
    point_code: str
    point_name: str


@dataclass(frozen=True)
class FlaggedSurveyorDay:
    day: SurveyorDay
    username: str


@dataclass(frozen=True)
class AnomalyReview:
    counters: list[FlaggedCounterDay]
    surveyors: list[FlaggedSurveyorDay]


def anomaly_review(session: Session, date_from: date, date_to: date) -> AnomalyReview:
    """The flagged counter-days and surveyor-days of every unit, newest first."""
    from app.models import ServicePoint, Unit, User

    counters = [d for d in counter_days(session, None, date_from, date_to) if d.kinds]
    names = {
        pid: (uc, un, pc, pn)
        for pid, uc, un, pc, pn in session.execute(
            select(ServicePoint.id, Unit.code, Unit.name, ServicePoint.code, ServicePoint.name)
            .join(Unit, Unit.id == ServicePoint.unit_id)
            .where(ServicePoint.id.in_({d.service_point_id for d in counters}))
        )
    }
    surveyors = [d for d in surveyor_days(session, None, date_from, date_to) if d.kinds]
    usernames = dict(
        session.execute(select(User.id, User.username).where(User.id.in_({d.surveyor_id for d in surveyors}))).all()
    )
    return AnomalyReview(
        sorted(
            (FlaggedCounterDay(d, *names[d.service_point_id]) for d in counters),
            key=lambda f: (f.day.service_day, f.day.flagged),
            reverse=True,
        ),
        sorted(
            (FlaggedSurveyorDay(d, usernames.get(d.surveyor_id, "?")) for d in surveyors),
            key=lambda f: f.day.service_day,
            reverse=True,
        ),
    )
