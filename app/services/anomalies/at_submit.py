"""Flags kept as a response is stored: what only that moment knows.

Bits of ``responses.quality_flags`` (too fast to have been read, a POST
naming no origin, outside opening hours, every rating at the top, no device
tag) and the fill time in whole seconds (``responses.fill_seconds``), which
outlives the coarsened times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

from app.models.responses import (
    FLAG_FAST_FILL,
    FLAG_NO_ORIGIN,
    FLAG_OFF_HOURS,
    FLAG_STRAIGHT_LINE,
    FLAG_UNTAGGED,
)
from app.time import VIETNAM
from surveys import Instrument, Role, Value

#: fill times are kept up to an hour (a form left open longer says nothing more)
FILL_SECONDS_MAX = 3600
#: straight-lining needs at least this many rated criteria
STRAIGHT_MIN = 5


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
