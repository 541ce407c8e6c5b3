"""The administrator's side of surveyors' assignments: list, add, end.

Every change is written to the audit log (``admin.assignment.*``). The rules
of a valid assignment are :func:`app.services.assignments.assignment_create`'s;
this module finds the rows the form names and says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ServicePoint, SurveyorAssignment, Unit, User
from app.refusals import Refused
from app.services.assignments import _done_counts, assignment_create
from app.services.audit import audit_record
from surveys import Instrument

__all__ = ["AssignmentRow", "assignment_add", "assignment_end", "assignment_list", "tablet_instruments"]


@dataclass(frozen=True)
class AssignmentRow:
    """One assignment as the administration lists it."""

    id: int
    surveyor_username: str
    surveyor_name: str | None
    unit_code: str
    unit_name: str
    point_code: str | None
    instrument_code: str
    target: int
    done: int
    starts_on: date
    ends_on: date | None
    #: "coming", "running" or "ended" on the day listed
    state: str


def _state(starts_on: date, ends_on: date | None, today: date) -> str:
    if starts_on > today:
        return "coming"
    if ends_on is not None and ends_on < today:
        return "ended"
    return "running"


def assignment_list(session: Session, today: date) -> list[AssignmentRow]:
    """Every assignment with its progress: running and coming first, then ended (newest first)."""
    a = SurveyorAssignment
    done = _done_counts()
    rows = session.execute(
        select(
            a, User.username, User.display_name, Unit.code, Unit.name, ServicePoint.code, func.coalesce(done.c.done, 0)
        )
        .join(User, User.id == a.surveyor_id)
        .join(Unit, Unit.id == a.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == a.service_point_id)
        .outerjoin(done, done.c.assignment_id == a.id)
        .order_by(a.starts_on.desc(), a.id.desc())
    )
    out = [
        AssignmentRow(
            id=assignment.id,
            surveyor_username=username,
            surveyor_name=name,
            unit_code=unit_code,
            unit_name=unit_name,
            point_code=point_code,
            instrument_code=assignment.instrument_code,
            target=assignment.target_count,
            done=int(count),
            starts_on=assignment.starts_on,
            ends_on=assignment.ends_on,
            state=_state(assignment.starts_on, assignment.ends_on, today),
        )
        for assignment, username, name, unit_code, unit_name, point_code, count in rows
    ]
    out.sort(key=lambda row: row.state == "ended")  # stable: current ones first
    return out


def tablet_instruments(registry: dict[str, Instrument]) -> list[str]:
    """Codes of the instruments a tablet interview may use."""
    return sorted({i.code for i in registry.values() if "tablet" in i.channels})


def assignment_add(
    session: Session,
    actor: User,
    registry: dict[str, Instrument],
    *,
    surveyor_id: int | None,
    unit_id: int | None,
    point_code: str | None,
    instrument_code: str,
    target: int | None,
    starts_on: date | None,
    ends_on: date | None,
) -> SurveyorAssignment:
    """Assign a surveyor (audited). ``None`` stands for a value missing or
    unreadable in the form.

    Raises
    ------
    Refused
        Whatever :func:`assignment_create` refuses, and a surveyor, unit,
        target or first day missing, or a counter not found in the unit.
    """
    surveyor = session.get(User, surveyor_id) if surveyor_id else None
    if surveyor is None:
        raise Refused("assign.surveyor_required")
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise Refused("assign.unit_required")
    if target is None:
        raise Refused("assign.target_positive")
    if starts_on is None:
        raise Refused("assign.start_required")
    point = None
    if point_code:
        point = session.scalar(
            select(ServicePoint).where(ServicePoint.unit_id == unit.id, ServicePoint.code == point_code)
        )
        if point is None:
            raise Refused("assign.point_not_in_unit", point=point_code[:40], unit=unit.code)
    made = assignment_create(
        session,
        registry,
        surveyor=surveyor,
        unit=unit,
        instrument_code=instrument_code,
        target=target,
        starts_on=starts_on,
        ends_on=ends_on,
        service_point=point,
    )
    detail = {
        "id": made.id,
        "unit": unit.code,
        "point": point.code if point else None,
        "instrument": instrument_code,
        "target": target,
        "from": starts_on.isoformat(),
        "to": ends_on.isoformat() if ends_on else None,
    }
    audit_record(session, actor, "admin.assignment.create", surveyor.username, detail)
    return made


def assignment_end(session: Session, actor: User, assignment_id: int, today: date) -> str:
    """End an assignment today (audited); one that has not started is
    cancelled (removed). Returns ``"ended"`` or ``"cancelled"``.

    Raises
    ------
    Refused
        404 for no such assignment; 409 if it has already ended.
    """
    assignment = session.get(SurveyorAssignment, assignment_id)
    if assignment is None:
        raise Refused("assign.not_found", 404)
    state = _state(assignment.starts_on, assignment.ends_on, today)
    if state == "ended" or assignment.ends_on == today:
        raise Refused("assign.already_ended", 409)
    surveyor = session.get(User, assignment.surveyor_id)
    detail = {"id": assignment.id, "from": assignment.starts_on.isoformat()}
    username = surveyor.username if surveyor else None
    if state == "coming":
        session.delete(assignment)
        session.flush()
        audit_record(session, actor, "admin.assignment.cancel", username, detail)
        return "cancelled"
    previous = assignment.ends_on
    assignment.ends_on = today
    session.flush()
    detail |= {"to": today.isoformat(), "was": previous.isoformat() if previous else None}
    audit_record(session, actor, "admin.assignment.end", username, detail)
    return "ended"
