"""Storing the synthetic responses in bulk, as the forms and the paper
import would have stored them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import Answer, Response
from app.services.demo.citizens import Synthetic
from app.services.submissions import answer_rows, payload_digest
from app.time import VIETNAM, service_day_of
from surveys import Instrument, answers_pack, answers_validate, packed_layout


def _form_time(instrument: Instrument) -> timedelta:
    """How long the demo's citizens take: what the intro states."""
    return timedelta(minutes=instrument.duration.minutes) if instrument.duration else timedelta(seconds=75)


def _noon(moment: datetime) -> datetime:
    return datetime.combine(service_day_of(moment), time(12), tzinfo=VIETNAM).astimezone(UTC)


def responses_store(session: Session, rows: list[Synthetic]) -> None:
    batch = 1000
    layouts = {}
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        values = []
        for row in chunk:
            instrument = row.version.instrument
            checked = answers_validate(instrument, row.answers, channel=row.channel)
            if not checked.ok:  # the generator and the instrument disagree: a bug here
                raise AssertionError(f"demo response invalid: {checked.errors}")
            row.answers = checked.answers
            layout = layouts.setdefault(instrument.key, packed_layout(instrument))
            paper = row.channel == "paper"
            fill = _form_time(instrument) if row.fill is None else timedelta(seconds=row.fill)
            values.append(
                {
                    "client_uuid": uuid.uuid4(),
                    "payload_hash": payload_digest(
                        instrument.key, row.point.unit_id, row.point.id, row.channel, row.answers, row.rating
                    ),
                    "instrument_version_id": row.version.version_id,
                    "unit_id": row.point.unit_id,
                    "service_point_id": row.point.id,
                    "channel": row.channel,
                    "status": "submitted",
                    # a paper form has no clock: typed in later, dated its day at noon (as imports do)
                    "started_at": None if paper else row.submitted - fill,
                    "submitted_at": _noon(row.submitted) if paper else row.submitted,
                    "received_at": row.submitted,
                    "service_day": service_day_of(row.submitted),
                    "codes": answers_pack(layout, row.answers),
                    "quality_flags": row.flags,
                    "fill_seconds": None if paper else int(fill.total_seconds()),
                    "dossier_rating": row.rating,
                }
            )
        ids = session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), values).all()
        session.execute(
            insert(Answer.__table__),  # the table, not the class: no ORM bookkeeping for 200,000 rows
            [answer for rid, row in zip(ids, chunk, strict=True) for answer in answer_rows(rid, row.answers)],
        )
    session.flush()
