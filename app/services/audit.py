"""The audit log: recording an event, and reading it back as a filtered,
paginated list or a CSV export.

The CSV is safe to open in a spreadsheet: text is quoted and a formula in
it (a username someone typed at the sign-in page, a unit name) is
neutralised with an apostrophe (:mod:`app.render.spreadsheet`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, User
from app.render.spreadsheet import CsvWriter
from app.time import VIETNAM

PER_PAGE = 50
CSV_COLUMNS = ("thoi_gian", "nguoi_thuc_hien", "hanh_dong", "doi_tuong", "chi_tiet")


def audit_record(
    session: Session,
    actor: User | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one row to the audit log (flushed, not committed)."""
    event = AuditEvent(
        at=datetime.now(UTC),
        actor_user_id=actor.id if actor is not None else None,
        actor_username=actor.username if actor is not None else None,
        action=action,
        target=target[:200] if target else target,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    """``action``: the action or its beginning (``admin.unit`` for every unit
    change); ``username``: who acted; dates are Vietnamese calendar days,
    inclusive."""

    action: str | None = None
    username: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    detail: dict[str, Any] | None

    @property
    def detail_text(self) -> str:
        """The detail as compact JSON, Vietnamese kept readable."""
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True) if self.detail else ""


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _local_midnight(day: date) -> datetime:
    """The start of a Vietnamese day, in UTC (SQLite compares the wall-clock
    text, and everything is stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=VIETNAM).astimezone(UTC)


def _conditions(flt: AuditFilter) -> list:
    conds = []
    if flt.action:
        conds.append(AuditEvent.action.startswith(flt.action.strip(), autoescape=True))
    if flt.username:
        conds.append(AuditEvent.actor_username == flt.username.strip().lower())
    if flt.date_from is not None:
        conds.append(AuditEvent.at >= _local_midnight(flt.date_from))
    if flt.date_to is not None:
        conds.append(AuditEvent.at < _local_midnight(flt.date_to + timedelta(days=1)))
    return conds


def _query(flt: AuditFilter):
    return (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.actor_username,
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.detail,
        )
        .where(*_conditions(flt))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def audit_page(session: Session, flt: AuditFilter, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the events of ``flt``, newest first."""
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*_conditions(flt)))
    pages = max(1, -(-total // per_page))
    page = min(max(1, flt.page), pages)
    rows = session.execute(_query(flt).limit(per_page).offset((page - 1) * per_page)).all()
    return AuditPage([AuditRow(*r) for r in rows], total, page, pages)


def audit_actions(session: Session) -> list[str]:
    """The actions that occur in the log, for the filter's suggestions."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _local_iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def audit_csv(session: Session, flt: AuditFilter, *, batch: int = 2000) -> Iterator[str]:
    """The events of ``flt`` as CSV text in chunks (UTF-8 with BOM, for Excel).

    The query is built now, before the first chunk: a filter that cannot be
    turned into one fails here, not half-way through a download.
    """
    return _csv_chunks(session, _query(flt), batch)


def _csv_chunks(session: Session, query, batch: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    result = session.execute(query.execution_options(yield_per=batch))
    for chunk in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        for _id, at, username, action, target, detail in chunk:
            writer.writerow(
                [
                    _local_iso(at),
                    username or "",
                    action,
                    target or "",
                    json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
                ]
            )
        yield buffer.getvalue()
