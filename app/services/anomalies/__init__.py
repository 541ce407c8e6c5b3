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

from app.services.anomalies.at_submit import FILL_SECONDS_MAX, STRAIGHT_MIN, OpeningHours, straight_lined, submit_flags
from app.services.anomalies.counters import (
    BASELINE_DAYS,
    BURST_FACTOR,
    BURST_MIN,
    COUNTER_CHANNELS,
    COUNTER_KINDS,
    FAST_SHARE,
    CounterDay,
    counter_days,
)
from app.services.anomalies.per_unit import FlagCounts, flags_by_unit
from app.services.anomalies.review import AnomalyReview, FlaggedCounterDay, FlaggedSurveyorDay, anomaly_review
from app.services.anomalies.surveyors import SURVEYOR_KINDS, ZERO_DURATION_SECONDS, SurveyorDay, surveyor_days

__all__ = [
    "BASELINE_DAYS",
    "BURST_FACTOR",
    "BURST_MIN",
    "COUNTER_CHANNELS",
    "COUNTER_KINDS",
    "FAST_SHARE",
    "FILL_SECONDS_MAX",
    "STRAIGHT_MIN",
    "SURVEYOR_KINDS",
    "ZERO_DURATION_SECONDS",
    "AnomalyReview",
    "CounterDay",
    "FlagCounts",
    "FlaggedCounterDay",
    "FlaggedSurveyorDay",
    "OpeningHours",
    "SurveyorDay",
    "anomaly_review",
    "counter_days",
    "flags_by_unit",
    "straight_lined",
    "submit_flags",
    "surveyor_days",
]
