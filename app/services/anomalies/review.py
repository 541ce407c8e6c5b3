"""The anomaly review screen: flagged counter-days and surveyor-days with
the names an administrator reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.anomalies.counters import CounterDay, counter_days
from app.services.anomalies.surveyors import SurveyorDay, surveyor_days


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
