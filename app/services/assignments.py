"""Surveyors' assignments and their progress against the targets.

Progress is counted in SQL: the tablet interviews a surveyor sent for the
assignment's unit (and counter, if it names one) with its instrument, on
the days the assignment runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session

from app.models import InstrumentVersion, Response, ServicePoint, SurveyorAssignment, Unit, User
from app.refusals import Refused
from app.services.scope import unit_visible
from surveys import Instrument, Text

#: assignments that ended longer ago than this drop off the surveyor's list
SHOWN_AFTER_END = timedelta(days=30)
#: a day far in the future, for open-ended assignments in date comparisons
FOREVER = date(9999, 12, 31)


@dataclass(frozen=True)
class AssignmentInfo:
    """An assignment as the surveyor's screens and the API show it.

    Attributes
    ----------
    done : int
        Interviews received by the server for this assignment.
    instrument_version : int or None
        The active version of the instrument: new interviews use it.
    active : bool
        Whether ``today`` falls within the assignment's dates.
    """

    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    service_point_id: int | None
    service_point_name: str | None
    instrument_code: str
    instrument_title: Text | None
    instrument_version: int | None
    target: int
    done: int
    starts_on: date
    ends_on: date | None
    active: bool

    @property
    def share(self) -> float:
        """Progress as a fraction of the target, at most 1."""
        return min(1.0, self.done / self.target) if self.target else 0.0


def _done_counts():
    """Interviews per assignment, as a subquery (assignment_id, done)."""
    a = SurveyorAssignment
    r = Response
    return (
        select(a.id.label("assignment_id"), func.count(r.id).label("done"))
        .select_from(a)
        .join(
            r,
            and_(
                r.surveyor_id == a.surveyor_id,
                r.unit_id == a.unit_id,
                r.channel == "tablet",
                r.status == "submitted",
                r.service_day >= a.starts_on,
                r.service_day <= func.coalesce(a.ends_on, literal(FOREVER)),
                or_(a.service_point_id.is_(None), r.service_point_id == a.service_point_id),
            ),
        )
        .join(
            InstrumentVersion,
            and_(InstrumentVersion.id == r.instrument_version_id, InstrumentVersion.code == a.instrument_code),
        )
        .group_by(a.id)
        .subquery()
    )


def _active_versions(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(InstrumentVersion.code, func.max(InstrumentVersion.version))
        .where(InstrumentVersion.active.is_(True))
        .group_by(InstrumentVersion.code)
    )
    return {code: version for code, version in rows}


def assignments_of(
    session: Session,
    registry: dict[str, Instrument],
    surveyor_id: int,
    today: date,
    *,
    assignment_id: int | None = None,
) -> list[AssignmentInfo]:
    """The surveyor's current and coming assignments (and those ended in the
    last 30 days), with progress; active ones first.

    With ``assignment_id``, only that one if it is the surveyor's, whatever
    its dates.
    """
    a = SurveyorAssignment
    done = _done_counts()
    query = (
        select(
            a,
            Unit.code,
            Unit.name,
            ServicePoint.name,
            func.coalesce(done.c.done, 0),
        )
        .join(Unit, Unit.id == a.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == a.service_point_id)
        .outerjoin(done, done.c.assignment_id == a.id)
        .where(a.surveyor_id == surveyor_id)
    )
    if assignment_id is not None:
        query = query.where(a.id == assignment_id)
    else:
        query = query.where(or_(a.ends_on.is_(None), a.ends_on >= today - SHOWN_AFTER_END))
    versions = _active_versions(session)
    out = []
    for assignment, unit_code, unit_name, point_name, count in session.execute(query.order_by(a.starts_on, a.id)):
        version = versions.get(assignment.instrument_code)
        instrument = registry.get(f"{assignment.instrument_code}.v{version}") if version else None
        out.append(
            AssignmentInfo(
                id=assignment.id,
                unit_id=assignment.unit_id,
                unit_code=unit_code,
                unit_name=unit_name,
                service_point_id=assignment.service_point_id,
                service_point_name=point_name,
                instrument_code=assignment.instrument_code,
                instrument_title=instrument.title if instrument else None,
                instrument_version=version,
                target=assignment.target_count,
                done=int(count),
                starts_on=assignment.starts_on,
                ends_on=assignment.ends_on,
                active=assignment.starts_on <= today <= (assignment.ends_on or FOREVER),
            )
        )
    out.sort(key=lambda info: not info.active)  # stable: active first, then by start
    return out


def assignment_of(
    session: Session, registry: dict[str, Instrument], surveyor_id: int, assignment_id: int, today: date
) -> AssignmentInfo | None:
    """One assignment of the surveyor, or None if there is no such one."""
    found = assignments_of(session, registry, surveyor_id, today, assignment_id=assignment_id)
    return found[0] if found else None


def assignment_create(
    session: Session,
    registry: dict[str, Instrument],
    *,
    surveyor: User,
    unit: Unit,
    instrument_code: str,
    target: int,
    starts_on: date,
    ends_on: date | None = None,
    service_point: ServicePoint | None = None,
) -> SurveyorAssignment:
    """Assign ``surveyor`` to run ``target`` interviews in ``unit``.

    Raises
    ------
    Refused
        The account is not an active surveyor, the unit is outside the
        surveyor's unit subtree, the counter is not in the unit, the
        instrument is unknown or not for tablets, the target is not
        positive or the dates are reversed.
    """
    if surveyor.role != "surveyor" or not surveyor.active:
        raise Refused("assign.not_surveyor", username=surveyor.username)
    if not unit_visible(session, surveyor, unit.id):
        raise Refused("assign.unit_out_of_scope", unit=unit.code)
    if service_point is not None and service_point.unit_id != unit.id:
        raise Refused("assign.point_not_in_unit", point=service_point.code, unit=unit.code)
    if not any(i.code == instrument_code and "tablet" in i.channels for i in registry.values()):
        raise Refused("assign.instrument_unknown", code=instrument_code)
    if target < 1:
        raise Refused("assign.target_positive")
    if ends_on is not None and ends_on < starts_on:
        raise Refused("assign.dates_reversed")
    assignment = SurveyorAssignment(
        surveyor_id=surveyor.id,
        unit_id=unit.id,
        service_point_id=service_point.id if service_point else None,
        instrument_code=instrument_code,
        target_count=target,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(assignment)
    session.flush()
    return assignment
