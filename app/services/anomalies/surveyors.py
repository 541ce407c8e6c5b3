"""Surveyor-days: one surveyor's tablet interviews of one day, against
their targets and the time an interview takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Response
from app.models.surveyors import SurveyorAssignment
from app.services.anomalies.period import identical_answers, period_where

#: an interview shorter than this many seconds has "zero duration"
ZERO_DURATION_SECONDS = 60

SURVEYOR_KINDS = ("over_target", "zero_duration", "duplicates")


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
    period = period_where(base, unit_ids, versions, date_from, date_to)
    dup = identical_answers(period, [Response.surveyor_id, Response.service_day])
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
