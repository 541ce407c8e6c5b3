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
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Integer, String, Text, bindparam, func, insert, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Answer, Response
from app.services.instruments import ActiveInstrument
from app.time import service_day_of
from surveys import Value, answers_pack, multi_mask, packed_layout


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to a submission.

    Attributes
    ----------
    status : {"created", "duplicate", "conflict", "device_limit"}
        ``duplicate``: the same UUID with the same payload was stored
        before, nothing new was stored. ``conflict``: the UUID was stored
        before with a different payload; the new one was refused.
        ``device_limit``: a new response whose device tag has reached the
        day's limit at its counter; nothing was stored.
    response_id : int or None
        None for ``device_limit``.
    """

    status: Literal["created", "duplicate", "conflict", "device_limit"]
    response_id: int | None


def payload_digest(
    instrument_key: str,
    unit_id: int,
    service_point_id: int | None,
    channel: str,
    answers: dict[str, Value],
    dossier_rating: int | None = None,
) -> str:
    """sha256 of the canonical form of what a response says."""
    said: dict[str, object] = {"i": instrument_key, "u": unit_id, "p": service_point_id, "c": channel, "a": answers}
    if dossier_rating is not None:  # only then: digests stored before it stay the same
        said["r"] = dossier_rating
    canonical = json.dumps(
        said,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def answer_columns(value: Value) -> tuple[int | None, str | None]:
    """``(value_int, value_text)`` of an ``answers`` row: a code or number,
    a text, or a multi-select answer as its bit mask (bit ``c`` for code
    ``c``, as packed: :func:`surveys.multi_mask`), so that every row holds
    exactly one value."""
    if isinstance(value, tuple):
        return multi_mask(value), None
    if isinstance(value, str):
        return None, value
    return value, None


def answer_rows(response_id: int, answers: dict[str, Value]) -> list[dict[str, object]]:
    """The ``answers`` rows of one response (:func:`answer_columns`)."""
    rows = []
    for code, value in answers.items():
        number, text = answer_columns(value)
        rows.append({"response_id": response_id, "question_code": code, "value_int": number, "value_text": text})
    return rows


def _response_insert(dialect):
    """``INSERT ... SELECT ... WHERE <room under the device limit> ON CONFLICT
    DO NOTHING RETURNING id`` for the dialect's ``insert``.

    The device check rides on the insert: a browser that has sent its day's
    share of forms at a counter (``device_limit`` rows with its tag) gets no
    row, in the same round trip. It is one statement that writes, so SQLite
    waits for its write lock instead of failing as a transaction that read
    first would. The limit is NULL when there is no tag or no limit.
    """
    table = Response.__table__
    params = {c.name: bindparam(c.name, type_=c.type) for c in table.c if c.name != "id"}
    limit = bindparam("device_limit", type_=Integer)
    same_device = (
        select(func.count())
        .where(
            table.c.service_point_id == params["service_point_id"],
            table.c.service_day == params["service_day"],
            table.c.device_tag == params["device_tag"],
            table.c.status == "submitted",
        )
        .scalar_subquery()
    )
    # SQLite needs a WHERE on an INSERT ... SELECT with an upsert clause.
    values = select(*params.values()).where(or_(limit.is_(None), same_device < limit))
    return (
        dialect.insert(table)
        .from_select(list(params), values)
        .on_conflict_do_nothing(index_elements=["client_uuid"])
        .returning(table.c.id)
    )


def _response_and_answers_insert():
    """PostgreSQL: the response and its answers in one statement.

    The response's insert (:func:`_response_insert`) is a data-modifying
    CTE; the answers come from it and three parallel arrays (``unnest``), so
    a replayed UUID or a refused device stores no answers. One statement is
    one round trip and one plan, where one ``INSERT`` per answer would be
    twenty.
    """
    response = _response_insert(postgresql).cte("response")
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
_SQLITE_INSERT = _response_insert(sqlite)


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
    device_limit: int | None = None,
    quality_flags: int = 0,
    fill_seconds: int | None = None,
    received_at: datetime | None = None,
    dossier_rating: int | None = None,
) -> SubmitOutcome:
    """Store a validated response and its answers, once.

    The caller validated ``answers`` with :func:`surveys.answers_validate`
    and owns the transaction (it commits). ``surveyor_id`` and
    ``device_id`` are interview metadata (channel ``tablet`` only); like the
    times they are not part of the payload digest, which covers what the
    response says; so is ``device_tag`` (app/services/devices.py).
    With a ``device_tag`` and a ``device_limit``, a new response is refused
    (``device_limit``) when that many submitted responses of the counter's
    service day carry the tag already; a resend of a stored one is not.
    ``quality_flags`` (bits of :mod:`app.models.responses`) mark what was
    noticed on the way in and ``fill_seconds`` the time the form took; like
    the times they are not part of the digest. ``received_at`` replaces the
    server's clock (the QR form stores the hour only, issue 15.5).
    ``dossier_rating`` is the per-dossier rating of a ``qr-verified``
    response (part of the digest: it is what the response says).
    """
    digest = payload_digest(instrument.instrument.key, unit_id, service_point_id, channel, answers, dossier_rating)
    received = received_at or datetime.now(UTC)
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
        "quality_flags": quality_flags,
        "fill_seconds": fill_seconds,
        "dossier_rating": dossier_rating,
        "device_limit": device_limit if device_tag and device_limit else None,
    }
    # Table-level statements with the values as parameters, run on the
    # session's connection: the statement has the same shape every time (a
    # cache hit for SQLAlchemy's compiler) and skips the ORM's bookkeeping.
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        columns = [answer_columns(v) for v in answers.values()]
        row["answer_codes"] = list(answers)
        row["answer_ints"] = [number for number, _ in columns]
        row["answer_texts"] = [text for _, text in columns]
        response_id = connection.execute(_POSTGRESQL_INSERT, row).scalar()
    else:
        response_id = connection.execute(_SQLITE_INSERT, row).scalar()
    if response_id is None:
        existing = session.execute(
            select(Response.id, Response.payload_hash).where(Response.client_uuid == client_uuid)
        ).one_or_none()
        if existing is None:  # not a resend: the device limit held it back
            return SubmitOutcome("device_limit", None)
        status = "duplicate" if existing.payload_hash == digest else "conflict"
        return SubmitOutcome(status, existing.id)
    if answers and not postgres:
        connection.execute(insert(Answer.__table__), answer_rows(response_id, answers))
    return SubmitOutcome("created", response_id)
