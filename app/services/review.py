"""Response review: find a response, read it, exclude it from the statistics
with a reason, or restore it.

An excluded response is kept, never deleted: its status becomes
``excluded`` with the reason (the database requires one), every report
leaves it out (the aggregation counts ``status = 'submitted'`` only), and
the audit log records who excluded or restored it, when and why.

Only administrators review responses. Analysts produce the figures; letting
the person who reports a rate also remove the responses behind it is the
window-dressing ("thành tích") the province asked this system to prevent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit, User
from app.models.responses import STATUSES
from app.refusals import Refused
from app.services.audit import audit_record
from app.services.units import subtree_clause
from surveys import Instrument, QuestionKind, Text, multi_codes

PER_PAGE = 50
REASON_MAX = 500


@dataclass(frozen=True)
class ReviewFilter:
    """Which responses the list shows: a unit (with the units below it),
    service days (inclusive), a status (None for both)."""

    unit_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    page: int = 1


@dataclass(frozen=True)
class ResponseRow:
    id: int
    received_at: datetime
    service_day: date
    unit_code: str
    unit_name: str
    point_code: str | None
    channel: str
    instrument: str
    status: str
    excluded_reason: str | None


@dataclass(frozen=True)
class ResponsePage:
    rows: list[ResponseRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class AnswerLine:
    """One answer as a person reads it: the question and the chosen label,
    the chosen labels of a multi-select question (a tuple), or the number,
    or the free text, which templates escape."""

    code: str
    question: Text | None
    value: Text | str | tuple[Text, ...]


@dataclass(frozen=True)
class ResponseDetail:
    row: ResponseRow
    point_name: str | None
    answers: list[AnswerLine]


def _rows_query():
    return (
        select(
            Response.id,
            Response.received_at,
            Response.service_day,
            Unit.code,
            Unit.name,
            ServicePoint.code,
            Response.channel,
            InstrumentVersion.code,
            InstrumentVersion.version,
            Response.status,
            Response.excluded_reason,
        )
        .join(Unit, Unit.id == Response.unit_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
    )


def _row(r) -> ResponseRow:
    rid, received, day, unit_code, unit_name, point, channel, code, version, status, reason = r
    return ResponseRow(rid, received, day, unit_code, unit_name, point, channel, f"{code}.v{version}", status, reason)


def _conditions(session: Session, flt: ReviewFilter) -> list:
    conds = []
    if flt.unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == flt.unit_code))
        if unit is None:
            raise Refused("adm.review.unknown_unit", code=flt.unit_code)
        conds.append(Response.unit_id.in_(select(Unit.id).where(subtree_clause(unit)).scalar_subquery()))
    if flt.date_from is not None:
        conds.append(Response.service_day >= flt.date_from)
    if flt.date_to is not None:
        conds.append(Response.service_day <= flt.date_to)
    if flt.status is not None:
        if flt.status not in STATUSES:
            raise Refused("adm.review.unknown_status")
        conds.append(Response.status == flt.status)
    return conds


def response_list(session: Session, flt: ReviewFilter, per_page: int = PER_PAGE) -> ResponsePage:
    """One page of the responses of ``flt``, newest first."""
    conds = _conditions(session, flt)
    total = session.scalar(select(func.count()).select_from(Response).where(*conds))
    pages = max(1, -(-total // per_page))
    page = min(max(1, flt.page), pages)
    rows = session.execute(
        _rows_query()
        .where(*conds)
        .order_by(Response.received_at.desc(), Response.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ResponsePage([_row(r) for r in rows], total, page, pages)


def _value(question, value_int: int | None, value_text: str | None) -> Text | str | tuple[Text, ...]:
    """The answer as a person reads it: the chosen label, the labels of a
    multi-select answer (stored as a bit mask), the number or the text."""
    if value_text is not None:
        return value_text
    if question is None or question.scale is None or value_int is None:
        return str(value_int)
    if question.kind is QuestionKind.MULTI and value_int > 0:
        return tuple(question.scale.label(code) or Text(str(code), str(code)) for code in multi_codes(value_int))
    if question.kind is QuestionKind.SINGLE:
        label = question.scale.label(value_int)
        if label is not None:
            return label
    return str(value_int)


def response_detail(session: Session, registry: dict[str, Instrument], response_id: int) -> ResponseDetail:
    """A response with its answers in the order of its instrument's questions."""
    row = session.execute(_rows_query().where(Response.id == response_id)).first()
    if row is None:
        raise Refused("adm.not_found", status=404)
    meta = _row(row)
    point_name = session.scalar(
        select(ServicePoint.name)
        .join(Response, Response.service_point_id == ServicePoint.id)
        .where(Response.id == response_id)
    )
    instrument = registry.get(meta.instrument)
    questions = {q.code: q for q in instrument.questions} if instrument else {}
    order = {code: i for i, code in enumerate(questions)}
    answers = session.execute(
        select(Answer.question_code, Answer.value_int, Answer.value_text).where(Answer.response_id == response_id)
    ).all()
    lines = [
        AnswerLine(code, questions[code].text if code in questions else None, _value(questions.get(code), vi, vt))
        for code, vi, vt in sorted(answers, key=lambda a: (order.get(a[0], len(order)), a[0]))
    ]
    return ResponseDetail(meta, point_name, lines)


def _reason(raw: str | None) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise Refused("adm.review.reason_required")
    if len(reason) > REASON_MAX:
        raise Refused("adm.review.reason_too_long", max=REASON_MAX)
    return reason


def response_exclude(session: Session, actor: User, response_id: int, reason: str | None) -> None:
    """Leave a response out of every statistic, keeping it and the reason.

    A conditional UPDATE, so two administrators acting at once cannot both
    succeed or overwrite each other's reason.
    """
    reason = _reason(reason)
    changed = session.execute(
        update(Response)
        .where(Response.id == response_id, Response.status == "submitted")
        .values(status="excluded", excluded_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        exists = session.get(Response, response_id) is not None
        raise Refused("adm.review.already_excluded" if exists else "adm.not_found", status=409 if exists else 404)
    audit_record(
        session,
        actor,
        "response.exclude",
        f"response:{response_id}",
        {"before": {"status": "submitted"}, "after": {"status": "excluded", "reason": reason}},
    )


def counter_day_exclude(
    session: Session, actor: User, service_point_id: int, day: date, reason: str | None, *, marked_only: bool
) -> int:
    """Exclude a counter-day's submitted responses (QR and kiosk channels)
    with one reason: only those with a mark of their own (a
    ``quality_flags`` bit) or, for a burst, all of them. Each is excluded and
    audited as :func:`response_exclude` does one; returns how many."""
    from app.services.anomalies import COUNTER_CHANNELS

    reason = _reason(reason)
    conds = [
        Response.service_point_id == service_point_id,
        Response.service_day == day,
        Response.channel.in_(COUNTER_CHANNELS),
        Response.status == "submitted",
    ]
    if marked_only:
        conds.append(Response.quality_flags != 0)
    ids = session.scalars(select(Response.id).where(*conds).order_by(Response.id)).all()
    if not ids:
        raise Refused("adm.anomalies.nothing_to_exclude", status=409)
    for response_id in ids:
        response_exclude(session, actor, response_id, reason)
    return len(ids)


def response_restore(session: Session, actor: User, response_id: int) -> None:
    """Count an excluded response again."""
    before = session.execute(
        select(Response.status, Response.excluded_reason).where(Response.id == response_id)
    ).first()
    if before is None:
        raise Refused("adm.not_found", status=404)
    changed = session.execute(
        update(Response)
        .where(Response.id == response_id, Response.status == "excluded")
        .values(status="submitted", excluded_reason=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Refused("adm.review.not_excluded", status=409)
    audit_record(
        session,
        actor,
        "response.restore",
        f"response:{response_id}",
        {"before": {"status": "excluded", "reason": before.excluded_reason}, "after": {"status": "submitted"}},
    )
