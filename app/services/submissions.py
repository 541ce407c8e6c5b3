"""Store a response exactly once, whatever channel it came through.

Uniqueness is enforced by the database (``responses.client_uuid`` is
unique) with ``INSERT ... ON CONFLICT DO NOTHING``, not by looking first and
inserting second: two requests racing with the same UUID cannot both win.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from sqlalchemy import Integer, String, Text, bindparam, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Answer, Response
from app.services.instruments import ActiveInstrument
from surveys import Value, answers_pack, packed_layout

#: Vietnam has kept UTC+7 without daylight saving since 1975.
VIETNAM = timezone(timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to a submission.

    Attributes
    ----------
    status : {"created", "duplicate", "conflict"}
        ``duplicate``: the same UUID with the same payload was stored
        before, nothing new was stored. ``conflict``: the UUID was stored
        before with a different payload; the new one was refused.
    response_id : int
    """

    status: Literal["created", "duplicate", "conflict"]
    response_id: int


def payload_digest(
    instrument_key: str, unit_id: int, service_point_id: int | None, channel: str, answers: dict[str, Value]
) -> str:
    """sha256 of the canonical form of what a response says."""
    canonical = json.dumps(
        {"i": instrument_key, "u": unit_id, "p": service_point_id, "c": channel, "a": answers},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def service_day_of(moment: datetime) -> date:
    """The local Vietnamese date of a moment (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).date()


def _response_and_answers_insert():
    """PostgreSQL: the response and its answers in one statement.

    The response's ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` is a
    data-modifying CTE; the answers come from it and three parallel arrays
    (``unnest``), so a replayed UUID stores no answers. One statement is one
    round trip and one plan, where one ``INSERT`` per answer would be twenty.
    """
    table = Response.__table__
    response = (
        postgresql.insert(table)
        .values({c.name: bindparam(c.name, type_=c.type) for c in table.c if c.name != "id"})
        .on_conflict_do_nothing(index_elements=["client_uuid"])
        .returning(table.c.id)
        .cte("response")
    )
    values = (
        func.unnest(
            bindparam("answer_codes", type_=postgresql.ARRAY(String)),
            bindparam("answer_ints", type_=postgresql.ARRAY(Integer)),
            bindparam("answer_texts", type_=postgresql.ARRAY(Text)),
        )
        .table_valued("code", "value_int", "value_text")
        .render_derived(name="given")
    )
    answers = (
        insert(Answer.__table__)
        .from_select(
            ["response_id", "question_code", "value_int", "value_text"],
            # every answer row goes with the one response row (none after a conflict)
            select(response.c.id, values.c.code, values.c.value_int, values.c.value_text).select_from(
                response.join(values, true())
            ),
        )
        .cte("answers")
    )
    return select(response.c.id).add_cte(answers)


_POSTGRESQL_INSERT = _response_and_answers_insert()


def response_submit(
    session: Session,
    *,
    client_uuid: uuid.UUID,
    instrument: ActiveInstrument,
    unit_id: int,
    service_point_id: int | None,
    channel: str,
    answers: dict[str, Value],
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    surveyor_id: int | None = None,
    device_id: str | None = None,
    device_tag: str | None = None,
) -> SubmitOutcome:
    """Store a validated response and its answers, once.

    The caller validated ``answers`` with :func:`surveys.answers_validate`
    and owns the transaction (it commits). ``surveyor_id`` and
    ``device_id`` are interview metadata (channel ``tablet`` only); like the
    times they are not part of the payload digest, which covers what the
    response says; so is ``device_tag`` (app/services/devices.py).
    """
    digest = payload_digest(instrument.instrument.key, unit_id, service_point_id, channel, answers)
    received = datetime.now(UTC)
    row = {
        "client_uuid": client_uuid,
        "payload_hash": digest,
        "instrument_version_id": instrument.version_id,
        "unit_id": unit_id,
        "service_point_id": service_point_id,
        "channel": channel,
        "status": "submitted",
        "excluded_reason": None,
        "started_at": started_at,
        "submitted_at": submitted_at,
        "surveyor_id": surveyor_id,
        "device_id": device_id,
        "device_tag": device_tag,
        "received_at": received,
        "service_day": service_day_of(submitted_at or received),
        "codes": answers_pack(packed_layout(instrument.instrument), answers),
    }
    # Table-level statements with the values as parameters, run on the
    # session's connection: the statement has the same shape every time (a
    # cache hit for SQLAlchemy's compiler) and skips the ORM's bookkeeping.
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        row["answer_codes"] = list(answers)
        row["answer_ints"] = [v if isinstance(v, int) else None for v in answers.values()]
        row["answer_texts"] = [v if isinstance(v, str) else None for v in answers.values()]
        response_id = connection.execute(_POSTGRESQL_INSERT, row).scalar()
    else:
        stmt = sqlite.insert(Response.__table__).on_conflict_do_nothing(index_elements=["client_uuid"])
        response_id = connection.execute(stmt.returning(Response.__table__.c.id), row).scalar()
    if response_id is None:
        existing = session.execute(
            select(Response.id, Response.payload_hash).where(Response.client_uuid == client_uuid)
        ).one()
        status = "duplicate" if existing.payload_hash == digest else "conflict"
        return SubmitOutcome(status, existing.id)
    if answers and not postgres:
        connection.execute(
            insert(Answer.__table__),
            [
                {
                    "response_id": response_id,
                    "question_code": code,
                    "value_int": value if isinstance(value, int) else None,
                    "value_text": value if isinstance(value, str) else None,
                }
                for code, value in answers.items()
            ],
        )
    return SubmitOutcome("created", response_id)
