"""One commune counter's staff stuffing its ballot box on the last working
day, so that a newcomer finds a flag on the anomaly review screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from app.models import ServicePoint
from app.models.responses import FLAG_FAST_FILL, FLAG_STRAIGHT_LINE
from app.services.anomalies import BASELINE_DAYS, straight_lined
from app.services.demo.citizens import Respondent, Synthetic, citizen_answers, working_days
from app.services.instruments import ActiveInstrument
from app.time import VIETNAM

#: How many of seed-demo's responses are one counter's staff stuffing its ballot box.
STUFFED = 24


#: Working days before the stuffing on which the stuffed counter has one ordinary response each.
REGULAR_DAYS = 8


def stuffed_counter(
    rows: list[Synthetic], candidates: list[ServicePoint], day: date, active: ActiveInstrument
) -> ServicePoint:
    """The candidate with the most ordinary QR responses to the active
    version, given a normal volume before ``day``: :data:`REGULAR_DAYS` of
    its own responses are moved, one a day, to the working days before it.
    Without them the burst rule (against the counter's own median day over
    :data:`BASELINE_DAYS`) would see the stuffing only on the dates when the
    random days happen to fall near it."""
    own = {id(p): [r for r in rows if r.point is p and r.channel == "qr" and r.version is active] for p in candidates}
    point = max(candidates, key=lambda p: len(own[id(p)]))
    regular = working_days(day - timedelta(days=1), BASELINE_DAYS)[:REGULAR_DAYS]
    for row, new_day in zip(own[id(point)], regular, strict=False):
        moment = row.submitted.astimezone(VIETNAM)
        row.submitted = datetime.combine(new_day, moment.time(), tzinfo=VIETNAM).astimezone(UTC)
    return point


def stuffed_responses(
    rng: np.random.Generator, active: ActiveInstrument, point: ServicePoint, n: int, day: date
) -> list[Synthetic]:
    """``n`` identical, all-top forms sent seconds apart late on ``day`` at
    ``point``, each filled in a few seconds: the burst, duplicates,
    straight-lining and fast fills of app/services/anomalies/."""
    instrument = active.instrument
    delighted = Respondent(mood=12.0, harassed=0.0, paid=0.0, procedure=1)
    answers = citizen_answers(rng, instrument, "qr", delighted, {})
    answers = {code: value for code, value in answers.items() if code != "comment"}
    start = datetime.combine(day, time(16, 30), tzinfo=VIETNAM).astimezone(UTC)
    # the flags the form would have set: too fast to read, and every rating at the top
    flags = FLAG_FAST_FILL | (FLAG_STRAIGHT_LINE if straight_lined(instrument, answers) else 0)
    return [
        Synthetic(point, start + timedelta(seconds=20 * k), "qr", active, dict(answers), 6, flags) for k in range(n)
    ]
